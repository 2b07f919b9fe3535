"""A consultation closes itself at its deadline (stored status, audit entry, status cards refreshed),
and an extension before the deadline moves the closing with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.workers.scheduler import Scheduler
from dialogs.consultations import manage
from dialogs.services import Services
from storage.models import AuditEntry, Consultation, Network
from tests.harness import Clock

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=10)


async def _open(db) -> int:
    async with db.session() as session:
        network = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        consultation = await manage.open_consultation(session, network, title="Høyring om vedtekter",
                                                      deadline=DEADLINE, now=NOW, actor="test")
        return consultation.id


async def _status(db, consultation_id: int) -> str:
    async with db.session() as session:
        return (await session.get(Consultation, consultation_id)).status


async def test_the_consultation_closes_at_its_deadline_once(any_db):
    consultation_id = await _open(any_db)
    clock = Clock(DEADLINE - timedelta(minutes=1))
    scheduler = Scheduler(Services(db=any_db, now=clock))
    await scheduler.run_due()
    assert await _status(any_db, consultation_id) == "open"

    clock.now = DEADLINE + timedelta(minutes=1)
    report = await scheduler.run_due()
    assert f"consultation:{consultation_id}:close" in report.done
    assert await _status(any_db, consultation_id) == "closed"
    assert (await scheduler.run_due()).ran == 0
    async with any_db.session() as session:
        entries = (await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "consultation.close", AuditEntry.actor == "system:deadline"))).all()
    assert len(entries) == 1


async def test_an_extension_moves_the_closing_and_closing_by_hand_cancels_it(any_db):
    consultation_id = await _open(any_db)
    clock = Clock(DEADLINE - timedelta(days=1))
    scheduler = Scheduler(Services(db=any_db, now=clock))
    async with any_db.session() as session:
        consultation = await session.get(Consultation, consultation_id)
        await manage.change_deadline(session, consultation, DEADLINE + timedelta(days=7), now=clock.now,
                                     actor="test")
    clock.now = DEADLINE + timedelta(hours=1)
    await scheduler.run_due()
    assert await _status(any_db, consultation_id) == "open"  # the old deadline no longer closes it

    async with any_db.session() as session:
        consultation = await session.get(Consultation, consultation_id)
        await manage.close(session, consultation, actor="test")
    clock.now = DEADLINE + timedelta(days=8)
    report = await scheduler.run_due()
    assert f"consultation:{consultation_id}:close" not in report.done
