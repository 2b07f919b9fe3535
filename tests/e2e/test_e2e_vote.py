"""A steering-group case end to end in three Teams clients at once: the secretariat opens a case with
`ny sak` (form, confirmation, send), the director (a voting member) gets the case card with buttons
through the card's Action.Execute refresh and votes, the card shows the turnout, and the KS observer
sees the same case without buttons, its turnout edited in place after the vote."""

from __future__ import annotations

import re

from playwright.sync_api import expect

TITLE = "Felles avtale om skytenester 2027"
PROPOSAL = "Styringsgruppa sluttar seg til at sekretariatet forhandlar fram ein felles avtale."
VOTE_BUTTONS = ("Einig", "Avstår", "Ueinig")


def test_secretariat_opens_a_case_director_votes_observer_follows(teams):
    # the members install the bot first: the case goes to the personal chats the bot knows
    director = teams("director")
    director.wait_card("Velkomen til Samarbeidsbot", "Hei, Ingrid!")
    observer = teams("observer")
    observer.wait_card("Velkomen til Samarbeidsbot", "Hei, Kari!")

    secretariat = teams("secretariat")
    secretariat.wait_card("Velkomen til Samarbeidsbot", "Hei, Eirik!")
    secretariat.send("ny sak")
    form = secretariat.wait_card("Ny sak", "Forslag til vedtak")
    if form.get_by_role("combobox", name="Organ").count():  # only when they may open cases for several bodies
        secretariat.choose(form, "Organ", "Styringsgruppa for DigiVestland")
    form.get_by_label("Tittel").fill(TITLE)
    form.get_by_label("Forslag til vedtak").fill(PROPOSAL)
    form.get_by_label("Frist for å røyste").fill("fredag kl. 12")
    form.get_by_text("Med ein gong", exact=True).click()  # results visible at once: the observer sees them
    secretariat.click(form, "Vidare")
    confirm = secretariat.wait_card("Stadfest ny sak", TITLE)
    expect(confirm).to_contain_text("Ingenting er sendt enno.")
    expect(confirm).to_contain_text("Einig / Avstår / Ueinig")
    secretariat.click(confirm, "Opne saka og send ut")
    secretariat.wait_card("Saka er opna og send ut", TITLE)

    # every holder's chat gets the shared copy: the case and the turnout, no buttons. (In Teams its
    # `refresh` swaps in each reader's own view at once; the Playground 0.2.x does not do that: "User
    # specific view is not supported yet in Microsoft 365 Agents playground". So the director opens
    # their own view from `saker` → "Vis saka", the same vote.show path Teams users have.)
    shared = director.wait_card(TITLE, "Oppslutnad")
    expect(shared).to_contain_text(PROPOSAL)
    turnout = re.search(r"0 av (\d+) har røysta", shared.inner_text())
    assert turnout, shared.inner_text()
    voters = int(turnout.group(1))
    assert voters > 1
    expect(shared.get_by_role("button")).to_have_count(0)

    director.send("saker")
    listing = director.wait_card("Opne saker", TITLE, "Du har ikkje røysta")
    director.click(listing, "Vis saka")
    case = director.wait_card(TITLE, "Grunngjeving")
    for button in VOTE_BUTTONS:
        expect(case.get_by_role("button", name=button, exact=True)).to_be_visible()
    director.screenshot("case-card")
    director.click(case, "Einig")  # Action.Execute (vote.cast): the invoke is answered with the updated card
    director.wait_card(TITLE, f"1 av {voters} har røysta")
    # every posted copy of the case card was edited in place (the list card is a snapshot, not a copy)
    expect(director.cards(TITLE, "Oppslutnad", "0 av")).to_have_count(0)
    director.send("saker")
    listing = director.wait_card("Opne saker", TITLE, "Du røysta Einig", f"1 av {voters} har røysta")
    director.click(listing, "Vis saka")
    mine = director.wait_card(TITLE, "Røysta di:")
    expect(mine).to_contain_text("Einig (versjon 1)")
    expect(mine).to_contain_text(f"1 av {voters} har røysta")
    expect(mine.get_by_role("button", name="Ueinig", exact=True)).to_be_visible()  # may change until close
    director.screenshot("voted", docs="vote-member-nn")

    # the observer: the shared copy, edited in place with the new turnout and results; no buttons
    seen = observer.wait_card(TITLE, f"1 av {voters} har røysta")
    expect(seen.get_by_role("button")).to_have_count(0)
    observer.send("saker")
    listing = observer.wait_card("Opne saker", TITLE, "Du er observatør")
    observer.click(listing, "Vis saka")
    own = observer.wait_card(TITLE, "Du følgjer saka som observatør, utan røysterett.")
    expect(own).to_contain_text(f"1 av {voters} har røysta")
    expect(own.get_by_role("button")).to_have_count(0)
    expect(own.locator("textarea, input")).to_have_count(0)
    observer.screenshot("observer", docs="vote-observer-nn")
