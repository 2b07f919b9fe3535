"""Adoption, reminders before the effective date and the switch into force, run as the scheduler
runs them (the registered job handlers), and the command-line exports and switch."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.main import main
from dialogs import capabilities, jobs
from dialogs.agreements import document, lifecycle
from dialogs.agreements.versions import import_draft
from storage.models import (
    Accession,
    AgreementCase,
    AgreementVersion,
    Body,
    Case,
    Job,
    Municipality,
    Network,
    Person,
)
from tests.harness import DV_DIRECTOR, message_text

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DRAFT = Path(__file__).parent / "fixtures" / "utkast-2025.md"


async def _adopted_case(session, *, outcome: str, text: str = "") -> tuple[Network, AgreementVersion, Case]:
    dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
    result = await import_draft(session, dv, document.parse_file(DRAFT), version_key="utkast-2027",
                                label="Samarbeidsavtale 2027", effective_from=date(2027, 1, 1), actor="test")
    body = await session.scalar(select(Body).where(Body.network_id == dv.id, Body.kind == "steering_group"))
    case = Case(network_id=dv.id, body_id=body.id, key="sak-2026-050", title="Ny samarbeidsavtale",
                proposal="Styringsgruppa vedtek Samarbeidsavtale 2027.", options=[], deadline=NOW,
                status="closed", outcome=outcome, outcome_text=text)
    session.add(case)
    await session.flush()
    session.add(AgreementCase(network_id=dv.id, version_id=result.version.id, case_id=case.id,
                              effective_from=date(2027, 1, 1)))
    await session.flush()
    return dv, result.version, case


@pytest.mark.parametrize("outcome, text, adopted", [
    ("adopted", "", True),
    ("decided_by_chair", "Styringsgruppa vedtek avtalen.", True),
    ("decided_by_chair", "Utkastet blir ikkje vedteke; nytt utkast til neste møte.", False),
    ("awaiting_chair", "", False),
])
async def test_only_an_adopting_outcome_adopts_the_draft(any_db, outcome, text, adopted):
    async with any_db.session() as session:
        dv, version, _case = await _adopted_case(session, outcome=outcome, text=text)
        done = await lifecycle.settle_adoptions(session, dv, now=NOW)
        assert bool(done) is adopted and version.status == ("adopted" if adopted else "draft")


async def test_reminders_go_to_those_without_a_decision_and_the_job_switches_the_version(bot):
    capabilities.load()
    bot.services.now = lambda: NOW
    async with bot.db.session() as session:
        dv, version, _case = await _adopted_case(session, outcome="adopted")
        await lifecycle.settle_adoptions(session, dv, now=NOW)
        alver = await session.scalar(select(Municipality).where(Municipality.number == "4631"))
        session.add(Accession(network_id=dv.id, version_id=version.id, municipality_id=alver.id, status="joined",
                              body="Kommunestyret", meeting_date=date(2026, 12, 10), case_number="88/26"))
        version_id = version.id
    async with bot.db.session() as session:
        kinds = {(j.kind, j.key): j for j in (await session.scalars(select(Job))).all()}
    switch = kinds[("agreement.switch", f"agreement:{version_id}:switch")]
    assert switch.run_at == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)  # midnight in Oslo
    remind = kinds[("agreement.accession_reminder", f"agreement:{version_id}:remind:14")]
    assert remind.run_at == switch.run_at - timedelta(days=14)

    replies = await jobs.HANDLERS["agreement.accession_reminder"](bot.services, remind.payload)
    async with bot.db.session() as session:
        reminded = {(await session.get(Person, r.to_person)).key for r in replies}
    assert "dv-direktor-askoy" in reminded and "dv-direktor-alver" not in reminded  # Alver has joined
    assert all("Samarbeidsavtale 2027 gjeld frå fredag 1. januar 2027" in r.text for r in replies)

    bot.services.now = lambda: datetime(2027, 1, 1, 0, 1, tzinfo=UTC).astimezone(UTC)
    await jobs.HANDLERS["agreement.switch"](bot.services, switch.payload)
    async with bot.db.session() as session:
        assert (await session.get(AgreementVersion, version_id)).status == "in_force"
    text = await bot.say_text(DV_DIRECTOR, "Har Alver tiltredd den nye avtalen?")
    assert "Alver tiltredde Samarbeidsavtale 2027 i Kommunestyret torsdag 10. desember 2026 (sak 88/26)" in text


async def test_the_changes_of_the_draft_as_a_card(bot):
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        await import_draft(session, dv, document.parse_file(DRAFT), version_key="utkast-2027",
                           label="Samarbeidsavtale 2027", actor="test")
    replies = await bot.say(DV_DIRECTOR, "endringar i avtalen")
    text = message_text(replies[0])
    assert "Endringar i Samarbeidsavtale 2027" in text and "Samanlikna med Samarbeidsavtale 2020" in text
    assert "Teke ut: 7 Ressursgruppe" in text and "Lagt til: 11 Tiltreding" in text
    assert "~~kvartalsvis~~ **minst fire gonger i året**" in text
    answer = await bot.say_text(DV_DIRECTOR, "Kva er endra i den nye avtalen?")
    assert "Samarbeidsavtale 2027 samanlikna med Samarbeidsavtale 2020" in answer, answer
    assert "teke ut (7 Ressursgruppe" in answer and "11 Tiltreding" in answer


def test_exports_and_switch_from_the_command_line(tmp_path, monkeypatch, capsys):
    import docx
    from openpyxl import load_workbook

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert main(["agreement", "accessions", "--network", "digitale-akershus", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["counts"]["joined"] == 1 and status["rows"][0]["municipality"]
    out = tmp_path / "tiltreding.xlsx"
    assert main(["agreement", "accessions", "--network", "digitale-akershus", "--out", str(out)]) == 0
    rows = list(load_workbook(io.BytesIO(out.read_bytes())).active.iter_rows(values_only=True))
    assert ("Bærum", "Tiltrer", "Formannskapet", "2019-06-18", "165/19") in [r[:5] for r in rows]
    out = tmp_path / "tiltreding.docx"
    assert main(["agreement", "accessions", "--network", "digitale-akershus", "--out", str(out)]) == 0
    cells = [c.text for t in docx.Document(str(out)).tables for row in t.rows for c in row.cells]
    assert "165/19" in cells
    assert main(["agreement", "accessions", "--network", "digivestland"]) == 2  # nothing adopted there
    capsys.readouterr()

    # the July 2024 consultation is on the draft `utkast-2025`: once imported, its summary exports
    assert main(["agreement", "import", "--network", "digivestland", "--version", "utkast-2025", str(DRAFT)]) == 0
    out = tmp_path / "oppsummering.docx"
    assert main(["agreement", "summary", "--network", "digivestland", "--out", str(out)]) == 0
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs]
    # the July 2024 answers (illustrative views): 19 with changes, 1 supports, 3 without input
    assert {"Støttar med endringar: 19", "Støttar utkastet: 1", "Ikkje innspel: 3"} <= set(paragraphs), paragraphs
    assert main(["agreement", "summary", "--network", "digivestland", "--out", str(tmp_path / "x.pdf")]) == 2
    assert main(["agreement", "switch", "--network", "digivestland", "--now", "2027-01-01T00:00:00+01:00"]) == 0
    assert "nothing to switch" in capsys.readouterr().out


async def test_the_settle_job_waits_for_the_chair_then_adopts_without_anyone_asking(bot):
    capabilities.load()
    bot.services.now = lambda: NOW
    async with bot.db.session() as session:
        _dv, version, case = await _adopted_case(session, outcome="awaiting_chair")
        link = await session.scalar(select(AgreementCase).where(AgreementCase.case_id == case.id))
        await lifecycle.schedule_settle(session, link, case, at=NOW)
        version_id, case_id = version.id, case.id
    async with bot.db.session() as session:
        job = await session.scalar(select(Job).where(Job.kind == "agreement.settle"))
    await jobs.HANDLERS["agreement.settle"](bot.services, job.payload)
    async with bot.db.session() as session:
        assert (await session.get(AgreementVersion, version_id)).status == "draft"
        again = (await session.scalars(select(Job).where(Job.kind == "agreement.settle"))).all()
        assert len(again) == 2 and max(j.run_at for j in again) == NOW + timedelta(hours=1)  # looks again later
        (await session.get(Case, case_id)).outcome = "decided_by_chair"
        (await session.get(Case, case_id)).outcome_text = "Styringsgruppa vedtek avtalen."
    await jobs.HANDLERS["agreement.settle"](bot.services, job.payload)
    async with bot.db.session() as session:
        assert (await session.get(AgreementVersion, version_id)).status == "adopted"
        assert await session.scalar(select(Job).where(Job.kind == "agreement.switch")) is not None
