"""A loopback stand-in for the Bot Connector service (Teams' side of the Bot Framework REST API v3).

It speaks the real protocol (the bot's own botbuilder connector client talks to
it through the activity's serviceUrl) and enforces Teams' limits: per
conversation 7 messages/s, 8/2 s, 60/30 s, 1800/h and about 50 requests/s per
app, answering 429 with Retry-After. Faults can be injected: a share of 429s,
403 MessageWritesBlocked for blocked users, 404 ConversationNotFound for
conversations the bot was removed from. With a `login` stand-in (bot/standins/login.py) it checks
the bot's token on every call as Azure does: 401 without a valid token from a registered app and
its tenant, 403 for a conversation that belongs to another bot registration. Used by tests and
benchmarks only.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_ID = web.RequestKey("app_id", str)  # the app id of the bot token a request came with
WINDOWS_PER_CONVERSATION = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
WINDOW_PER_APP = (1.0, 50)
TICKS_PER_SECOND = 10  # accepted messages are also counted per 100 ms, for a broadcast's steady rate


@dataclass
class Member:
    id: str
    name: str
    aad_object_id: str
    email: str = ""
    upn: str = ""
    tenant_id: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad_object_id, "email": self.email,
                "userPrincipalName": self.upn or self.email, "tenantId": self.tenant_id,
                "givenName": self.name.split(" ")[0], "surname": self.name.split(" ")[-1]}


@dataclass
class Recorded:
    op: str  # send | reply | update | delete | create
    conversation_id: str
    activity: dict[str, Any]
    activity_id: str
    at: float = field(default_factory=time.monotonic)
    app_id: str = ""  # the bot registration whose token came with it (with a login stand-in)


class FakeConnector:
    def __init__(self, *, enforce_limits: bool = True, fault_429: float = 0.0, seed: int | None = None,
                 retry_after: float | None = 1.0, app_rate: int = WINDOW_PER_APP[1], keep_records: bool = True,
                 login: Any = None):
        self.enforce_limits = enforce_limits
        self.fault_429 = fault_429
        self.retry_after = retry_after  # None: answer 429 without a Retry-After header
        self.app_rate = app_rate
        self.keep_records = keep_records  # False (benchmarks): count only, so memory stays flat
        # conversation id → statuses to answer with before accepting (e.g. [503, 412]); tests of retries
        self.fail_next: dict[str, list[int]] = defaultdict(list)
        self.accepted = 0  # messages accepted (sent, replied or updated)
        self.first_accepted_at = self.last_accepted_at = 0.0  # monotonic: the rate over the whole broadcast
        self.accepted_per_tick: dict[int, int] = defaultdict(int)  # 100 ms ticks since the first: the steady rate
        self.requests = 0
        self.delivered_to: dict[str, int] = defaultdict(int)  # conversation → messages accepted
        self.random = random.Random(seed)
        self.members: dict[str, Member] = {}
        self.blocked_users: set[str] = set()
        self.removed_conversations: set[str] = set()
        self.records: list[Recorded] = []
        self.throttled = 0  # 429 answers: the injected share plus those for going over a limit
        self.throttled_injected = 0  # the injected share (fault_429) alone
        self._windows: dict[str, deque[float]] = defaultdict(deque)
        self._app_window: deque[float] = deque()
        self._changed = asyncio.Condition()
        self.login = login  # a FakeLogin: every call needs a valid bot token
        self.conversation_apps: dict[str, str] = {}  # conversation → the app id of the bot it belongs to
        self.refused_auth: list[tuple[int, str, str]] = []  # (status, conversation, app id) refused
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application()
        base = "/v3/conversations"
        app.router.add_post(base, self._create_conversation)
        app.router.add_post(base + "/{conversation}/activities", self._send)
        app.router.add_post(base + "/{conversation}/activities/{activity}", self._reply)
        app.router.add_put(base + "/{conversation}/activities/{activity}", self._update)
        app.router.add_delete(base + "/{conversation}/activities/{activity}", self._delete)
        app.router.add_get(base + "/{conversation}/members", self._members)
        app.router.add_get(base + "/{conversation}/pagedmembers", self._paged_members)
        app.router.add_get(base + "/{conversation}/members/{member}", self._member)
        app.router.add_get("/_stats", self._stats)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sock = site._server.sockets[0]  # type: ignore[union-attr]
        self.url = f"http://{host}:{sock.getsockname()[1]}/"
        return self.url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def add_member(self, member: Member) -> None:
        self.members[member.id] = member

    # --- what tests read ---------------------------------------------------------------------

    def messages(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        return [r.activity for r in self.records if r.op in ("send", "reply")
                and r.activity.get("type") == "message"
                and (conversation_id is None or r.conversation_id == conversation_id)]

    async def wait_for_messages(self, count: int, conversation_id: str | None = None,
                                timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until at least `count` messages have arrived (explicit wait, no sleeps)."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.messages(conversation_id)) >= count), timeout)
        return self.messages(conversation_id)

    # --- limits and faults ------------------------------------------------------------------

    def _throttle(self, conversation_id: str) -> float | None:
        """Seconds to wait if this request is over a limit, else None (and the request counts)."""
        now = time.monotonic()
        if self.fault_429 and self.random.random() < self.fault_429:
            self.throttled_injected += 1
            return self.retry_after if self.retry_after is not None else -1.0
        if not self.enforce_limits:
            return None
        window = self._windows[conversation_id]
        horizon = WINDOWS_PER_CONVERSATION[-1][0]
        while window and now - window[0] > horizon:
            window.popleft()
        for span, limit in WINDOWS_PER_CONVERSATION:
            recent = [t for t in window if now - t < span]
            if len(recent) >= limit:
                return max(0.05, span - (now - recent[0]))
        span, limit = WINDOW_PER_APP[0], self.app_rate
        while self._app_window and now - self._app_window[0] > span:
            self._app_window.popleft()
        if len(self._app_window) >= limit:
            return max(0.05, span - (now - self._app_window[0]))
        window.append(now)
        self._app_window.append(now)
        return None

    def _authorize(self, request: web.Request, conversation_id: str) -> web.Response | None:
        """As Azure: 401 without a valid token from a registered app in its own tenant, 403 when the
        conversation belongs to another bot registration."""
        if self.login is None:
            return None
        verified = self.login.verify(request.headers.get("Authorization", ""))
        if verified is None or self.login.apps.get(verified[0], ("",))[0] != verified[1]:
            self.refused_auth.append((401, conversation_id, verified[0] if verified else ""))
            return web.json_response({"message": "Authorization has been denied for this request."}, status=401)
        request[APP_ID] = verified[0]
        owner = self.conversation_apps.get(conversation_id)
        if conversation_id and owner != verified[0]:
            self.refused_auth.append((403, conversation_id, verified[0]))
            return web.json_response({"error": {"code": "BotNotInConversationRoster",
                                                "message": "The bot is not part of the conversation roster."}},
                                     status=403)
        return None

    def _fault(self, conversation_id: str, activity: dict[str, Any] | None) -> web.Response | None:
        self.requests += 1
        if self.fail_next.get(conversation_id):
            status = self.fail_next[conversation_id].pop(0)
            return web.json_response({"error": {"code": "ServiceError", "message": f"injected {status}"}},
                                     status=status)
        if conversation_id in self.removed_conversations:
            return web.json_response({"error": {"code": "ConversationNotFound",
                                                "message": "Conversation not found."}}, status=404)
        recipient = ((activity or {}).get("recipient") or {}).get("aadObjectId")
        if recipient and recipient in self.blocked_users:
            return web.json_response({"error": {"code": "MessageWritesBlocked",
                                                "message": "Thread is blocked."}}, status=403)
        wait = self._throttle(conversation_id)
        if wait is not None:
            self.throttled += 1
            headers = {"Retry-After": f"{max(1, round(wait))}"} if wait >= 0 else {}
            return web.json_response({"error": {"code": "Throttled", "message": "Too many requests"}},
                                     status=429, headers=headers)
        return None

    async def _record(self, op: str, conversation_id: str, activity: dict[str, Any], activity_id: str,
                      app_id: str = "") -> None:
        if op in ("send", "reply", "update"):
            self.accepted += 1
            self.last_accepted_at = time.monotonic()
            self.first_accepted_at = self.first_accepted_at or self.last_accepted_at
            self.accepted_per_tick[int((self.last_accepted_at - self.first_accepted_at) * TICKS_PER_SECOND)] += 1
            self.delivered_to[conversation_id] += 1
        if not self.keep_records:
            return
        async with self._changed:
            self.records.append(Recorded(op, conversation_id, activity, activity_id, app_id=app_id))
            self._changed.notify_all()

    def stats(self) -> dict[str, Any]:
        """Counters for benchmarks: accepted messages, throttled answers (injected apart from those for
        going over a limit, which a well-paced client never gets), conversations reached twice."""
        return {"accepted": self.accepted, "requests": self.requests, "throttled": self.throttled,
                "throttled_injected": self.throttled_injected,
                "throttled_over_limit": self.throttled - self.throttled_injected,
                "conversations": len(self.delivered_to),
                "accepting_seconds": round(self.last_accepted_at - self.first_accepted_at, 3),
                "accepted_per_tick": [self.accepted_per_tick.get(i, 0)
                                      for i in range(max(self.accepted_per_tick, default=-1) + 1)],
                "duplicates": sum(n - 1 for n in self.delivered_to.values() if n > 1)}

    # --- handlers -----------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except Exception:  # noqa: BLE001
            raise web.HTTPBadRequest(text="body is not JSON") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="body is not an object")
        return body

    async def _create_conversation(self, request: web.Request) -> web.Response:
        if denied := self._authorize(request, ""):
            return denied
        body = await self._body(request)
        members = body.get("members") or []
        conversation_id = "a:" + uuid.uuid5(uuid.NAMESPACE_URL, repr(members)).hex
        activity = body.get("activity")
        activity_id = ""
        if activity:
            if fault := self._fault(conversation_id, activity):
                return fault
            activity_id = uuid.uuid4().hex
            await self._record("send", conversation_id, activity, activity_id, request.get(APP_ID, ""))
        await self._record("create", conversation_id, body, activity_id, request.get(APP_ID, ""))
        return web.json_response({"id": conversation_id, "activityId": activity_id}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation"]
        if denied := self._authorize(request, conversation_id):
            return denied
        body = await self._body(request)
        if fault := self._fault(conversation_id, body):
            return fault
        activity_id = uuid.uuid4().hex
        await self._record("send", conversation_id, body, activity_id,
                           request.get(APP_ID, ""))
        return web.json_response({"id": activity_id}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation"]
        if denied := self._authorize(request, conversation_id):
            return denied
        body = await self._body(request)
        if fault := self._fault(conversation_id, body):
            return fault
        activity_id = uuid.uuid4().hex
        await self._record("reply", conversation_id, body, activity_id,
                           request.get(APP_ID, ""))
        return web.json_response({"id": activity_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation"]
        if denied := self._authorize(request, conversation_id):
            return denied
        body = await self._body(request)
        if fault := self._fault(conversation_id, body):
            return fault
        await self._record("update", conversation_id, body, request.match_info["activity"],
                           request.get(APP_ID, ""))
        return web.json_response({"id": request.match_info["activity"]})

    async def _delete(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation"]
        if denied := self._authorize(request, conversation_id):
            return denied
        await self._record("delete", conversation_id, {}, request.match_info["activity"],
                           request.get(APP_ID, ""))
        return web.Response(status=200)

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def _members(self, request: web.Request) -> web.Response:
        if denied := self._authorize(request, request.match_info["conversation"]):
            return denied
        return web.json_response([m.as_json() for m in self.members.values()])

    async def _paged_members(self, request: web.Request) -> web.Response:
        if denied := self._authorize(request, request.match_info["conversation"]):
            return denied
        return web.json_response({"members": [m.as_json() for m in self.members.values()]})

    async def _member(self, request: web.Request) -> web.Response:
        if denied := self._authorize(request, request.match_info["conversation"]):
            return denied
        member = self.members.get(request.match_info["member"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation",
                                                "message": "The member was not found."}}, status=404)
        return web.json_response(member.as_json())


async def _serve(args) -> None:
    connector = FakeConnector(fault_429=args.fault_429, app_rate=args.rate, keep_records=False, seed=args.seed,
                              retry_after=args.retry_after)
    url = await connector.start(port=args.port)
    print(url, flush=True)
    await asyncio.Event().wait()


def main() -> None:
    """Run the stand-in on its own (benchmarks run it in a separate process so it does not weigh on the
    bot's memory): prints its URL, then serves until killed."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=int, default=WINDOW_PER_APP[1])
    parser.add_argument("--fault-429", type=float, default=0.0)
    parser.add_argument("--retry-after", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=None)
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
