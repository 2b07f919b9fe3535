"""Q&A answers from, and names, the agreement version valid on the date a question is about: a year
("i 2023"), a date ("frå 1. januar 2027"), a version named by a word ("den nye avtalen", "utkastet",
"when the new agreement comes into force"), and by default the version in force today by the
project's clock. The 2020 agreement and the test draft differ in clause 9 Varigheit: the 2020 text
runs "frå underteikningstidspunktet og til 1. januar 2025", the draft "til 31. desember 2028"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from dialogs.agreements import document, lifecycle
from dialogs.agreements.versions import import_draft
from dialogs.qa import sources
from dialogs.qa.sources import invalidate
from storage.models import AgreementVersion, Network
from tests.harness import DA_DIRECTOR, DV_DIRECTOR, Clock, play

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DRAFT = Path(__file__).parent / "fixtures" / "utkast-2025.md"
OLD = "Avtalen gjeld frå underteikningstidspunktet og til 1. januar 2025."
NEW = "Avtalen gjeld frå 1. januar 2025 til 31. desember 2028."


async def _set_status(bot, status: str) -> None:
    """What adoption does to the version (the steering group's case is tested in test_dialogue)."""
    async with bot.db.session() as session:
        version = await session.scalar(select(AgreementVersion).where(AgreementVersion.key == "utkast-2027"))
        version.status = status
    invalidate()  # as settle_adoptions does after an adoption


async def test_q_and_a_answers_from_the_version_valid_on_the_date_asked_about(bot):
    clock = Clock(NOW)
    bot.services.now = clock
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        await import_draft(session, dv, document.parse_file(DRAFT), version_key="utkast-2027",
                           label="Samarbeidsavtale 2027", effective_from=date(2027, 1, 1), actor="test")

    # a draft: asked about without a date, today's answer is the last agreement (no draft clause);
    # asked about the draft, it answers and says the draft is not adopted
    await play(bot, [
        (DV_DIRECTOR, "Kva seier avtalen om varigheit?", [OLD], [NEW, "Svar frå"]),
        (DV_DIRECTOR, "Kva seier utkastet om varigheit?",
         ["Svar frå Samarbeidsavtale 2027 (frå fredag 1. januar 2027): eit utkast som ikkje er vedteke.", NEW], [OLD]),
        (DV_DIRECTOR, "Kva gjeld frå 1. januar 2027?",
         ["Svar frå Samarbeidsavtale 2027 (frå fredag 1. januar 2027): eit utkast som ikkje er vedteke.",
          "Samarbeidsavtale 2020: til tysdag 31. desember 2024 (gått ut)",
          "Samarbeidsavtale 2027: frå fredag 1. januar 2027 (utkast, ikkje vedteke)"], []),
    ])

    await _set_status(bot, "adopted")
    await play(bot, [
        (DV_DIRECTOR, "Kva seier avtalen om varigheit?", [OLD], [NEW]),
        (DV_DIRECTOR, "Kva seier den nye avtalen om varigheit?",
         ["Svar frå Samarbeidsavtale 2027 (frå fredag 1. januar 2027).", NEW], [OLD]),
        (DV_DIRECTOR, "Kva sa avtalen om varigheit i 2023?",
         ["Svar frå Samarbeidsavtale 2020 (til tysdag 31. desember 2024), den versjonen som galdt i 2023.", OLD], [NEW]),
        (DV_DIRECTOR, "What did the agreement say about financing in 2023?",
         ["Answer from Samarbeidsavtale 2020 (until Tuesday 31 December 2024), the version that applied in 2023."], []),
        (DV_DIRECTOR, "Kva gjeld frå 1. januar 2027?",
         ["Svar frå Samarbeidsavtale 2027 (frå fredag 1. januar 2027), den versjonen som gjeld fredag 1. januar 2027.",
          "Samarbeidsavtale 2027: frå fredag 1. januar 2027 (vedteken, ikkje i kraft enno)"], []),
        (DV_DIRECTOR, "What changes when the new agreement comes into force?",
         ["Answer from Samarbeidsavtale 2027 (from Friday 1 January 2027).",
          "Samarbeidsavtale 2027 compared with Samarbeidsavtale 2020"], []),
    ])

    # the clock passes the effective date and the version switches itself into force: today's answers
    # come from it, and a 2020 fact (the steering group meets quarterly) is no longer an answer
    clock.now = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        assert await lifecycle.switch_versions(session, dv, now=clock.now) == [(None, "utkast-2027")]
    await play(bot, [
        (DV_DIRECTOR, "Kva seier avtalen om varigheit?", [NEW], [OLD, "Svar frå"]),
        (DV_DIRECTOR, "Kor ofte møtest styringsgruppa?", [], ["kvartalsvis"]),
        (DV_DIRECTOR, "Kva sa avtalen om varigheit i 2023?",
         ["Svar frå Samarbeidsavtale 2020 (til tysdag 31. desember 2024), den versjonen som galdt i 2023.", OLD], [NEW]),
        (DV_DIRECTOR, "Kva seier den gamle avtalen om ressursgruppa?",
         ["Svar frå Samarbeidsavtale 2020 (til tysdag 31. desember 2024).", "Ressursgruppa består av"], []),
        (DV_DIRECTOR, "Kva avtale gjeld?", ["Samarbeidsavtale 2027: frå fredag 1. januar 2027 (i kraft)"], []),
    ])


async def test_with_one_version_nothing_changes(bot):
    """Digitale Akershus has one version: a year in the question neither hides nor notes anything."""
    bot.services.now = lambda: NOW
    text = await bot.say_text(DA_DIRECTOR, "Hva sa avtalen om felles anskaffelser i 2023?")
    assert "Svar fra" not in text and "Ingen versjon" not in text, text


async def test_a_broken_scope_does_not_stop_answers(bot):
    @sources.qa_scope("test-broken-scope")
    async def broken(session, network, question, lang, now):
        raise RuntimeError("boom")

    try:
        bot.services.now = lambda: NOW
        assert "kvartalsvis" in await bot.say_text(DV_DIRECTOR, "Kor ofte møtest styringsgruppa?")
    finally:
        sources.QA_SCOPES.pop("test-broken-scope", None)
