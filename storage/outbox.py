"""The outbox: queue a proactive message for one recipient; the delivery worker sends it.

Queuing happens in the caller's transaction, so a message exists exactly when the
change that caused it was committed (a vote, a notice, a reminder job).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, utcnow


async def enqueue(session: AsyncSession, *, payload: dict[str, Any], person_id: int | None = None,
                  conversation_id: str | None = None, network_id: int | None = None, batch: str = "",
                  dedupe_key: str | None = None, not_before: datetime | None = None,
                  track: tuple[str, str] | None = None, language: str = "nb",
                  update_activity_id: str | None = None) -> OutboxMessage | None:
    """Queue one message for a person (their personal chat) or a stored conversation.

    Returns None when a message with the same `dedupe_key` was queued before: a
    reminder job that runs again, or a double click, never sends twice.
    """
    if person_id is None and conversation_id is None:
        raise ValueError("a message needs a person or a conversation")
    if dedupe_key is not None:
        existing = await session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return None
    row = OutboxMessage(
        network_id=network_id, batch=batch, dedupe_key=dedupe_key, person_id=person_id,
        conversation_id=conversation_id, payload=payload, update_activity_id=update_activity_id,
        track_kind=track[0] if track else "", track_subject=track[1] if track else "",
        language=language, not_before=not_before or utcnow())
    session.add(row)
    await session.flush()
    return row


async def posted(session: AsyncSession, batch: str) -> list[tuple[int, str]]:
    """(person id, activity id) of every message of `batch` that reached a personal chat: to edit in place."""
    return [(person_id, activity_id) for person_id, activity_id in (await session.execute(
        select(OutboxMessage.person_id, OutboxMessage.activity_id).where(
            OutboxMessage.batch == batch, OutboxMessage.status == "sent", OutboxMessage.activity_id != "",
            OutboxMessage.person_id.is_not(None), OutboxMessage.update_activity_id.is_(None))
        .order_by(OutboxMessage.id))).all()]
