"""The ActivityHandler: turns Teams activities into dialog calls and dialog replies into messages."""

from __future__ import annotations

import asyncio
import logging
import time

from botbuilder.core import ActivityHandler, BotAdapter, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.activities import (
    dialog_records_once,
    incoming_of,
    once_key,
    reference_dict,
    sender_of,
    tenant_of,
    to_activity,
)
from bot.auth.registrations import token_app_id
from bot.delivery.engine import SEND_NOW_GRACE, DeliveryEngine, utcnow
from dialogs import router
from dialogs.i18n import t
from dialogs.services import Services
from dialogs.turn import Refresh, Reply, Sender
from dialogs.viewer import Viewer, find_person, resolve_viewer
from storage import conversations
from storage.models import AuditEntry

log = logging.getLogger("samarbeidsbot.bot")
_LOOKUP_RETRY_SECONDS = 300
_REMEMBER_SECONDS = 300


class SamarbeidsBot(ActivityHandler):
    def __init__(self, services: Services):
        self.services = services
        self.engine: DeliveryEngine | None = None  # set by the delivery worker while it runs (bot.workers)
        self._background: set[asyncio.Task] = set()
        self._linked: set[tuple[str, str]] = set()
        self._lookup_failed: dict[tuple[str, str], float] = {}
        self._remembered: dict[str, tuple[tuple, float]] = {}

    # --- entry ---------------------------------------------------------------------------

    async def on_turn(self, turn_context: TurnContext) -> None:
        if dialog_records_once(turn_context.activity):
            # messages and card actions: recorded in the dialog's own transaction (router.handle)
            try:
                await super().on_turn(turn_context)
            except router.Redelivered:
                await self._duplicate(turn_context)
            return
        if not await self._first_delivery(turn_context):
            await self._duplicate(turn_context)
            return
        await super().on_turn(turn_context)

    async def _duplicate(self, turn_context: TurnContext) -> None:
        log.info("duplicate activity %s ignored", turn_context.activity.id)
        if turn_context.activity.type == ActivityTypes.invoke:
            await self._answer_duplicate_invoke(turn_context)

    async def _answer_duplicate_invoke(self, turn_context: TurnContext) -> None:
        """Teams waits for an answer to every invoke; a redelivered one gets a plain "already received"
        instead of HTTP 501, and nothing is done twice."""
        try:
            async with self.services.db.session() as session:
                viewer = await resolve_viewer(session, sender_of(turn_context.activity),
                                              locale=turn_context.activity.locale,
                                              default_network=self.services.default_network)
            lang = viewer.lang
        except Exception:  # noqa: BLE001 - the language is a nicety here
            lang = "nb"
        body = {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                "value": t("core.already_received", lang)}
        await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                                  value=InvokeResponse(status=200, body=body)))

    async def _first_delivery(self, turn_context: TurnContext) -> bool:
        """Record the ids of other invokes so that a redelivered one is handled once."""
        key = once_key(turn_context.activity)
        if not key:
            return True
        async with self.services.db.session() as session:
            return await conversations.first_delivery(session, key)

    # --- identity --------------------------------------------------------------------------

    async def sender(self, turn_context: TurnContext) -> Sender:
        """The sender; on first contact, ask Teams for their e-mail/UPN so we can link them."""
        activity = turn_context.activity
        plain = sender_of(activity)
        ident = (plain.tenant_id, plain.aad_object_id)
        if not plain.aad_object_id or ident in self._linked:
            return plain
        async with self.services.db.session() as session:
            if await find_person(session, plain) is not None:
                self._linked.add(ident)
                return plain
        if time.monotonic() - self._lookup_failed.get(ident, -1e9) < _LOOKUP_RETRY_SECONDS:
            return plain
        try:
            member = await TeamsInfo.get_member(turn_context, activity.from_property.id)
        except Exception as exc:  # noqa: BLE001 - lookup is best effort; an unknown user is still served
            log.info("member lookup failed: %s", type(exc).__name__)
            self._lookup_failed[ident] = time.monotonic()
            return plain
        self._lookup_failed.pop(ident, None)
        return sender_of(activity, email=(getattr(member, "email", "") or "").lower(),
                         upn=(getattr(member, "user_principal_name", "") or "").lower())

    async def remember(self, turn_context: TurnContext, viewer_person_id: int | None,
                       network_id: int | None) -> None:
        activity = turn_context.activity
        values = dict(
            conversation_type=getattr(activity.conversation, "conversation_type", None) or "personal",
            tenant_id=tenant_of(activity),
            aad_object_id=str(getattr(activity.from_property, "aad_object_id", "") or "").lower() or None,
            service_url=activity.service_url or "", channel_id=activity.channel_id or "msteams",
            bot_id=activity.recipient.id if activity.recipient else "",
            app_id=token_app_id(turn_context.turn_state.get(BotAdapter.BOT_IDENTITY_KEY)),  # its registration
            person_id=viewer_person_id, network_id=network_id)
        # The same conversation, unchanged, written moments ago: skip the write (one transaction per turn
        # saved). Entries expire so that a reference another instance marked inactive is revived soon.
        fingerprint = tuple(sorted((k, str(v)) for k, v in values.items()))
        seen = self._remembered.get(activity.conversation.id)
        if seen is not None and seen[0] == fingerprint and time.monotonic() - seen[1] < _REMEMBER_SECONDS:
            return
        async with self.services.db.session() as session:
            await conversations.remember(session, conversation_id=activity.conversation.id,
                                         reference=reference_dict(turn_context), **values)
        self._remembered[activity.conversation.id] = (fingerprint, time.monotonic())
        if len(self._remembered) > 50_000:
            self._remembered.clear()

    # --- messages --------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        sender = await self.sender(turn_context)
        routed = await router.handle(self.services, incoming_of(turn_context.activity, sender))
        if routed.viewer.person is not None:
            self._linked.add((sender.tenant_id, sender.aad_object_id))
        await self._send(turn_context, routed.replies, routed.viewer)
        await self.remember(turn_context, routed.viewer.person.id if routed.viewer.person else None,
                            routed.viewer.network.id if routed.viewer.network else None)

    async def _send(self, turn_context: TurnContext, replies: list[Reply | Refresh],
                    viewer: Viewer | None = None) -> None:
        for reply in replies:
            if isinstance(reply, Refresh):
                self._in_background(self._refresh(reply))
            elif reply.to_person is not None or (
                    reply.to_conversation and reply.to_conversation != turn_context.activity.conversation.id):
                await self._send_elsewhere(reply, viewer)
            else:
                response = await turn_context.send_activity(to_activity(reply))
                if reply.track and response is not None and response.id:
                    await router.remember_posted(
                        self.services, kind=reply.track[0], subject=reply.track[1],
                        conversation_id=turn_context.activity.conversation.id, activity_id=response.id,
                        viewer=viewer, language=viewer.lang if viewer else "nb")
                    engine = self.engine
                    if engine is not None:  # a report whose deliveries already finished is brought up to date
                        engine.progress.posted(*reply.track)

    async def _send_elsewhere(self, reply: Reply, viewer: Viewer | None) -> None:
        """Queue a message for another conversation in the durable outbox (bot/delivery/engine.py sends it).

        A short reply to one person is sent at once through the same claim the worker
        uses, so it still arrives during this turn and is never sent twice.
        """
        from dialogs.delivery import payload_of
        from storage import outbox

        async with self.services.db.session() as session:
            row = await outbox.enqueue(
                session, payload=payload_of(reply), person_id=reply.to_person,
                conversation_id=None if reply.to_person is not None else reply.to_conversation,
                network_id=viewer.network.id if viewer and viewer.network else None, batch=reply.batch,
                dedupe_key=reply.dedupe_key, track=reply.track,
                language=reply.track_language or (viewer.lang if viewer and reply.to_person is None else "nb"),
                # sent below within this turn; the worker takes it only if that did not happen
                not_before=utcnow() + SEND_NOW_GRACE)
            ids = [row.id] if row is not None else []
        engine = self.engine
        if engine is not None and ids:
            try:
                await engine.send_now(ids)
            except Exception as exc:  # noqa: BLE001 - the row stays queued; the worker sends it
                log.warning("immediate delivery failed, left to the worker: %s", type(exc).__name__)
                engine.wake()

    async def _refresh(self, refresh: Refresh) -> None:
        """Queue an edit of every posted copy of a tracked card so that everyone sees the current state."""
        from dialogs.delivery import queue_refresh

        if await queue_refresh(self.services, refresh):
            engine = self.engine
            if engine is not None:
                engine.wake()

    def _in_background(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        """Wait for background work (card updates) to finish; used at shutdown and by tests."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    # --- installation and membership -------------------------------------------------------

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if not any(m is not None and m.id == bot_id for m in members_added or []):
            return  # someone else joined a chat the bot is in: nothing to say
        await self._welcome(turn_context)

    async def _welcome(self, turn_context: TurnContext) -> None:
        sender = await self.sender(turn_context)
        routed = await router.welcome_on_install(self.services, incoming_of(turn_context.activity, sender))
        await self.remember(turn_context, routed.viewer.person.id if routed.viewer.person else None,
                            routed.viewer.network.id if routed.viewer.network else None)
        async with self.services.db.session() as session:
            session.add(AuditEntry(actor=sender.actor, action="app.installed",
                                   network_id=routed.viewer.network.id if routed.viewer.network else None,
                                   target=turn_context.activity.conversation.id[:200]))
        await self._send(turn_context, routed.replies, routed.viewer)

    async def on_members_removed_activity(self, members_removed: list[ChannelAccount],
                                          turn_context: TurnContext) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(m is not None and m.id == bot_id for m in members_removed or []):
            await self._removed(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self.remember(turn_context, None, None)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await self._removed(turn_context)

    async def _removed(self, turn_context: TurnContext) -> None:
        conversation_id = turn_context.activity.conversation.id
        self._remembered.pop(conversation_id, None)
        async with self.services.db.session() as session:
            if await conversations.forget(session, conversation_id):
                session.add(AuditEntry(actor=sender_of(turn_context.activity).actor, action="app.removed",
                                       target=conversation_id[:200]))

    # --- card actions (Action.Execute) -----------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        # botbuilder 4.17's on_adaptive_card_invoke serialises the body twice: handle it here.
        if turn_context.activity.name == "adaptiveCard/action":
            return await self._card_action(turn_context)
        return await super().on_invoke_activity(turn_context)

    async def _card_action(self, turn_context: TurnContext) -> InvokeResponse:
        value = turn_context.activity.value if isinstance(turn_context.activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        data = dict(action.get("data") or {}) if isinstance(action.get("data"), dict) else {}
        data.setdefault("action", action.get("verb") or "")
        sender = await self.sender(turn_context)
        incoming = incoming_of(turn_context.activity, sender)
        incoming = type(incoming)(**{**incoming.__dict__, "value": data, "text": ""})
        routed = await router.handle(self.services, incoming)
        here = [r for r in routed.replies
                if isinstance(r, Reply) and not r.to_conversation and r.to_person is None]
        # updates of other copies and messages to other people happen after the invoke is answered
        later = [r for r in routed.replies if r not in here]
        if later:
            self._in_background(self._send(turn_context, later, routed.viewer))
        card = next((r.card for r in here if r.card is not None), None)
        if card is not None:
            body = {"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": card}
        else:
            text = next((r.text for r in here if r.text), t("core.card_unknown", routed.viewer.lang))
            body = {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}
        return InvokeResponse(status=200, body=body)


