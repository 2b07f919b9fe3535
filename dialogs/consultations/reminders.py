"""Reminders before a consultation's deadline, only to municipalities that have not answered.

Why jobs and not a timer: the reminder must survive restarts and run once with several
instances (the scheduler claims it). Why the check at run time, not at scheduling time:
who has answered changes until the last minute; a joint answer through a regional body
counts for every municipality it covers, so their directors are never reminded.
Each reminder's dedupe key names the consultation, the deadline, the day count and the
person, so a rerun (crash, catch-up) never sends twice, while an extended deadline
gets its own reminders.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.consultations import closing, rules, service
from dialogs.consultations.status import latest_responses
from dialogs.consultations.views import answer_form
from dialogs.i18n import format_when, t
from dialogs.jobs import job
from dialogs.language import language_of as proactive_language
from dialogs.services import Services
from dialogs.turn import Refresh, Reply, Sender
from dialogs.viewer import Viewer
from storage import consultations as stored_consultations
from storage import directory, jobs
from storage.models import Consultation, Municipality

KIND = "consultation.reminder"
DEFAULT_DAYS = (7, 1)
# the municipality's leadership, who got the consultation card (not advisers, not regional bodies)
REMIND_ROLES = ("director", "mayor")


def default_days() -> tuple[int, ...]:
    """`CONSULTATION_REMINDER_DAYS=7,1` (days before the deadline) overrides the default."""
    raw = os.environ.get("CONSULTATION_REMINDER_DAYS", "")
    try:
        days = tuple(sorted({int(p) for p in raw.split(",") if p.strip()}, reverse=True))
    except ValueError:
        days = ()
    return tuple(d for d in days if 0 < d <= 60) or DEFAULT_DAYS


def _prefix(consultation: Consultation) -> str:
    return f"consultation:{consultation.id}:reminder:"


async def days_for(session: AsyncSession, consultation: Consultation) -> tuple[int, ...]:
    days = await stored_consultations.reminder_days(session, consultation.id)
    return tuple(days) if days is not None else default_days()


async def set_days(session: AsyncSession, consultation: Consultation, days: list[int], *, now: datetime) -> None:
    """Choose other reminder days for one consultation (an empty list: no reminders)."""
    clean = sorted({int(d) for d in days if 0 < int(d) <= 60}, reverse=True)
    await stored_consultations.set_reminder_days(session, consultation.id, clean)
    await jobs.cancel(session, key_prefix=_prefix(consultation))
    await schedule_for(session, consultation, now=now)


async def schedule_for(session: AsyncSession, consultation: Consultation, *, now: datetime) -> int:
    """(Re)schedule the reminders of an open consultation for its current deadline."""
    if consultation.id is None:
        await session.flush()
    if consultation.status != "open" or consultation.deadline <= now:
        return await cancel_for(session, consultation)
    scheduled = 0
    wanted = await days_for(session, consultation)
    for days in wanted:
        key = f"{_prefix(consultation)}{days}d"
        run_at = consultation.deadline - timedelta(days=days)
        if run_at <= now:  # already inside that window when opened or moved: no late "7 days left"
            await jobs.cancel(session, key_prefix=key)
            continue
        await jobs.schedule(session, kind=KIND, key=key, run_at=run_at, network_id=consultation.network_id,
                            payload={"consultation_id": consultation.id, "days": days,
                                     "deadline": consultation.deadline.isoformat(),
                                     "expires_at": consultation.deadline.isoformat()})
        scheduled += 1
    return scheduled


async def cancel_for(session: AsyncSession, consultation: Consultation) -> int:
    return await jobs.cancel(session, key_prefix=_prefix(consultation))


async def sync_open(services: Services) -> int:
    """Open consultations that came from data or the CLI get their reminders too (idempotent)."""
    now = services.now()
    count = 0
    async with services.db.session() as session:
        for consultation in await stored_consultations.open_before(session, now):
            count += await schedule_for(session, consultation, now=now)
            await closing.schedule_close(session, consultation)
    return count


async def non_responders(session: AsyncSession, consultation: Consultation) -> list[Municipality]:
    latest = await latest_responses(session, consultation)
    members = await directory.members(session, consultation.network_id)
    return [m for m in members if m.id not in latest]


@job(KIND)
async def remind(services: Services, payload: dict[str, Any]) -> list[Reply | Refresh]:
    """The reminder card to each director of a municipality that has not answered yet."""
    now = services.now()
    async with services.db.session() as session:
        consultation = await stored_consultations.by_id(session, int(payload.get("consultation_id") or 0))
        if consultation is None or consultation.status != "open" or consultation.deadline <= now:
            return []
        if payload.get("deadline") and datetime.fromisoformat(payload["deadline"]) != consultation.deadline:
            return []  # the deadline moved; the rescheduled job reminds for the new one
        network = await directory.network(session, consultation.network_id)
        missing = {m.id for m in await non_responders(session, consultation)}
        if not missing or network is None:
            return []
        people = await stored_consultations.people_with_places(session, network_id=network.id,
                                                               municipality_ids=missing)

        replies: list[Reply | Refresh] = []
        for person in people:
            if not set(person.roles or []) & set(REMIND_ROLES):
                continue
            lang = await proactive_language(session, person, network)
            viewer = Viewer(sender=Sender(person.tenant_id or "", person.aad_object_id or ""), lang=lang,
                            person=person, network=network)
            try:
                party = await service.answering_party(session, viewer)
            except rules.Refusal:
                continue
            days_left = max(1, round((consultation.deadline - now) / timedelta(days=1)))
            reply = await answer_form(session, services, viewer, consultation, party)
            reply.text = t("meetings.consultation_reminder_text", lang, title=consultation.title,
                           deadline=format_when(consultation.deadline, lang), days=days_left,
                           municipality=party.label)
            reply.summary = t("meetings.consultation_reminder_summary", lang, title=consultation.title, days=days_left)
            reply.to_person = person.id
            reply.to_conversation = None
            reply.batch = f"consultation:{consultation.id}:reminder:{payload.get('days')}d:{consultation.deadline:%Y%m%d}"
            reply.dedupe_key = (f"consultation:{consultation.id}:reminder:{payload.get('days')}d:"
                                f"{consultation.deadline:%Y%m%dT%H%M}:person:{person.id}")
            reply.track_language = lang
            replies.append(reply)
        return replies
