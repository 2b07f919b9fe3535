"""How a steering-group case ends, seen in three Teams clients (chair, director, KS observer): a member
changes their vote and the chair closes the case with consensus (adopted, on every copy); a member
disagrees with a reason and the chair, closing without consensus, records the decision, shown to
everyone as decided by the chair.

The chair (Bergen) opens the cases with `ny sak`. The Playground 0.2.x shows no user-specific views
(see docs/playground.md), so each person reaches their own case card through `saker` → "Vis saka"."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

from tests.e2e.client import TeamsClient

PROPOSAL = "Styringsgruppa sluttar seg til forslaget frå sekretariatet."
ADOPTED = "Konsensus: forslaget er vedteke."
NO_CONSENSUS = "Ikkje konsensus: leiaren avgjer."
TAMPERED = "Kortet inneheldt data som ikkje høyrer til det."


def _people(teams) -> tuple[TeamsClient, TeamsClient, TeamsClient]:
    """Recipients first: a proactive case card goes to the Playground that person opened last."""
    director = teams("director")
    director.wait_card("Velkomen til Samarbeidsbot", "Hei, Ingrid!")
    observer = teams("observer")
    observer.wait_card("Velkomen til Samarbeidsbot", "Hei, Kari!")
    chair = teams("chair")
    chair.wait_card("Velkomen til Samarbeidsbot", "Hei, Sigurd!")
    return chair, director, observer


def _open_case(chair: TeamsClient, title: str) -> None:
    chair.send("ny sak")
    form = chair.wait_card("Ny sak", "Forslag til vedtak")
    if form.get_by_role("combobox", name="Organ").count():
        chair.choose(form, "Organ", "Styringsgruppa for DigiVestland")
    form.get_by_label("Tittel").fill(title)
    form.get_by_label("Forslag til vedtak").fill(PROPOSAL)
    form.get_by_label("Frist for å røyste").fill("fredag kl. 12")
    form.get_by_text("Med ein gong", exact=True).click()
    chair.click(form, "Vidare")
    confirm = chair.wait_card("Stadfest ny sak", title)
    chair.click(confirm, "Opne saka og send ut")
    chair.wait_card("Saka er opna og send ut", title)


def _own_view(client: TeamsClient, title: str, *listed: str) -> Locator:
    """`saker` → "Vis saka": the person's own case card (the shared copy has no buttons in the Playground)."""
    before = client.count_cards(title, "Oppslutnad")
    client.send("saker")
    listing = client.wait_card("Opne saker", title, *listed)
    client.click(listing, "Vis saka")
    expect(client.cards(title, "Oppslutnad")).to_have_count(before + 1)  # a new card, not an earlier copy
    return client.wait_card(title, "Oppslutnad")


def _voters(shared: Locator) -> int:
    turnout = re.search(r"(\d+) av (\d+) har røysta", shared.inner_text())
    assert turnout, shared.inner_text()
    return int(turnout.group(2))


def _closed_everywhere(client: TeamsClient, title: str, outcome: str) -> Locator:
    """Every posted copy shows the case closed by the chair with the outcome; no copy keeps a button."""
    card = client.wait_card(title, "lukka av leiaren", outcome)
    expect(client.cards(title, "Oppslutnad").filter(has=client.page.get_by_role("button"))).to_have_count(0)
    expect(client.cards(title, "Open for røysting")).to_have_count(0)
    return card


def test_member_changes_vote_chair_closes_with_consensus(teams):
    title = "Felles plattform for innbyggjardialog"
    chair, director, observer = _people(teams)
    _open_case(chair, title)
    voters = _voters(director.wait_card(title, "Oppslutnad", "0 av"))
    observer.wait_card(title, "Oppslutnad", f"0 av {voters} har røysta")

    case = _own_view(director, title, "Du har ikkje røysta")
    director.click(case, "Einig")
    director.wait_card(title, f"1 av {voters} har røysta")
    # changes the vote before the case is closed: a new version, still one vote in the turnout
    case = _own_view(director, title, "Du røysta Einig")
    expect(case).to_contain_text("Einig (versjon 1)")
    director.click(case, "Avstår")
    changed = _own_view(director, title, "Du røysta Avstår", f"1 av {voters} har røysta")
    expect(changed).to_contain_text("Røysta di: Avstår (versjon 2)")
    expect(changed).to_contain_text(f"1 av {voters} har røysta")
    observer.wait_card(title, f"1 av {voters} har røysta")

    mine = _own_view(chair, title, "Du har ikkje røysta")
    expect(mine).to_contain_text("Har ikkje røysta enno")  # the chair sees who is missing
    expect(mine).not_to_contain_text("Ingrid Haugland")  # …and the director has voted
    chair.click(mine, "Lukk saka no")
    asked = chair.wait_card(title, "Lukke saka no?")  # asks first, saying what will happen
    expect(asked).to_contain_text("kan ikkje røyste etterpå")
    chair.click(asked, "Ja, lukk saka")
    chair.wait_card(title, ADOPTED)

    for person in (director, observer, chair):
        card = _closed_everywhere(person, title, ADOPTED)
        expect(card).to_contain_text(f"1 av {voters} har røysta")
    # an adopted case is no longer open: nothing waits for anyone
    director.send("saker")
    director.wait_text("Ingen opne saker")
    observer.screenshot("adopted")


def test_member_disagrees_chair_records_the_decision(teams):
    title = "Felles innkjøp av møteromsutstyr"
    reason = "Alver har nett kjøpt nytt utstyr og vil vente til 2028."
    decision = "Forslaget er vedteke; Alver blir med frå 2028."
    chair, director, observer = _people(teams)
    _open_case(chair, title)
    voters = _voters(director.wait_card(title, "Oppslutnad", "0 av"))

    case = _own_view(director, title, "Du har ikkje røysta")
    case.get_by_label(re.compile("Grunngjeving")).fill(reason)
    director.click(case, "Ueinig")
    director.wait_card(title, f"1 av {voters} har røysta")
    disagreed = _own_view(director, title, "Du røysta Ueinig")
    expect(disagreed).to_contain_text(f"Grunngjevinga di: {reason}")
    observer.wait_card(title, f"1 av {voters} har røysta", reason)  # results shown at once, with the reason

    mine = _own_view(chair, title, "Du har ikkje røysta")
    chair.click(mine, "Lukk saka no")
    chair.click(chair.wait_card(title, "Lukke saka no?"), "Ja, lukk saka")
    for person in (director, observer, chair):
        _closed_everywhere(person, title, NO_CONSENSUS)

    # the chair's decision card. Closing answers the chair with their view holding the decision field, but
    # the refresh of every copy then turns it into the shared view (the Playground has no user-specific
    # views); `saker` lists the case as waiting for the chair, and their own view asks for the decision
    own = _own_view(chair, title, NO_CONSENSUS)
    expect(own).to_contain_text("Di avgjerd som leiar")
    own.get_by_label("Avgjerd (vedtak)").fill(decision)
    chair.screenshot("decision", docs="vote-chair-decision-nn")
    chair.click(own, "Registrer avgjerda")
    decided = f"Avgjort av leiar (Sigurd Vikøren): {decision}"
    chair.wait_card(title, decided)
    expect(chair.page.get_by_text(TAMPERED)).to_have_count(0)

    for person in (director, observer):
        card = person.wait_card(title, "lukka av leiaren", decided)
        expect(card).not_to_contain_text(NO_CONSENSUS)
    expect(director.cards(title, NO_CONSENSUS)).to_have_count(0)
    director.send("saker")
    director.wait_text("Ingen opne saker")
