"""Routes one incoming message or card submit to the capability that handles it.

The router owns the conversation-wide rules: length caps, the help and
language commands, unknown users, and the fallback. Capabilities register
text handlers (tried in order for free text) and card actions (by name); the list of
capabilities is dialogs.capabilities.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from cards.base import SAY
from dialogs import onboarding, ratelimit
from dialogs.i18n import t
from dialogs.services import Services
from dialogs.turn import Incoming, Refresh, Reply
from dialogs.viewer import Viewer, resolve_viewer
from storage import conversations
from storage.models import PostedCard

TextHandler = Callable[[AsyncSession, Services, Viewer, str], Awaitable[list[Reply | Refresh] | None]]
CardAction = Callable[[AsyncSession, Services, Viewer, dict], Awaitable[list[Reply | Refresh]]]

TEXT_HANDLERS: list[tuple[int, TextHandler]] = []
CARD_ACTIONS: dict[str, CardAction] = {}
# kind → renders the current card for one posted copy (None: the card is no longer kept current)
CardRenderer = Callable[[AsyncSession, Services, PostedCard], Awaitable[dict | None]]
CARD_RENDERERS: dict[str, CardRenderer] = {}

_HELP = {"hjelp", "help", "?", "meny", "menu", "hjelp meg", "kva kan du", "hva kan du", "what can you do"}
_GREETING = {"hei", "hallo", "hello", "hi", "heisann", "god morgon", "god morgen", "start", "velkomen",
             "velkommen", "welcome"}
_LANGUAGE = re.compile(r"^(?:språk|sprak|spraak|language|lang)\b\s*(.*)$", re.IGNORECASE)


def text_handler(priority: int = 50) -> Callable[[TextHandler], TextHandler]:
    """Register a handler for free text. Lower priority runs first; Q&A (the catch-all) uses 90.
    A handler returns None when the text is not for it."""
    def register(func: TextHandler) -> TextHandler:
        TEXT_HANDLERS.append((priority, func))
        TEXT_HANDLERS.sort(key=lambda item: item[0])
        return func
    return register


def card_action(name: str) -> Callable[[CardAction], CardAction]:
    def register(func: CardAction) -> CardAction:
        CARD_ACTIONS[name] = func
        return func
    return register


def card_renderer(kind: str) -> Callable[[CardRenderer], CardRenderer]:
    def register(func: CardRenderer) -> CardRenderer:
        CARD_RENDERERS[kind] = func
        return func
    return register


async def render_posted(services: Services, kind: str, subject: str) -> list[tuple[PostedCard, dict]]:
    """The fresh card for every active posted copy of (kind, subject)."""
    renderer = CARD_RENDERERS.get(kind)
    if renderer is None:
        return []
    out = []
    async with services.db.session() as session:
        posted = await conversations.active_copies(session, kind, subject)
        for copy in posted:
            card = await renderer(session, services, copy)
            if card is None:
                copy.active = False
            else:
                out.append((copy, card))
    return out


async def remember_posted(services: Services, *, kind: str, subject: str, conversation_id: str, activity_id: str,
                          viewer: Viewer | None, language: str) -> None:
    async with services.db.session() as session:
        await conversations.remember_copy(
            session, kind=kind, subject=subject, conversation_id=conversation_id, activity_id=activity_id,
            language=language, person_id=viewer.person.id if viewer and viewer.person else None,
            network_id=viewer.network.id if viewer and viewer.network else None)


def normalise_command(text: str) -> str:
    return re.sub(r"[\s!.]+$", "", re.sub(r"\s+", " ", text.strip().lower()))


@dataclass
class Routed:
    viewer: Viewer
    replies: list[Reply | Refresh]


class Redelivered(Exception):
    """The activity (`Incoming.once_key`) was handled before: nothing was done this time."""


async def handle(services: Services, incoming: Incoming) -> Routed:
    async with services.db.session() as session:
        if incoming.once_key and not await conversations.first_delivery(session, incoming.once_key):
            raise Redelivered(incoming.once_key)
        viewer = await resolve_viewer(session, incoming.sender, locale=incoming.locale,
                                      default_network=services.default_network)
        replies = await _route(session, services, viewer, incoming)
    return Routed(viewer=viewer, replies=replies)


async def _route(session: AsyncSession, services: Services, viewer: Viewer, incoming: Incoming) -> list[Reply]:
    value = incoming.value or {}
    action = value.get("action") if isinstance(value, dict) else None
    if action:
        handler = CARD_ACTIONS.get(str(action))
        if handler is None:
            return [Reply(text=t("core.card_unknown", viewer.lang))]
        if limited := ratelimit.check(services, viewer, str(action)):
            return limited
        return await handler(session, services, viewer, value)
    return await _route_text(session, services, viewer, incoming.text.strip())


async def _route_text(session: AsyncSession, services: Services, viewer: Viewer, text: str) -> list[Reply]:
    if len(text) > services.max_text_length:
        return [Reply(text=t("core.too_long", viewer.lang, length=len(text), limit=services.max_text_length))]
    command = normalise_command(text)
    if not command:
        return [Reply(text=t("core.empty", viewer.lang))]
    if command in _HELP:
        return [await onboarding.help_reply(session, services, viewer)]
    if match := _LANGUAGE.match(command):
        return [await onboarding.change_language(session, viewer, match.group(1))]
    if command in _GREETING:
        if not viewer.known:
            return [await onboarding.unknown_user(session, viewer)]
        return [onboarding.welcome(viewer)]
    if viewer.network is None:
        return [await onboarding.unknown_user(session, viewer)]
    if limited := ratelimit.check(services, viewer, None):
        return limited
    for _priority, handler in TEXT_HANDLERS:
        replies = await handler(session, services, viewer, text)
        if replies:
            return replies
    shown = text if len(text) <= 80 else text[:77] + "…"
    return [Reply(text=t("core.fallback", viewer.lang, text=shown))]


async def _say(session: AsyncSession, services: Services, viewer: Viewer, data: dict) -> list[Reply]:
    """A button that says something for the user (cards.base.say_button): answered as if they typed it."""
    return await _route_text(session, services, viewer, str(data.get("say") or "").strip())


CARD_ACTIONS[SAY] = _say


async def welcome_on_install(services: Services, incoming: Incoming) -> Routed:
    """The greeting when the app is added to a personal chat, a group chat or a team."""
    async with services.db.session() as session:
        viewer = await resolve_viewer(session, incoming.sender, locale=incoming.locale,
                                      default_network=services.default_network)
        if incoming.conversation_type != "personal":
            replies = [onboarding.welcome(viewer, shared=True)]
        elif viewer.known:
            replies = [onboarding.welcome(viewer)]
        else:
            replies = [onboarding.welcome(viewer), await onboarding.unknown_user(session, viewer)]
    return Routed(viewer=viewer, replies=replies)
