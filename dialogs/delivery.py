"""Turning dialog replies addressed elsewhere into outbox rows, in the caller's transaction.

Used wherever replies arise outside a user's turn (scheduled jobs) and by the bot
for replies a turn sends to other people. A Refresh becomes one edit per posted
copy of the card.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs import router
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from storage import outbox


def payload_of(reply: Reply) -> dict:
    return {"text": reply.text, "card": reply.card, "summary": reply.summary}


async def queue_replies(session: AsyncSession, replies: list[Reply | Refresh], *,
                        network_id: int | None = None) -> int:
    """Queue the replies that have an addressee; returns how many rows were queued."""
    queued = 0
    for reply in replies:
        if isinstance(reply, Refresh) or (reply.to_person is None and not reply.to_conversation):
            continue
        row = await outbox.enqueue(
            session, payload=payload_of(reply), person_id=reply.to_person,
            conversation_id=None if reply.to_person is not None else reply.to_conversation,
            network_id=network_id, batch=reply.batch, dedupe_key=reply.dedupe_key, track=reply.track,
            language=reply.track_language or "nb")
        queued += row is not None
    return queued


async def queue_refresh(services: Services, refresh: Refresh) -> int:
    """Queue an edit of every posted copy of (kind, subject) with its freshly rendered card."""
    copies = await router.render_posted(services, refresh.kind, refresh.subject)
    async with services.db.session() as session:
        for posted, card in copies:
            await outbox.enqueue(session, payload={"text": None, "card": card, "summary": ""},
                                 conversation_id=posted.conversation_id, network_id=posted.network_id,
                                 batch=f"refresh:{refresh.kind}", update_activity_id=posted.activity_id,
                                 language=posted.language)
    return len(copies)
