"""The scheduler: each due job runs once (also with two schedulers at once), replies land in the
outbox once per recipient, failures are retried a bounded number of times, a crashed run is
reclaimed, and after downtime overdue jobs catch up while expired ones are skipped."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.workers.scheduler import LEASE, MAX_ATTEMPTS, Scheduler
from dialogs.jobs import job
from dialogs.services import Services
from dialogs.turn import Reply
from storage import jobs, outbox
from storage.models import Job, OutboxMessage, Person
from tests.harness import Clock

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CALLS: list[str] = []


@job("test.scheduler.hello")
async def _hello(services: Services, payload: dict) -> list[Reply]:
    CALLS.append(payload["name"])
    await asyncio.sleep(0.01)  # give a competing scheduler the chance to interleave
    return [Reply(text=f"hei {payload['name']}", to_person=pid, dedupe_key=f"hello:{payload['name']}:person:{pid}")
            for pid in payload["people"]]


@job("test.scheduler.broken")
async def _broken(services: Services, payload: dict) -> list[Reply]:
    CALLS.append("broken")
    raise RuntimeError("the handler failed")


async def _people(db, n: int = 3) -> list[int]:
    async with db.session() as session:
        return list((await session.scalars(select(Person.id).order_by(Person.id).limit(n))).all())


async def _add(db, key: str, run_at: datetime, payload: dict, kind: str = "test.scheduler.hello") -> None:
    async with db.session() as session:
        await jobs.schedule(session, kind=kind, key=key, run_at=run_at, payload=payload)


async def _job(db, key: str) -> Job:
    async with db.session() as session:
        return await session.scalar(select(Job).where(Job.key == key))


async def _outbox_count(db) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage))


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()


async def test_due_jobs_run_once_and_queue_one_message_per_recipient(any_db):
    people = await _people(any_db)
    clock = Clock(NOW)
    await _add(any_db, "t:due", NOW - timedelta(minutes=1), {"name": "due", "people": people})
    await _add(any_db, "t:later", NOW + timedelta(hours=1), {"name": "later", "people": people})
    scheduler = Scheduler(Services(db=any_db, now=clock))

    report = await scheduler.run_due()
    assert report.done == ["t:due"] and CALLS == ["due"] and report.queued == 3
    assert (await _job(any_db, "t:due")).status == "done"
    assert (await _job(any_db, "t:later")).status == "pending"
    assert (await scheduler.run_due()).ran == 0  # nothing runs twice

    clock.now = NOW + timedelta(hours=2)
    assert (await scheduler.run_due()).done == ["t:later"]
    assert await _outbox_count(any_db) == 6


async def test_two_schedulers_at_once_run_each_job_once(any_db):
    people = await _people(any_db, 2)
    for i in range(12):
        await _add(any_db, f"t:many:{i}", NOW - timedelta(seconds=i), {"name": f"n{i}", "people": people})
    services = Services(db=any_db, now=Clock(NOW))
    a, b = Scheduler(services, "instance-a"), Scheduler(services, "instance-b")
    ra, rb = await asyncio.gather(a.run_due(limit=3), b.run_due(limit=3))
    assert sorted(CALLS) == sorted(f"n{i}" for i in range(12))  # every job exactly once
    assert len(ra.done) + len(rb.done) == 12
    assert await _outbox_count(any_db) == 24


async def test_a_failing_job_is_retried_with_backoff_then_marked_failed(any_db):
    clock = Clock(NOW)
    await _add(any_db, "t:broken", NOW, {}, kind="test.scheduler.broken")
    scheduler = Scheduler(Services(db=any_db, now=clock))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = await scheduler.run_due()
        row = await _job(any_db, "t:broken")
        assert row.attempts == attempt and "the handler failed" in row.error
        if attempt < MAX_ATTEMPTS:
            assert report.retried == ["t:broken"] and row.status == "pending" and row.run_at > clock.now
            assert (await scheduler.run_due()).ran == 0  # not before the backoff has passed
            clock.now = row.run_at
        else:
            assert report.failed == ["t:broken"] and row.status == "failed"
    assert CALLS == ["broken"] * MAX_ATTEMPTS


async def test_a_job_of_an_unknown_kind_fails_visibly(any_db):
    await _add(any_db, "t:unknown", NOW, {}, kind="test.scheduler.nobody")
    report = await Scheduler(Services(db=any_db, now=Clock(NOW))).run_due()
    assert report.retried == ["t:unknown"]
    assert "no handler" in (await _job(any_db, "t:unknown")).error


async def test_a_job_stuck_after_a_crash_is_reclaimed_and_sends_nothing_twice(any_db):
    people = await _people(any_db, 2)
    await _add(any_db, "t:crashed", NOW - timedelta(hours=1), {"name": "crashed", "people": people})
    async with any_db.session() as session:
        row = await session.scalar(select(Job).where(Job.key == "t:crashed"))
        row.status, row.claimed_by, row.claimed_at, row.attempts = "running", "dead-instance", NOW - LEASE * 2, 1
        # the dead instance had already queued the message for the first person
        await outbox.enqueue(session, payload={"text": "hei crashed"}, person_id=people[0],
                             dedupe_key=f"hello:crashed:person:{people[0]}")
    report = await Scheduler(Services(db=any_db, now=Clock(NOW))).run_due()
    assert report.done == ["t:crashed"]
    assert await _outbox_count(any_db) == 2  # one per person, not three
    row = await _job(any_db, "t:crashed")
    assert row.status == "done" and row.attempts == 2


async def test_a_job_running_within_its_lease_is_left_alone(any_db):
    await _add(any_db, "t:busy", NOW - timedelta(minutes=1), {"name": "busy", "people": []})
    async with any_db.session() as session:
        row = await session.scalar(select(Job).where(Job.key == "t:busy"))
        row.status, row.claimed_by, row.claimed_at = "running", "live-instance", NOW - timedelta(seconds=30)
    assert (await Scheduler(Services(db=any_db, now=Clock(NOW))).run_due()).ran == 0
    assert (await _job(any_db, "t:busy")).status == "running"


async def test_catch_up_after_downtime_runs_overdue_jobs_and_skips_expired_ones(any_db):
    people = await _people(any_db, 1)
    # the bot was down for three days: two reminders became due meanwhile
    await _add(any_db, "t:overdue", NOW - timedelta(days=2),
               {"name": "overdue", "people": people, "expires_at": (NOW + timedelta(days=1)).isoformat()})
    await _add(any_db, "t:expired", NOW - timedelta(days=3),
               {"name": "expired", "people": people, "expires_at": (NOW - timedelta(days=1)).isoformat()})
    report = await Scheduler(Services(db=any_db, now=Clock(NOW))).run_due()
    assert report.done == ["t:overdue"] and report.skipped == ["t:expired"]
    assert CALLS == ["overdue"]
    assert "passed" in (await _job(any_db, "t:expired")).error
