"""The agreement cycle in the Teams client (issue 20's acceptance): the secretariat imports a draft (the
test document) and opens a consultation on it; two directors comment on clauses (one jointly for the
Region Nordhordland municipalities); the secretariat closes the consultation and opens the case from the
summary; a member agrees and the chair closes the case (consensus: adopted); three directors register
their councils' decisions (joins, joins, planned); the status shows 2 joined / 1 planned / the rest not
yet; after the effective date the version is in force, Q&A names who has joined and answers from the
version in force (and from the 2020 agreement for a question about 2023)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

DRAFT = Path(__file__).resolve().parents[1] / "dialogs" / "agreements" / "fixtures" / "utkast-2025.md"
LABEL = "Samarbeidsavtale 2027"


def _cli_ok(bot_process, *args: str) -> str:
    done = bot_process.cli(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _comment(client, clause: str, heading: str, text: str) -> None:
    client.send(f"merknad {clause}")
    card = client.wait_card(f"Merknad til punkt {clause} {heading}")
    card.get_by_label("Merknaden din til punktet").fill(text)
    client.click(card, "Lagre merknaden")
    client.wait_text(f"Merknaden til punkt {clause} {heading} er lagra")


def _register(client, municipality: str, outcome: str, **fields: str) -> None:
    client.send("tiltreding")
    card = client.wait_card(f"Tiltreding: {LABEL}", f"Vedtaket i {municipality}")
    card.get_by_text(outcome, exact=True).click()
    for label, value in fields.items():
        card.get_by_label(label).fill(value)
    client.click(card, "Registrer vedtaket")
    client.wait_text(f"Registrert for {municipality}")


def test_from_draft_to_agreement_in_force(teams, bot_process):
    _cli_ok(bot_process, "agreement", "import", "--network", "digivestland", "--version", "utkast-2027",
            "--label", LABEL, "--effective", "2027-01-01", str(DRAFT))
    deadline = (datetime.now(UTC) + timedelta(days=14)).isoformat(timespec="seconds")
    _cli_ok(bot_process, "agreement", "consult", "--network", "digivestland", "--version", "utkast-2027",
            "--deadline", deadline)

    director = teams("director")
    director.wait_card("Velkomen til Samarbeidsbot", "Hei, Ingrid!")
    _comment(director, "5.2", "Styringsgruppe", "Alver meiner kvartalsvise møte er nok.")
    coordinator = teams("dv-nordhordland")
    _comment(coordinator, "9", "Varigheit", "Varigheita bør vere fire år.")

    secretariat = teams("secretariat")
    secretariat.send("høyringsoppsummering")
    summary = secretariat.wait_card(f"Høyringsoppsummering: {LABEL}", "9 Varigheit (1 merknader)")
    expect(summary).to_contain_text("på vegner av Alver, Austrheim, Fedje")
    secretariat.send("høyring")
    status = secretariat.wait_card(f"Innspel til {LABEL}", "Lukk høyringa")
    secretariat.click(status, "Lukk høyringa")
    secretariat.click(secretariat.wait_card(f"Lukke «Innspel til {LABEL}» no?", "Ja, lukk høyringa"), "Ja, lukk høyringa")
    secretariat.wait_card(f"Innspel til {LABEL}", "Opne igjen")
    secretariat.send("ny sak frå høyring")
    secretariat.wait_text(f"om {LABEL} er oppretta for styringsgruppa")

    chair = teams("chair")
    director.send("saker")
    listing = director.wait_card("Opne saker", f"Ny samarbeidsavtale: {LABEL}")
    director.click(listing, "Vis saka")
    case = director.wait_card(f"Ny samarbeidsavtale: {LABEL}", "Oppslutnad")
    director.click(case, "Einig")
    chair.send("saker")
    listing = chair.wait_card("Opne saker", f"Ny samarbeidsavtale: {LABEL}")
    chair.click(listing, "Vis saka")
    mine = chair.wait_card(f"Ny samarbeidsavtale: {LABEL}", "Lukk saka no")
    chair.click(mine, "Lukk saka no")
    chair.click(chair.wait_card(f"Ny samarbeidsavtale: {LABEL}", "Lukke saka no?"), "Ja, lukk saka")
    chair.wait_card(f"Ny samarbeidsavtale: {LABEL}", "Konsensus: forslaget er vedteke.")

    _register(director, "Alver", "Tiltrer", **{"Organ som gjorde vedtaket": "Kommunestyret",
                                                "Møtedato": "2026-12-10", "Saksnummer": "88/26"})
    askoy = teams("dv-direktor-askoy")
    _register(askoy, "Askøy", "Tiltrer", **{"Organ som gjorde vedtaket": "Kommunestyret",
                                             "Møtedato": "2026-12-11", "Saksnummer": "101/26"})
    bjornafjorden = teams("dv-direktor-bjornafjorden")
    _register(bjornafjorden, "Bjørnafjorden", "Planlagt behandling",
              **{"Eller: dato for planlagt møte": "2027-01-20"})

    secretariat.send("status tiltreding")
    secretariat.wait_card(f"Tiltreding: {LABEL}", "Tiltredd: 2 · Planlagt: 1 · Ikkje enno: 37")
    secretariat.screenshot("accession-status")

    switched = _cli_ok(bot_process, "agreement", "switch", "--network", "digivestland",
                       "--now", "2027-01-01T00:05:00+01:00")
    assert "— → utkast-2027" in switched, switched
    director.send("Har Askøy tiltredd den nye avtalen?")
    director.wait_text("Askøy tiltredde Samarbeidsavtale 2027")
    director.send("Kva kommunar har tiltredd den nye avtalen?")
    director.wait_text("2 av 40 kommunar har tiltredd Samarbeidsavtale 2027")
    # Q&A answers from the version now in force, and from the old one for a date it was valid
    director.send("Kva seier avtalen om varigheit?")
    director.wait_text("Avtalen gjeld frå 1. januar 2025 til 31. desember 2028.")
    director.send("Kva sa avtalen om varigheit i 2023?")
    director.wait_text("Svar frå Samarbeidsavtale 2020 (til tysdag 31. desember 2024), den versjonen som galdt i 2023.")
