"""A notice end to end in two Teams clients at once: the secretariat composes a notice to the steering
group with `kunngjering` (form, preview, confirmation, send), a member receives it in their personal
chat and confirms reading it, and the author's report card, edited live, shows every recipient's
state: sent and acknowledged for the member, "has not installed the app" for the rest."""

from __future__ import annotations

import re

from playwright.sync_api import expect

TITLE = "Styringsmøtet 12. desember er flytta"
TEXT = "Møtet i styringsgruppa 12. desember startar kl. 13 i staden for kl. 10. Staden er den same."
BODY = "Styringsgruppa for DigiVestland"


def test_secretariat_sends_a_notice_and_a_member_receives_it(teams):
    director = teams("director")  # a steering-group member who has the app
    director.wait_card("Velkomen til Samarbeidsbot", "Hei, Ingrid!")

    secretariat = teams("secretariat")
    secretariat.wait_card("Velkomen til Samarbeidsbot", "Hei, Eirik!")
    secretariat.send("kunngjering")
    form = secretariat.wait_card("Ny kunngjering", "Mottakarar")
    form.get_by_label("Tittel").fill(TITLE)
    form.get_by_label("Tekst (markdown)").fill(TEXT)
    secretariat.choose(form, "Mottakarar", BODY)
    form.get_by_text("Be om stadfesting", exact=False).click()
    secretariat.click(form, "Førehandsvis")
    confirm = secretariat.wait_card("Stemmer dette?", f"Til: {BODY}")
    recipients = int(re.search(r"\((\d+) mottakarar\)", confirm.inner_text()).group(1))
    assert recipients > 1
    # only the director has the bot; the confirmation says how many will not be reached, before sending
    expect(confirm).to_contain_text(f"{recipients - 1} av dei har ikkje installert appen")
    secretariat.wait_card(TITLE, TEXT)  # the preview: the notice as recipients will see it
    secretariat.click(confirm, "Send")
    secretariat.wait_text(f"Kunngjeringa er lagd i kø til {recipients} mottakarar.")

    # the member: the notice arrives in the personal chat, with the acknowledge button
    notice = director.wait_card(TITLE, TEXT)
    expect(notice).to_contain_text("Sendt av Eirik Nesheim på vegner av Sekretariat for DigiVestland")
    director.screenshot("received", docs="notice-received-nn")
    director.click(notice, "Stadfest at du har lese")
    director.wait_text(f"Takk! Du har stadfesta at du har lese «{TITLE}».")
    director.click(notice, "Stadfest at du har lese")  # the same card again: registered once, and it says so
    director.wait_text(f"Du har alt stadfesta at du har lese «{TITLE}».")

    # the author's report card is edited live: one sent and acknowledged, the others not reached, with why
    report = secretariat.wait_card(f"Rapport: {TITLE}", "Ikkje nådd, med grunn:")
    facts = {"Mottakarar": recipients, "I kø": 0, "Sendt": 1, "Stadfesta lese": 1, "Feila": 0,
             "Ikkje nådd": recipients - 1}
    for label, value in facts.items():
        expect(report).to_contain_text(re.compile(rf"{re.escape(label)}\s*{value}(?!\d)"))
    expect(report.get_by_text("Har ikkje installert appen")).to_have_count(recipients - 1)
    expect(report).not_to_contain_text("Ingrid Haugland")  # she was reached
    secretariat.screenshot("report", docs="notice-report-nn")
