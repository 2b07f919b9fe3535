"""Recording that an event's calendar copy in Microsoft Graph must follow a change.

Called by the meetings dialogs in the same transaction as the change itself;
the Graph worker (bot/workers/calendar.py) does the rest. Without Graph configured
the rows simply wait; nothing is sent anywhere.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event, utcnow
from storage.models.graph import CalendarSync

ACTIONS = ("create", "update", "cancel")


async def request_sync(session: AsyncSession, event: Event, action: str) -> CalendarSync | None:
    """Ask for the calendar event of `event` to be created, updated or cancelled.

    Only meetings get calendar events; a cancel of an event never synced needs nothing.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown calendar action {action!r}")
    row = await session.scalar(select(CalendarSync).where(CalendarSync.event_id == event.id).with_for_update())
    if row is None:
        if action == "cancel" or event.kind != "meeting":
            return None
        row = CalendarSync(event_id=event.id, network_id=event.network_id, action=action, state="pending",
                           version=1, synced_version=0, attempts=0, not_before=utcnow(), updated_at=utcnow())
        session.add(row)
        await session.flush()
        return row
    row.action = action
    row.state = "pending" if row.state != "syncing" else "syncing"  # a running sync sees the newer version
    row.version += 1
    row.attempts = 0
    row.error = ""
    row.not_before = utcnow()
    row.updated_at = utcnow()
    await session.flush()
    return row


async def join_url_of(session: AsyncSession, event_id: int) -> str:
    """The Teams join link Graph returned for this event's calendar copy ('' if none, or not synced yet)."""
    return await session.scalar(select(CalendarSync.join_url).where(CalendarSync.event_id == event_id)) or ""
