"""Closing a consultation when its deadline passes, so that stored status matches what users see.

Answers are refused after the deadline whatever the stored status says
(`status.is_closed`); this job makes it explicit, audits it and refreshes the
secretariat's status cards so they show "closed" without anyone asking.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.consultations.views import STATUS_CARD
from dialogs.jobs import job
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from storage import consultations as stored_consultations
from storage import jobs
from storage.models import AuditEntry, Consultation

KIND = "consultation.close"


def _key(consultation: Consultation) -> str:
    return f"consultation:{consultation.id}:close"


async def schedule_close(session: AsyncSession, consultation: Consultation) -> None:
    if consultation.status != "open":
        await jobs.cancel(session, key_prefix=_key(consultation))
        return
    await jobs.schedule(session, kind=KIND, key=_key(consultation), run_at=consultation.deadline,
                        network_id=consultation.network_id,
                        payload={"consultation_id": consultation.id, "deadline": consultation.deadline.isoformat()})


@job(KIND)
async def close_at_deadline(services: Services, payload: dict[str, Any]) -> list[Reply | Refresh]:
    now = services.now()
    async with services.db.session() as session:
        consultation = await stored_consultations.by_id(session, int(payload.get("consultation_id") or 0))
        if consultation is None or consultation.status != "open" or consultation.deadline > now:
            return []
        if payload.get("deadline") and datetime.fromisoformat(payload["deadline"]) != consultation.deadline:
            return []  # extended since: the rescheduled job closes it
        consultation.status = "closed"
        session.add(AuditEntry(actor="system:deadline", network_id=consultation.network_id,
                               action="consultation.close", target=consultation.key,
                               details={"reason": "deadline", "deadline": consultation.deadline.isoformat()}))
        subject = f"{consultation.network_id}:{consultation.key}"
    return [Refresh(STATUS_CARD, subject)]
