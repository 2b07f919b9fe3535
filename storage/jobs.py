"""Scheduling durable jobs: a reminder or a deadline, stored so that it survives restarts.

Capabilities call `schedule` in the transaction that creates the thing the job is
about; the scheduler worker (bot/) runs due jobs through the handlers registered
in `dialogs.jobs`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Job


async def schedule(session: AsyncSession, *, kind: str, key: str, run_at: datetime,
                   payload: dict[str, Any] | None = None, network_id: int | None = None) -> Job:
    """Create the job `key`, or move a still pending one to the new time (a deadline extended)."""
    job = await session.scalar(select(Job).where(Job.key == key))
    if job is None:
        job = Job(kind=kind, key=key, run_at=run_at, payload=payload or {}, network_id=network_id)
        session.add(job)
    elif job.status in ("pending", "cancelled"):
        job.run_at, job.payload, job.status = run_at, payload or job.payload, "pending"
    elif job.status in ("done", "failed") and run_at > (job.finished_at or run_at):
        # a deadline moved past a reminder that already ran: remind again at the new time
        job.run_at, job.payload, job.status, job.attempts = run_at, payload or job.payload, "pending", 0
    await session.flush()
    return job


async def cancel(session: AsyncSession, *, key_prefix: str) -> int:
    """Cancel the pending jobs whose key starts with `key_prefix` (a case closed early)."""
    result = await session.execute(
        update(Job).where(Job.key.startswith(key_prefix, autoescape=True), Job.status == "pending")
        .values(status="cancelled"))
    return result.rowcount or 0
