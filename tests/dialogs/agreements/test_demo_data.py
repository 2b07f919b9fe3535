"""The demo accessions from the documents: Bærum's decision (seed 003) and DigiVestland's autumn
processing (seed 000, which municipalities and dates illustrative); a broken file writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from dialogs.agreements.accession import accession_status
from storage.loader import load_path
from storage.models import Accession, Network
from storage.validate import DataError
from tests.harness import DA_DIRECTOR

BUNDLED = Path(__file__).resolve().parents[3] / "data"


async def test_baerums_decision_is_in_the_status_and_answers_questions(bot):
    async with bot.db.session() as session:
        da = await session.scalar(select(Network).where(Network.slug == "digitale-akershus"))
        status = await accession_status(session, da)
    baerum = next(r for r in status.rows if r.municipality == "Bærum")
    assert (baerum.status, baerum.body, str(baerum.meeting_date), baerum.case_number) == (
        "joined", "Formannskapet", "2019-06-18", "165/19")
    assert "kr 3" in baerum.funding and not baerum.illustrative
    assert status.counts["joined"] == 1 and status.counts["not_yet"] == len(status.rows) - 1

    answer = await bot.say_text(DA_DIRECTOR, "Har Bærum tiltrådt den nye avtalen?")
    assert "165/19" in answer, answer


async def test_the_autumn_processing_in_digivestland_is_planned_and_illustrative(db):
    async with db.session() as session:
        rows = (await session.scalars(select(Accession).join(Network).where(Network.slug == "digivestland"))).all()
    assert sorted(str(r.planned_date) for r in rows) == ["2024-10-17", "2024-10-24", "2024-11-07"]
    assert all(r.status == "planned" and r.illustrative and r.source == "data" for r in rows)


async def test_reloading_changes_nothing_and_a_broken_file_writes_nothing(empty_db, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BUNDLED, data)
    first = await load_path(empty_db, data)
    assert first.created["accessions"] == 4
    again = await load_path(empty_db, data)
    assert "accessions" not in again.created and "accessions" not in again.updated and not again.deleted
    broken = data / "accessions" / "digitale-akershus.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("'3201'", "'9999'"), encoding="utf-8")
    with pytest.raises(DataError, match="unknown municipality '9999'"):
        await load_path(empty_db, data)
