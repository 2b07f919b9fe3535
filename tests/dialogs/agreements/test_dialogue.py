"""From draft to agreement in force, in Teams: comments on clauses (also jointly for several
municipalities), the input summary and its exports, the case from the closed consultation, the
chair's decision, each council's accession, the switch into force and Q&A; with the unhappy paths.

The draft is the test document fixtures/utkast-2025.md imported as version `utkast-2027`
(illustrative: effective 1 January 2027), on a consultation open for ten days after the clock.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dialogs.agreements import document, lifecycle, summary
from dialogs.agreements.versions import import_draft
from dialogs.qa.sources import invalidate
from storage.models import (
    Accession,
    AgreementVersion,
    Case,
    ClauseComment,
    Consultation,
    Network,
    Person,
)
from tests.harness import (
    DA_DIRECTOR,
    DV_CHAIR,
    DV_DIRECTOR,
    DV_OBSERVER,
    DV_SECRETARIAT,
    TeamsUser,
    message_text,
    play,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DRAFT = Path(__file__).parent / "fixtures" / "utkast-2025.md"
COORDINATOR = TeamsUser("dv-nordhordland", "Marianne Sæbø", "00000000-0000-0000-0000-0000000000a1")
ASKOY = TeamsUser("dv-direktor-askoy", "Askøy director", "00000000-0000-0000-0000-0000000000b1")
BJORNAFJORDEN = TeamsUser("dv-direktor-bjornafjorden", "Bjørnafjorden director", "00000000-0000-0000-0000-0000000000b2")
QUESTIONS = [{"key": "hovudsyn", "kind": "choice", "required": True,
              "label": {"nn": "Hovudsyn", "nb": "Hovedsyn", "en": "Overall view"},
              "options": [{"nn": "Støttar utkastet", "nb": "Støtter utkastet", "en": "Supports the draft"},
                          {"nn": "Støttar med endringar", "nb": "Støtter med endringer", "en": "With changes"}]}]


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
async def draft(bot):
    clock = Clock(NOW)
    bot.services.now = clock
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        result = await import_draft(session, dv, document.parse_file(DRAFT), version_key="utkast-2027",
                                    label="Samarbeidsavtale 2027", effective_from=datetime(2027, 1, 1).date(),
                                    source=DRAFT.name, actor="test")
        session.add(Consultation(network_id=dv.id, key="avtale-2027", title="Høyring: ny samarbeidsavtale",
                                 agreement_version_id=result.version.id, deadline=NOW + timedelta(days=10),
                                 status="open", questions=QUESTIONS, source="teams", revision=1,
                                 contact="Tove Bech"))
        for user in (COORDINATOR, ASKOY, BJORNAFJORDEN):
            person = await session.scalar(select(Person).where(Person.key == user.key))
            person.tenant_id, person.aad_object_id = user.tenant, user.aad
    return clock


async def _count(bot, model, *where) -> int:
    async with bot.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


def comment(clause: str, text: str) -> dict:
    return {"action": "agreement.comment", "consultation": "avtale-2027", "clause": clause, "comment": text}


def decision(**fields) -> dict:
    return {"action": "agreement.accession", **fields}


async def test_a_director_comments_on_a_changed_clause_and_edits_it(bot, draft):
    card = await bot.say_text(DV_DIRECTOR, "merknad 5.2")
    assert "Merknad til punkt 5.2 Styringsgruppe" in card and "Merknad frå Alver" in card
    assert "Styringsgruppa består av" in card  # the clause text
    assert "Kva er endra" in card and "~~kvartalsvis~~ **minst fire gonger i året**" in card

    first = message_text((await bot.submit(DV_DIRECTOR, comment("styringsgruppe", "Kvartalsvis held.")))[0])
    assert "Merknaden til punkt 5.2 Styringsgruppe er lagra for Alver (versjon 1)" in first
    second = message_text((await bot.submit(DV_DIRECTOR, comment("styringsgruppe", "Minst fire er bra.")))[0])
    assert "(versjon 2)" in second
    again = message_text((await bot.submit(DV_DIRECTOR, comment("styringsgruppe", "Minst fire er bra.")))[0])
    assert "den same som før" in again
    assert await _count(bot, ClauseComment) == 2  # both versions kept, the double submit added nothing
    card = await bot.say_text(DV_DIRECTOR, "merknad 5.2")
    assert "Minst fire er bra." in card and "versjon 2" in card


@pytest.mark.parametrize("who, sends, shows, hides", [
    (DV_DIRECTOR, "merknad 99", "Punkt 99 finst ikkje i Samarbeidsavtale 2027", "Merknad til punkt"),
    (DV_DIRECTOR, "merknad", "5.2 Styringsgruppe", "Merknad til punkt"),
    (DV_OBSERVER, "merknad 5.2", "ikkje registrert i nokon medlemskommune", "Merknad til punkt 5.2"),
    (DV_DIRECTOR, "høyringsoppsummering", "Dette er for sekretariatet", "Høyringsoppsummering"),
    (DV_SECRETARIAT, "ny sak frå høyring", "er open til", "Sak SAK-"),
    (DV_DIRECTOR, "tiltreding", "ikkje vedteken av styringsgruppa", "Registrer vedtaket"),
    (DV_SECRETARIAT, "status tiltreding", "ikkje vedteken av styringsgruppa", "Tiltredd:"),
    (DA_DIRECTOR, "merknad 5.2", "har ingen høring på et avtaleutkast", "Merknad til punkt"),
])
async def test_unhappy_paths_in_words(bot, draft, who, sends, shows, hides):
    text = await bot.say_text(who, sends)
    assert shows in text and (not hides or hides not in text), text


@pytest.mark.parametrize("who, data, shows", [
    (DV_DIRECTOR, comment("finst-ikkje", "x"), "Punkt finst-ikkje finst ikkje"),
    (DV_DIRECTOR, {"action": "agreement.comment", "consultation": "ny-samarbeidsavtale-2024", "clause": "bakgrunn",
                   "comment": "x"}, "Fann ikkje høyringa"),
    (DV_OBSERVER, comment("styringsgruppe", "x"), "ikkje registrert i nokon medlemskommune"),
    (DV_DIRECTOR, comment("styringsgruppe", "x" * 4001), "for lang"),
    (DV_DIRECTOR, decision(outcome="joined", body="Kommunestyret", meeting_date="2026-11-20", case_number="1/26"),
     "ikkje vedteken av styringsgruppa"),
])
async def test_unhappy_card_submits_store_nothing(bot, draft, who, data, shows):
    replies = await bot.submit(who, data)
    text = "\n".join(message_text(m) for m in replies)
    assert shows in text, text
    assert await _count(bot, ClauseComment) == 0
    assert await _count(bot, Accession, Accession.source == "teams") == 0


async def test_unhappy_paths_as_a_dialogue(bot, draft):
    """The issue's unhappy paths in one table: a comment on a clause that is not in the draft (typed,
    and on a forged card), accession before adoption; then, once adopted, a decision registered twice
    (the same one, and a different one), and by a person of another municipality or network."""
    alver = decision(outcome="joined", body="Kommunestyret", meeting_date="2026-11-20", case_number="88/26",
                     municipality="4631")
    await play(bot, [
        (DV_DIRECTOR, "merknad 12", ["Punkt 12 finst ikkje i Samarbeidsavtale 2027", "11 Tiltreding"],
         ["Merknad til punkt"]),
        (DV_DIRECTOR, comment("ressursgruppe", "Ho bør vere med."),  # 7 Ressursgruppe is taken out of the draft
         ["Punkt ressursgruppe finst ikkje i Samarbeidsavtale 2027"], ["er lagra"]),
        (DV_DIRECTOR, "tiltreding", ["ikkje vedteken av styringsgruppa"], ["Registrer vedtaket"]),
        (DV_DIRECTOR, alver, ["ikkje vedteken av styringsgruppa"], ["Registrert for Alver"]),
    ])
    assert await _count(bot, ClauseComment) == 0 and await _count(bot, Accession, Accession.source == "teams") == 0

    async with bot.db.session() as session:  # what the steering group's adoption does to the version
        version = await session.scalar(select(AgreementVersion).where(AgreementVersion.key == "utkast-2027"))
        version.status = "adopted"
    invalidate()
    await play(bot, [
        (DV_DIRECTOR, alver, ["Registrert for Alver: Tiltrer (fredag 20. november 2026)"], []),
        (DV_DIRECTOR, alver, ["Dette var alt registrert for Alver: Tiltrer (fredag 20. november 2026). Ingenting er endra."],
         ["Registrert for Alver"]),
        (DV_DIRECTOR, {**alver, "outcome": "declined", "case_number": "89/26"},
         ["Vedtaket til Alver er alt registrert: Tiltrer (fredag 20. november 2026)", "blir ikkje skrive over"],
         ["Registrert for Alver"]),
        (ASKOY, {**alver, "outcome": "declined"}, ["Kortet gjeld Alver. Du kan berre registrere vedtaket til Askøy."],
         ["Registrert for"]),
        (DA_DIRECTOR, {**alver, "outcome": "declined"}, ["Kortet gjelder 4631. Du kan bare registrere vedtaket til Bærum."],
         ["Registrert for"]),
        (DV_OBSERVER, {**alver, "outcome": "declined"}, ["ikkje registrert for ein medlemskommune"], ["Registrert for"]),
        (DV_SECRETARIAT, "status tiltreding", ["Tiltredd: 1 · Planlagt: 0 · Ikkje enno: 39 · Seier nei: 0"], []),
    ])
    async with bot.db.session() as session:
        rows = (await session.scalars(select(Accession).where(Accession.source == "teams"))).all()
    assert [(r.status, r.case_number, r.version) for r in rows] == [("joined", "88/26", 1)]


async def test_after_the_deadline_comments_are_refused(bot, draft):
    draft.now = NOW + timedelta(days=11)
    text = message_text((await bot.submit(DV_DIRECTOR, comment("styringsgruppe", "Sein merknad.")))[0])
    assert "lukka" in text and await _count(bot, ClauseComment) == 0


async def test_from_comments_to_the_agreement_in_force(bot, draft, tmp_path):
    # two directors comment: Alver alone, the Region Nordhordland coordinator for its members
    await bot.submit(DV_DIRECTOR, comment("styringsgruppe", "Alver meiner kvartalsvis er nok."))
    await bot.submit(DV_DIRECTOR, {"action": "consultation.answer", "consultation": "avtale-2027", "revision": 1,
                                   "kind": "individual", "q_hovudsyn": "Støttar med endringar"})
    joint = message_text((await bot.submit(COORDINATOR, comment("9", "Varigheita bør vere fire år.")))[0])
    assert "Region Nordhordland" in joint and "for 8 kommunar" in joint
    assert await _count(bot, ClauseComment, ClauseComment.clause_key == "varigheit") == 8

    # the secretariat's input summary: per clause, who and on whose behalf
    card = await bot.say_text(DV_SECRETARIAT, "høyringsoppsummering")
    assert "Høyringsoppsummering: Samarbeidsavtale 2027" in card
    assert "5.2 Styringsgruppe (1 merknader)" in card and "9 Varigheit (1 merknader)" in card
    assert "Alver (Ingrid Haugland)" in card and "Region Nordhordland IKS / Kommunedirektørutvalet i Region Nordhordland (Marianne Sæbø)" in card
    assert "på vegner av Alver, Austrheim, Fedje" in card and "Støttar med endringar" in card

    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        cons = await session.scalar(select(Consultation).where(Consultation.key == "avtale-2027"))
        s = await summary.summary_for(session, dv, cons)
    assert s.comment_count == 2 and s.positions == {"Støttar med endringar": 1}
    _reread_exports(s, tmp_path)

    # the case from the closed consultation, the chair's decision, adoption
    draft.now = NOW + timedelta(days=11)
    opened = await bot.say_text(DV_SECRETARIAT, "ny sak frå høyring")
    assert "Sak SAK-2026-001 om Samarbeidsavtale 2027 er oppretta" in opened and "2 merknader" in opened
    assert "alt ei sak om Samarbeidsavtale 2027: SAK-2026-001" in await bot.say_text(DV_SECRETARIAT, "ny sak frå høyring")
    async with bot.db.session() as session:
        case = await session.scalar(select(Case).where(Case.key == "sak-2026-001"))
        assert "1. januar 2027" in case.proposal and "Varigheita bør vere fire år." in case.background
        case_id = case.id
    await bot.submit(DV_CHAIR, {"action": "vote.close", "case": case_id, "confirmed": "yes"})
    await bot.submit(DV_CHAIR, {"action": "vote.decide", "case": case_id,
                                "decision": "Styringsgruppa vedtek Samarbeidsavtale 2027."})
    minutes = await bot.say_text(DV_SECRETARIAT, "protokoll sak-2026-001")
    assert "Styringsgruppa vedtek Samarbeidsavtale 2027." in minutes

    # three directors register their councils' decisions
    form = await bot.say_text(DV_DIRECTOR, "tiltreding")
    assert "Tiltreding: Samarbeidsavtale 2027" in form and "Vedtaket i Alver" in form
    stored = message_text((await bot.submit(DV_DIRECTOR, decision(
        outcome="joined", body="Kommunestyret", meeting_date="2026-12-10", case_number="88/26",
        funding="inntil kr 3 per innbyggjar", municipality="4631")))[0])
    assert "Registrert for Alver: Tiltrer (torsdag 10. desember 2026)" in stored
    await bot.submit(ASKOY, decision(outcome="joined", body="Kommunestyret", meeting_date="2026-12-11",
                                     case_number="101/26"))
    await bot.submit(BJORNAFJORDEN, decision(outcome="planned", planned_date="2027-01-20"))

    twice = message_text((await bot.submit(DV_DIRECTOR, decision(
        outcome="declined", body="Kommunestyret", meeting_date="2026-12-10", case_number="89/26")))[0])
    assert "alt registrert" in twice
    other = message_text((await bot.submit(ASKOY, decision(
        outcome="declined", body="Bystyret", meeting_date="2026-12-10", case_number="9/26", municipality="4631")))[0])
    assert "Kortet gjeld Alver" in other
    missing = "\n".join(message_text(m) for m in await bot.submit(BJORNAFJORDEN, decision(outcome="joined")))
    assert "Dette manglar: body, meeting_date, case_number" in missing
    assert await _count(bot, Accession, Accession.source == "teams") == 3

    status = await bot.say_text(DV_SECRETARIAT, "status tiltreding")
    assert "Tiltredd: 2 · Planlagt: 1 · Ikkje enno: 37" in status and "Bjørnafjorden" in status

    # the clock passes the effective date: the version switches itself into force
    draft.now = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        assert await lifecycle.switch_versions(session, dv, now=draft.now) == [(None, "utkast-2027")]
        version = await session.scalar(select(AgreementVersion).where(AgreementVersion.key == "utkast-2027"))
        assert version.status == "in_force"
    answer = await bot.say_text(DV_DIRECTOR, "Har Askøy tiltredd den nye avtalen?")
    assert "Askøy tiltredde Samarbeidsavtale 2027" in answer, answer
    answer = await bot.say_text(DV_DIRECTOR, "Kva kommunar har tiltredd den nye avtalen?")
    assert "2 av 40 kommunar" in answer and "Alver" in answer and "Askøy" in answer, answer


def _reread_exports(s: summary.Summary, tmp_path: Path) -> None:
    import docx
    from openpyxl import load_workbook

    word = docx.Document(io.BytesIO(summary.to_docx(s, "nn")))
    texts = [p.text for p in word.paragraphs]
    assert "Høyringsoppsummering: Samarbeidsavtale 2027" in texts and "5.2 Styringsgruppe" in texts
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert "Varigheita bør vere fire år." in cells and "Region Nordhordland IKS / Kommunedirektørutvalet i Region Nordhordland" in cells
    book = load_workbook(io.BytesIO(summary.to_xlsx(s, "nn")))
    rows = list(book["Merknader"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Punkt", "Overskrift", "Endring")
    assert rows[2][:3] == ("9", "Varigheit", "Endra") and rows[2][6] == 8
    assert list(book["Hovudsyn"].iter_rows(values_only=True))[1] == ("Støttar med endringar", 1)
    # LibreOffice converts the exports headless in test_exports.py (skipped where it is not installed)
