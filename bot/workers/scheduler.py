"""The scheduler worker: runs due jobs (reminders, deadlines) once, however many instances run.

Why it is built like this:
- Claiming is atomic. On PostgreSQL due rows are locked with `FOR UPDATE SKIP LOCKED`, so two
  `serve` instances never pick the same job; on SQLite (one writer at a time) a conditional
  `UPDATE … WHERE status = 'pending'` that must touch exactly one row does the same.
- A job's replies are queued into the outbox in the same transaction that marks it done, and
  that transaction only commits while this instance still holds the claim. A crash before the
  commit leaves the job `running`; after `LEASE` it is reclaimed and run again, and the outbox
  dedupe keys (one per reminder per recipient) keep a second run from sending twice.
- After downtime every overdue job runs at once (catch-up). A job whose payload carries
  `expires_at` (the moment of the thing it reminds of) is skipped once that moment has passed.
- A failing handler is retried with backoff, at most `MAX_ATTEMPTS` times, then marked failed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import select, update

from bot.app_keys import BOT_KEY
from dialogs import capabilities
from dialogs import jobs as job_registry
from dialogs.delivery import queue_refresh, queue_replies
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from storage.models import Job

log = logging.getLogger("samarbeidsbot.scheduler")
MAX_ATTEMPTS = 3
LEASE = timedelta(minutes=5)
BATCH = 20


def _poll_seconds() -> float:
    try:
        return max(0.05, float(os.environ.get("SCHEDULER_POLL_SECONDS", "15")))
    except ValueError:
        return 15.0


class _LostClaim(Exception):
    """Another instance reclaimed the job while it ran: roll back, it will be done there."""


@dataclass
class RunReport:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    queued: int = 0

    @property
    def ran(self) -> int:
        return len(self.done) + len(self.skipped) + len(self.retried) + len(self.failed)


class Scheduler:
    def __init__(self, services: Services, worker_id: str | None = None):
        self.services = services
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    # --- claiming ---------------------------------------------------------------------------

    async def reclaim_stuck(self) -> int:
        """Jobs left `running` by an instance that died: back to pending (or failed when out of tries)."""
        now = self.services.now()
        stale = now - LEASE
        async with self.services.db.session() as session:
            retried = await session.execute(
                update(Job).where(Job.status == "running", Job.claimed_at < stale, Job.attempts < MAX_ATTEMPTS)
                .values(status="pending", claimed_by="", error="reclaimed after a crash"))
            failed = await session.execute(
                update(Job).where(Job.status == "running", Job.claimed_at < stale, Job.attempts >= MAX_ATTEMPTS)
                .values(status="failed", finished_at=now, error="gave up after a crash"))
        return (retried.rowcount or 0) + (failed.rowcount or 0)

    async def claim(self, limit: int = BATCH) -> list[Job]:
        """Mark up to `limit` due jobs as ours; no other instance can claim them."""
        now = self.services.now()
        due = (select(Job.id).where(Job.status == "pending", Job.run_at <= now)
               .order_by(Job.run_at, Job.id).limit(limit))
        async with self.services.db.session() as session:
            if self.services.db.is_sqlite:
                ids = list((await session.scalars(due)).all())
                claimed = []
                for job_id in ids:
                    result = await session.execute(
                        update(Job).where(Job.id == job_id, Job.status == "pending")
                        .values(status="running", claimed_by=self.worker_id, claimed_at=now,
                                attempts=Job.attempts + 1))
                    if result.rowcount == 1:
                        claimed.append(job_id)
            else:
                claimed = list((await session.scalars(due.with_for_update(skip_locked=True))).all())
                if claimed:
                    await session.execute(
                        update(Job).where(Job.id.in_(claimed))
                        .values(status="running", claimed_by=self.worker_id, claimed_at=now,
                                attempts=Job.attempts + 1))
            if not claimed:
                return []
            rows = (await session.scalars(select(Job).where(Job.id.in_(claimed)).order_by(Job.run_at, Job.id)
                                          .execution_options(populate_existing=True))).all()
        return list(rows)

    # --- running ----------------------------------------------------------------------------

    async def run_due(self, limit: int = BATCH) -> RunReport:
        """Reclaim crashed jobs, then claim and run everything due now; returns what happened."""
        report = RunReport()
        await self.reclaim_stuck()
        while True:
            claimed = await self.claim(limit)
            if not claimed:
                return report
            for job in claimed:
                await self._run(job, report)

    async def _run(self, job: Job, report: RunReport) -> None:
        now = self.services.now()
        expires = _aware((job.payload or {}).get("expires_at"))
        handler = job_registry.HANDLERS.get(job.kind)
        try:
            if expires is not None and now >= expires:
                await self._finish(job, "done", error="skipped: its moment has passed")
                report.skipped.append(job.key)
                return
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            replies = await handler(self.services, dict(job.payload or {}))
            queued = await self._finish(job, "done", replies=replies)
        except _LostClaim:
            log.info("job %s was reclaimed by another instance", job.key)
            return
        except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
            await self._failed(job, exc, report)
            return
        report.done.append(job.key)
        report.queued += queued
        for refresh in (r for r in replies if isinstance(r, Refresh)):
            try:
                await queue_refresh(self.services, refresh)
            except Exception as exc:  # noqa: BLE001 - the job is done; a stale card is not worth failing it
                log.warning("refresh after job %s failed: %s", job.key, type(exc).__name__)

    async def _finish(self, job: Job, status: str, *, replies: list[Reply | Refresh] | None = None,
                      error: str = "") -> int:
        """Queue the replies and mark the job, in one transaction that commits only while we hold it."""
        async with self.services.db.session() as session:
            queued = await queue_replies(session, list(replies or []), network_id=job.network_id)
            result = await session.execute(
                update(Job).where(Job.id == job.id, Job.status == "running", Job.claimed_by == self.worker_id)
                .values(status=status, finished_at=self.services.now(), error=error[:300]))
            if result.rowcount != 1:
                raise _LostClaim(job.key)
        return queued

    async def _failed(self, job: Job, exc: Exception, report: RunReport) -> None:
        log.warning("job %s failed (attempt %s): %s: %s", job.key, job.attempts, type(exc).__name__, exc)
        now = self.services.now()
        error = f"{type(exc).__name__}: {exc}"[:300]
        give_up = job.attempts >= MAX_ATTEMPTS
        values = ({"status": "failed", "finished_at": now, "error": error} if give_up else
                  {"status": "pending", "claimed_by": "", "error": error,
                   "run_at": now + timedelta(seconds=30 * 2 ** (job.attempts - 1))})
        async with self.services.db.session() as session:
            await session.execute(update(Job).where(Job.id == job.id, Job.claimed_by == self.worker_id,
                                                    Job.status == "running").values(**values))
        (report.failed if give_up else report.retried).append(job.key)


def _aware(raw: object) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo else None


# --- the worker run by `samarbeidsbot serve` ------------------------------------------------

SYNC_EVERY = timedelta(minutes=10)


async def sync_scheduled(services: Services) -> None:
    """Make sure things that exist without a Teams action (data-loaded open consultations) have jobs."""
    from dialogs.consultations import reminders

    await reminders.sync_open(services)


async def scheduler_worker(app: web.Application) -> None:
    capabilities.load()  # job handlers live beside the dialogs that register them
    services: Services = app[BOT_KEY].services
    scheduler = Scheduler(services)
    interval = _poll_seconds()
    last_sync: datetime | None = None
    log.info("scheduler %s polling every %.2fs", scheduler.worker_id, interval)
    while True:
        try:
            if last_sync is None or services.now() - last_sync >= SYNC_EVERY:
                await sync_scheduled(services)
                last_sync = services.now()
            report = await scheduler.run_due()
            if report.ran:
                log.info("scheduler: %d done, %d skipped, %d to retry, %d failed, %d messages queued",
                         len(report.done), len(report.skipped), len(report.retried), len(report.failed),
                         report.queued)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. the database briefly unreachable: try again later
            log.warning("scheduler round failed: %s: %s", type(exc).__name__, exc)
        await asyncio.sleep(interval)
