"""The bot on a loopback port, talking to a loopback Bot Connector: HTTP end to end.

`say()` posts a Teams activity exactly as the Bot Connector would and returns
the messages the bot sent back (the POST returns when the turn is done, so no
waiting is needed for in-turn replies).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.cli.main import main as cli_main
from bot.config import load_settings
from bot.standins.connector import FakeConnector, Member
from storage.db import Database

TENANT = "4d6f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
BOT_ID = "28:samarbeidsbot-test"


@dataclass(frozen=True)
class TeamsUser:
    key: str
    name: str
    aad: str
    email: str = ""
    tenant: str = TENANT

    @property
    def teams_id(self) -> str:
        return f"29:{self.key}"

    @property
    def personal_conversation(self) -> str:
        return f"a:personal-{self.key}"


# Demo people from data/ with fixed identities (see the people sections of the data files).
DV_DIRECTOR = TeamsUser("dv-direktor-alver", "Alver director", "00000000-0000-0000-0000-000000000001")
DV_SECRETARIAT = TeamsUser("dv-sekretariat-1", "DV secretariat", "00000000-0000-0000-0000-000000000002")
DV_CHAIR = TeamsUser("dv-leiar", "DV chair", "00000000-0000-0000-0000-000000000003")
DV_OBSERVER = TeamsUser("dv-observator-ks", "KS observer", "00000000-0000-0000-0000-000000000004")
DA_DIRECTOR = TeamsUser("da-direktor-baerum", "Bærum director", "00000000-0000-0000-0000-000000000011")
DIT_DIRECTOR = TeamsUser("dit-direktor-sigdal", "Sigdal director", "00000000-0000-0000-0000-000000000021")
STRANGER = TeamsUser("stranger", "Ola Utanfor", "99999999-0000-0000-0000-000000000099", "ola@example.org")
# A user in a tenant that no network claims.
OUTSIDER = TeamsUser("outsider", "Kari Andre", "88888888-0000-0000-0000-000000000088", "kari@example.com",
                     tenant="bbbbbbbb-0000-0000-0000-00000000000b")


def card_texts(node: Any) -> list[str]:
    """Every human-readable string in a card (text, titles, fact values), in order."""
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "title", "value", "label", "placeholder") and isinstance(value, str):
                out.append(value.replace("\u00a0", " "))  # a no-break space reads as a space
            elif key not in ("data", "msteams"):
                out.extend(card_texts(value))
    elif isinstance(node, list):
        for item in node:
            out.extend(card_texts(item))
    return out


def message_text(activity: dict[str, Any]) -> str:
    """The text of a message and of every card in it, joined: what a person sees."""
    parts = [activity.get("text") or ""]
    for attachment in activity.get("attachments") or []:
        parts.extend(card_texts(attachment.get("content") or {}))
    return "\n".join(p for p in parts if p)


class BotHarness:
    def __init__(self, db: Database, **settings: Any):
        self.db = db
        self.settings = load_settings(**settings)
        self.connector = FakeConnector(enforce_limits=False)
        self.server: TestServer | None = None
        self.http: ClientSession | None = None
        self._ids = itertools.count(1)

    async def start(self) -> None:
        await self.connector.start()
        self.app = create_app(self.settings, self.db)
        self.server = TestServer(self.app, host="127.0.0.1")
        await self.server.start_server()
        self.http = ClientSession()

    async def stop(self) -> None:
        if self.http:
            await self.http.close()
        if self.server:
            await self.server.close()
        await self.connector.stop()

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/messages"))

    def activity(self, user: TeamsUser, *, type: str = "message", text: str | None = None,
                 conversation_type: str = "personal", conversation_id: str | None = None,
                 locale: str = "nn-NO", **extra: Any) -> dict[str, Any]:
        conversation = conversation_id or user.personal_conversation
        body: dict[str, Any] = {
            "type": type, "id": f"act-{next(self._ids)}-{uuid.uuid4().hex[:6]}",
            "timestamp": "2026-11-23T09:00:00.000Z", "channelId": "msteams",
            "serviceUrl": self.connector.url, "locale": locale,
            "from": {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad},
            "recipient": {"id": BOT_ID, "name": "Samarbeidsbot"},
            "conversation": {"id": conversation, "conversationType": conversation_type, "tenantId": user.tenant},
            "channelData": {"tenant": {"id": user.tenant}},
        }
        if text is not None:
            body["text"] = text
        body.update(extra)
        return body

    async def post(self, body: Any, *, headers: dict[str, str] | None = None, raw: bytes | None = None):
        assert self.http is not None
        data = raw if raw is not None else json.dumps(body).encode()
        return await self.http.post(self.url, data=data,
                                    headers={"Content-Type": "application/json", **(headers or {})})

    async def send(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Post one activity; return the messages the bot sent in reply to it."""
        conversation = body["conversation"]["id"]
        before = len(self.connector.messages(conversation))
        response = await self.post(body)
        assert response.status in (200, 201), f"HTTP {response.status}: {await response.text()}"
        return self.connector.messages(conversation)[before:]

    async def say(self, user: TeamsUser, text: str, **kwargs: Any) -> list[dict[str, Any]]:
        return await self.send(self.activity(user, text=text, **kwargs))

    async def say_text(self, user: TeamsUser, text: str, **kwargs: Any) -> str:
        return "\n".join(message_text(m) for m in await self.say(user, text, **kwargs))

    async def install(self, user: TeamsUser, **kwargs: Any) -> list[dict[str, Any]]:
        body = self.activity(user, type="conversationUpdate",
                             membersAdded=[{"id": BOT_ID}], **kwargs)
        return await self.send(body)

    @property
    def services(self):
        """The dialogs' services (database, clock): tests set `services.now` to control time."""
        from bot.app_keys import BOT_KEY

        return self.app[BOT_KEY].services

    async def submit(self, user: TeamsUser, data: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
        """Press an Action.Submit button on a card: a message activity with `value` and no text."""
        return await self.send(self.activity(user, value=data, **kwargs))

    async def execute(self, user: TeamsUser, verb: str, data: dict[str, Any] | None = None,
                      **kwargs: Any) -> dict[str, Any]:
        """Press an Action.Execute button (or a card refresh): an `adaptiveCard/action` invoke.

        Returns the invoke response body: {"statusCode", "type", "value"} where value is the
        card that replaces the pressed one, or a message text.
        """
        body = self.activity(user, type="invoke", name="adaptiveCard/action",
                             value={"action": {"type": "Action.Execute", "verb": verb, "data": data or {}},
                                    "trigger": "manual"}, **kwargs)
        response = await self.post(body)
        assert response.status == 200, f"HTTP {response.status}: {await response.text()}"
        return await response.json()

    async def drain(self, timeout: float = 15.0) -> None:
        """Wait until the bot's background work (card updates, messages to others) is done and the
        outbox has nothing due: every queued message has been sent or given up."""
        import asyncio

        from bot.app_keys import BOT_KEY
        from bot.delivery.engine import has_due

        await self.app[BOT_KEY].drain()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            engine = self.app[BOT_KEY].engine
            if engine is not None:
                engine.wake()
            # Idle first, then nothing due: work the engine does while the query runs (a report edit
            # queued and committed) shows as busy before it shows in the database.
            idle = not (engine and engine.busy)
            if idle and not await has_due(self.db) and not (engine and engine.busy):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the outbox still has messages due")
            await asyncio.sleep(0.02)

    def member(self, user: TeamsUser) -> None:
        """Make the user known to the connector's member lookup (GET …/members/{id})."""
        self.connector.add_member(Member(id=user.teams_id, name=user.name, aad_object_id=user.aad,
                                         email=user.email, upn=user.email, tenant_id=user.tenant))


class Clock:
    """A clock the test moves by hand: `Services(now=clock)`, then `clock.now = …`."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


async def play(bot: BotHarness, rows: list[tuple[TeamsUser, Any, list[str], list[str]]]) -> None:
    """Play a dialogue table: rows of (who, sends or presses, must show, must not show), in order.

    "Sends or presses" is the text the user types (a str); or {"press": "<button title>", **inputs}:
    the button with that title on what the user was shown in their previous row, pressed with the
    card's inputs filled in (an Action.Submit posts its data, an Action.Execute invokes its verb);
    any other dict is posted as it is (a submitted card); None only looks at what has reached the
    user since their previous row (a notice, an invitation). What the user sees in a row is every
    message that reaches their personal chat while it runs (background deliveries included; a card
    that refreshes for them shown as Teams shows it, their own view fetched from the bot) and the
    card or text that replaces a pressed Action.Execute card. Each "must show" fragment must be in
    it, no "must not show" fragment may be.
    """
    seen = {user.key: len(bot.connector.messages(user.personal_conversation)) for user, *_ in rows}
    shown: dict[str, list[dict[str, Any]]] = {}

    def buttons(node: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action.") and "title" in node:
                found.append(node)
            for key, value in node.items():
                if key != "refresh":
                    found.extend(buttons(value))
        elif isinstance(node, list):
            for item in node:
                found.extend(buttons(item))
        return found

    for number, (user, step, must_show, must_not_show) in enumerate(rows, 1):
        replaced: list[dict[str, Any]] = []
        if isinstance(step, str):
            await bot.say(user, step)
        elif isinstance(step, dict) and "press" in step:
            inputs = {k: v for k, v in step.items() if k != "press"}
            offered = buttons(shown.get(user.key, []))
            action = next((a for a in offered if a["title"] == step["press"]), None)
            assert action is not None, f"row {number}: no button {step['press']!r} in {[a['title'] for a in offered]}"
            if action["type"] == "Action.Execute":
                body = await bot.execute(user, action["verb"], {**(action.get("data") or {}), **inputs})
                value = body.get("value")
                replaced.append({"attachments": [{"content": value}]} if isinstance(value, dict)
                                else {"text": str(value or "")})
            else:
                data = {k: v for k, v in (action.get("data") or {}).items() if k != "msteams"}
                await bot.submit(user, {**data, **inputs})
        elif isinstance(step, dict):
            await bot.submit(user, step)
        await bot.drain()
        messages = bot.connector.messages(user.personal_conversation)
        arrived = []
        for message in messages[seen[user.key]:]:
            card = next((a.get("content") for a in message.get("attachments") or []), None) or {}
            refresh = card.get("refresh") if isinstance(card, dict) else None
            if refresh and user.teams_id in refresh.get("userIds", [user.teams_id]):
                # Teams shows this user their own view: it asks the bot for it (Universal Actions)
                action = refresh["action"]
                body = await bot.execute(user, action["verb"], action.get("data") or {})
                if isinstance(body.get("value"), dict):
                    message = {"attachments": [{"content": body["value"]}]}
            arrived.append(message)
        shown[user.key] = arrived + replaced
        seen[user.key] = len(messages)
        text = "\n".join(message_text(m) for m in shown[user.key])
        for fragment in must_show:
            assert fragment in text, f"row {number} ({user.key}, {step!r}): {fragment!r} not shown in {text!r}"
        for fragment in must_not_show:
            assert fragment not in text, f"row {number} ({user.key}, {step!r}): {fragment!r} shown in {text!r}"


def run_cli(monkeypatch, url: str, *argv: str) -> tuple[int, str, str]:
    """`samarbeidsbot ARGV…` against the database at `url`, in this process: (exit code, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", url)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(list(argv))
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def texts(messages) -> str:
    """What the messages say (each as `message_text` reads it), one message a line."""
    return "\n".join(message_text(m) for m in messages)


def card_data(messages, action: str) -> dict:
    """The data of the first card button with this action in the messages."""
    for message in messages:
        for attachment in message.get("attachments") or []:
            for button in (attachment.get("content") or {}).get("actions") or []:
                if (button.get("data") or {}).get("action") == action:
                    return dict(button["data"])
    raise AssertionError(f"no {action} button")


def actions_in(node: Any, kind: str = "Action.", *, behind_refresh: bool = True) -> list[dict[str, Any]]:
    """Every button of this kind ("Action.Submit", "Action.Execute"; "Action." for all) in a card, nested
    action sets included; `behind_refresh=False` leaves out the card's refresh action (not a button)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith(kind):
            found.append(node)
        for key, value in node.items():
            if behind_refresh or key != "refresh":
                found += actions_in(value, kind, behind_refresh=behind_refresh)
    elif isinstance(node, list):
        for item in node:
            found += actions_in(item, kind, behind_refresh=behind_refresh)
    return found


def submits(node: Any) -> list[dict[str, Any]]:
    """Every Action.Submit in a card, nested action sets included."""
    return actions_in(node, "Action.Submit")


def buttons(messages: list[dict]) -> list[dict[str, Any]]:
    """Every Action.Submit button on the cards of these messages."""
    return [b for m in messages for a in m.get("attachments") or [] for b in submits(a.get("content"))]


def card_actions(message: dict) -> list[dict]:
    """The buttons at the foot of a message's (first) card."""
    return message["attachments"][0]["content"].get("actions", [])
