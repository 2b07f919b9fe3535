"""Conversions between Bot Framework activities and the plain data the dialogs use."""

from __future__ import annotations

import re
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ConversationReference

from dialogs.turn import Incoming, Reply, Sender

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def tenant_of(activity: Activity) -> str:
    channel_data = activity.channel_data or {}
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    if isinstance(tenant, dict) and tenant.get("id"):
        return str(tenant["id"]).lower()
    conversation = activity.conversation
    return str(getattr(conversation, "tenant_id", "") or "").lower()


def conversation_type(activity: Activity) -> str:
    kind = getattr(activity.conversation, "conversation_type", None) or "personal"
    return str(kind)


def strip_mentions(activity: Activity) -> str:
    """The text with any @mention of the bot removed (channel and group-chat messages)."""
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        props = entity.additional_properties if hasattr(entity, "additional_properties") else {}
        if getattr(entity, "type", None) != "mention":
            continue
        props = props if isinstance(props, dict) else {}
        mentioned = props.get("mentioned") if isinstance(props.get("mentioned"), dict) else {}
        mention_text = props.get("text") if isinstance(props.get("text"), str) else ""
        if mention_text and (not bot_id or mentioned.get("id") == bot_id):
            text = text.replace(mention_text, "")
    text = _MENTION.sub("", text)
    return re.sub(r"\s+", " ", text.replace("&nbsp;", " ")).strip()


def sender_of(activity: Activity, *, email: str = "", upn: str = "") -> Sender:
    user = activity.from_property
    return Sender(
        tenant_id=tenant_of(activity),
        aad_object_id=str(getattr(user, "aad_object_id", "") or "").lower(),
        name=str(getattr(user, "name", "") or ""),
        email=email,
        upn=upn,
    )


def once_key(activity: Activity) -> str:
    """The key under which an activity is recorded as handled ("" when it has no id): messages, card
    actions and installs (a conversationUpdate redelivered ten times welcomed ten times)."""
    if activity.type not in ("message", "invoke", "conversationUpdate", "installationUpdate") or not activity.id:
        return ""
    return f"{activity.conversation.id if activity.conversation else ''}|{activity.id}"[:400]


def dialog_records_once(activity: Activity) -> bool:
    """Messages and card actions are recorded by the dialog's own transaction (dialogs/router.py)."""
    return bool(activity.id) and (activity.type == "message" or (
        activity.type == "invoke" and activity.name == "adaptiveCard/action"))


def incoming_of(activity: Activity, sender: Sender) -> Incoming:
    value = activity.value if isinstance(activity.value, dict) else None
    return Incoming(
        sender=sender,
        conversation_id=activity.conversation.id if activity.conversation else "",
        conversation_type=conversation_type(activity),
        text=strip_mentions(activity) if activity.text else "",
        value=value,
        locale=activity.locale,
        activity_id=activity.id or "",
        once_key=once_key(activity) if dialog_records_once(activity) else "",
    )


def to_activity(reply: Reply) -> Activity:
    if reply.card is not None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(reply.card))
        if reply.text:
            activity.text = reply.text
        if reply.summary:
            activity.summary = reply.summary
        return activity
    return MessageFactory.text(reply.text or "")


def reference_dict(turn_context: TurnContext) -> dict[str, Any]:
    ref: ConversationReference = TurnContext.get_conversation_reference(turn_context.activity)
    return ref.serialize()
