"""Helpers for the delivery engine's tests: a stored personal conversation on the loopback connector, and
a message queued in the outbox for it."""

from __future__ import annotations

from bot.standins.connector import FakeConnector
from storage import outbox
from storage.models import ConversationRef
from tests.harness import TENANT

BOT = {"id": "28:samarbeidsbot-test", "name": "Samarbeidsbot"}


async def add_conversation(db, connector: FakeConnector, key: str, *, person_id: int | None = None,
                           active: bool = True) -> str:
    """A personal chat `a:conv-KEY` with the bot (Teams user 29:KEY), as installing the app stores it."""
    conversation_id = f"a:conv-{key}"
    aad = f"aad-{key}"
    async with db.session() as session:
        session.add(ConversationRef(
            conversation_id=conversation_id, conversation_type="personal", tenant_id=TENANT, aad_object_id=aad,
            person_id=person_id, service_url=connector.url, bot_id=BOT["id"], active=active,
            reference={"conversation": {"id": conversation_id, "conversationType": "personal", "tenantId": TENANT},
                       "user": {"id": f"29:{key}", "aadObjectId": aad}, "bot": BOT, "channelId": "msteams",
                       "serviceUrl": connector.url}))
    return conversation_id


async def queue(db, conversation_id: str | None = None, text: str = "Hei", *, person_id: int | None = None,
                batch: str = "test", **kwargs) -> int:
    """Queue a text message in the outbox (for a conversation or a person); returns the outbox row id."""
    async with db.session() as session:
        row = await outbox.enqueue(session, payload={"text": text, "card": None, "summary": ""}, batch=batch,
                                   conversation_id=conversation_id, person_id=person_id, **kwargs)
        return row.id
