"""A consultation end to end in two Teams clients: the secretariat reopens the July 2024 consultation
from its status card (edited in place), the director asks for it, changes Alver's answer and gets a
receipt."""

from __future__ import annotations

from playwright.sync_api import expect

TITLE = "Innspel til utkast til ny samarbeidsavtale"


def test_secretariat_reopens_a_consultation_and_the_director_answers_it(teams):
    secretariat = teams("secretariat")
    secretariat.wait_card("Velkomen til Samarbeidsbot", "Hei, Eirik!")
    secretariat.send("høyring")
    status = secretariat.wait_card(TITLE, "Opne igjen")
    secretariat.click(status, "Opne igjen")
    status.get_by_label("Frist").fill("om to veker")
    secretariat.click(status, "Lagre")
    secretariat.wait_text(f"Ny frist for «{TITLE}")
    # the posted status card is edited in place: now open, with "Endre frist" instead of "Opne igjen"
    secretariat.wait_card(TITLE, "Endre frist")
    assert secretariat.count_cards(TITLE, "Opne igjen") == 0
    assert secretariat.count_cards(TITLE, "Ikkje svart") == 1  # the same card, not a second one
    secretariat.screenshot("status-reopened", docs="consultation-status-nn")

    director = teams("director")
    director.wait_card("Velkomen til Samarbeidsbot")
    director.send("høyring")
    card = director.wait_card(TITLE, "Svar for Alver kommune")
    card.get_by_text("Eige innspel", exact=True).click()
    card.get_by_text("Støttar med endringar", exact=True).click()
    # Alver answered jointly through Region Nordhordland in July; Ingrid changes it to Alver's own answer
    card.get_by_label("Merknad (valfritt)").fill("Alver sender eige innspel i tillegg til det felles.")
    director.screenshot("answer-card", docs="consultation-answer-nn")
    director.click(card, "Lagre endra svar")
    receipt = director.wait_card("Kvittering: svaret er lagra")
    expect(receipt).to_contain_text("Støttar med endringar")
    expect(receipt).to_contain_text("Eige innspel")  # the kind changed from joint to own
    director.screenshot("receipt", docs="consultation-receipt-nn")
