"""A planned procurement end to end in two Teams clients at once (issue 10, acceptance 1), in DigIT
Midt-Buskerud: Sigdal's rådmann registers a planned purchase with `ny anskaffelse` (form, preview, send),
Modum's rådmann gets «Bli med på felles anskaffelse?» in the personal chat and answers Nei, and, as the
agreement prescribes, the bot puts the matter before the directors' council by itself: the council's
case card reaches the rådmenn and the initiator is told."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BotProcess, stop

NETWORK = "digit-midt-buskerud"
SYSTEM = "Sak- og arkivsystem"
AREA = "Dokumentforvaltning"
VALUE = "1 – 5 mill. kr"


class DigitBot(BotProcess):
    """The bot (and every Playground started against it) with DigIT Midt-Buskerud as the default network."""

    def env(self, **extra: str) -> dict[str, str]:
        env = super().env(**extra)
        env["DEFAULT_NETWORK"] = NETWORK
        return env


@pytest.fixture(scope="module")
def bot_process(tmp_path_factory):
    bot = DigitBot(tmp_path_factory.mktemp("e2e-procurement-bot"))
    bot.start()
    yield bot
    assert bot.process is not None
    stop(bot.process)


def test_sigdal_registers_a_procurement_modum_says_no_and_the_council_gets_the_case(teams):
    # Modum's rådmann has the app (opened first: the question goes to the chats the bot knows)
    modum = teams("dit-direktor-modum")
    modum.wait_card("Samarbeidsbot", "Modum")

    sigdal = teams("dit-direktor-sigdal")
    sigdal.wait_card("Samarbeidsbot", "Sigdal")
    sigdal.send("ny anskaffelse")
    form = sigdal.wait_card("Planlagt anskaffelse", "System eller tjeneste")
    form.get_by_label("System eller tjeneste").fill(SYSTEM)
    form.get_by_label("Fagområde").fill(AREA)
    sigdal.choose(form, "Verdi (anslag)", VALUE)
    sigdal.click(form, "Se over før sending")
    preview = sigdal.wait_card(SYSTEM, "Send til kommunene")
    for shown in ("Sigdal", AREA, VALUE, "Modum", "Krødsherad"):
        expect(preview).to_contain_text(shown)
    expect(modum.cards("Bli med på felles anskaffelse?")).to_have_count(0)  # nothing sent before Send
    sigdal.click(preview, "Send til kommunene")
    registered = sigdal.page.get_by_text(re.compile(r"^Registrert som ansk-")).last
    expect(registered).to_be_visible()
    ref = re.search(r"Registrert som (ansk-\d{4}-\d+)\.", registered.inner_text()).group(1)

    # Modum: the question arrives by itself, with Ja / Nei / Vurderer
    ask = modum.wait_card("Bli med på felles anskaffelse?", SYSTEM)
    expect(ask).to_contain_text("Sigdal")
    for button in ("Ja", "Nei", "Vurderer"):
        expect(ask.get_by_role("button", name=button, exact=True)).to_be_visible()
    modum.screenshot("asked", docs="procurement-card-nb")
    modum.click(ask, "Nei")
    receipt = modum.page.get_by_text(re.compile(r"^Svaret «Nei» er lagret for Modum")).last
    expect(receipt).to_be_visible()
    receipt = " ".join(receipt.inner_text().split())  # the renderer may use no-break spaces
    case = re.search(r"er saken lagt frem for (.+) \((sak-[\w-]+)\)", receipt)
    assert case, receipt
    council, case_key = case.groups()

    # the council case, opened by the routine through the votes capability, reaches the rådmenn
    case_title = f"Felles anskaffelse av {SYSTEM} (initiativ fra Sigdal)"
    sigdal.wait_text(f"Modum svarte nei på felles anskaffelse av {SYSTEM}. Saken er lagt frem for {council} "
                     f"som {case_key}.")
    case_card = sigdal.wait_card(case_title)
    sigdal.screenshot("council-case")
    modum.wait_card(case_title)
    # and the initiator's status card shows Modum's no and the case
    sigdal.send(f"anskaffelse {ref}")
    status = sigdal.wait_card(ref, case_key)
    expect(status).to_contain_text("Modum")
    assert case_card.is_visible()
