"""Conversation references: what proactive delivery needs, captured at install or first message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationRef, PostedCard, ProcessedActivity, utcnow


async def remember(session: AsyncSession, *, conversation_id: str, conversation_type: str, tenant_id: str,
                   aad_object_id: str | None, service_url: str, channel_id: str, bot_id: str,
                   reference: dict[str, Any], person_id: int | None, network_id: int | None,
                   app_id: str = "") -> ConversationRef:
    row = await session.scalar(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id))
    values = dict(conversation_type=conversation_type, tenant_id=tenant_id, service_url=service_url,
                  channel_id=channel_id, bot_id=bot_id, reference=reference, active=True)
    if app_id:  # the bot registration it came in on: answers go out with that registration's credential
        values["app_id"] = app_id
    if conversation_type == "personal":
        values["aad_object_id"] = aad_object_id
        if person_id is not None:
            values["person_id"] = person_id
    if network_id is not None:
        values["network_id"] = network_id
    if row is None:
        row = ConversationRef(conversation_id=conversation_id, **values)
        session.add(row)
    else:
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        for key, value in changed.items():
            setattr(row, key, value)
        if changed:
            row.updated_at = utcnow()
    await session.flush()
    return row


async def forget(session: AsyncSession, conversation_id: str) -> bool:
    """The bot was removed from this conversation: stop sending there, keep the history."""
    row = await session.scalar(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id))
    if row is None or not row.active:
        return False
    row.active = False
    return True


async def first_delivery(session: AsyncSession, activity_key: str) -> bool:
    """Record that an activity is being handled; False when it was recorded before (also by a turn
    running at the same moment: PostgreSQL's ON CONFLICT waits for it). Part of the caller's
    transaction, so a turn that fails records nothing and is done again on redelivery."""
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    result = await session.execute(insert(ProcessedActivity).values(activity_key=activity_key[:400])
                                   .on_conflict_do_nothing(index_elements=["activity_key"]))
    return result.rowcount == 1


async def personal_conversations(session: AsyncSession, person_ids: list[int]) -> dict[int, ConversationRef]:
    """The newest active personal chat of each of these people with the bot (absent: not installed)."""
    if not person_ids:
        return {}
    refs = (await session.scalars(select(ConversationRef).where(
        ConversationRef.person_id.in_(person_ids), ConversationRef.conversation_type == "personal",
        ConversationRef.active.is_(True)).order_by(ConversationRef.updated_at))).all()
    return {ref.person_id: ref for ref in refs if ref.person_id is not None}


async def active_copies(session: AsyncSession, kind: str, subject: str) -> list[PostedCard]:
    """Every copy of a card (kind, subject) still shown somewhere in Teams, to refresh."""
    return list((await session.scalars(select(PostedCard).where(
        PostedCard.kind == kind, PostedCard.subject == subject, PostedCard.active.is_(True)))).all())


async def remember_copy(session: AsyncSession, *, kind: str, subject: str, conversation_id: str, activity_id: str,
                        language: str, person_id: int | None, network_id: int | None) -> None:
    """Note a card posted in a conversation (once per activity), so it can be refreshed later."""
    exists = await session.scalar(select(PostedCard).where(
        PostedCard.conversation_id == conversation_id, PostedCard.activity_id == activity_id))
    if exists is None:
        session.add(PostedCard(kind=kind, subject=subject, conversation_id=conversation_id, activity_id=activity_id,
                               language=language, person_id=person_id, network_id=network_id))
