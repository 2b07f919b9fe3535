"""The delivery engine: works the outbox so every proactive message reaches its recipient once.

Why an engine and not a direct send: a notice to 2,000 people must survive a
restart, stay within Teams' limits, and never reach anyone twice, even with
several instances on one PostgreSQL database. So:

- rows are *claimed* (queued → sending) by one atomic statement; on PostgreSQL
  the candidates are picked with `FOR UPDATE SKIP LOCKED`, on SQLite the single
  writer makes the conditional UPDATE atomic. Only a bounded number of rows is
  claimed at once (about one second of sending), so a crash can resend at most
  those rows in flight;
- a claim is a lease: the engine refreshes `claimed_at` of its rows while it
  works on them; rows whose lease ran out (the instance was killed) are put back
  in the queue by whichever instance notices first;
- sending paces request starts with sliding windows mirroring Teams' limits
  (per app per tenant and per conversation), spread evenly and with many
  requests in flight; a request counts from its start until one window after
  its answer, so the service never sees more than allowed, and since evenly
  spread requests come back in a few milliseconds, that costs under 1 % of
  the rate (see Window);
- 429 waits Retry-After (else exponential backoff with jitter), 412/5xx and
  network errors are retried a bounded number of times, 403
  MessageWritesBlocked and 404 ConversationNotFound mark the recipient
  unreachable at once and the conversation inactive;
- results are written in small batches, so the database keeps up at high rates.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import os
import random
import socket
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import aiohttp
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import long_lived
from bot.activities import to_activity
from bot.app_keys import BOT_KEY, DB_KEY, SETTINGS_KEY
from bot.auth.registrations import DEFAULT_LOGIN_AUTHORITY, Registration, Registry, credentials_for
from bot.delivery.budget import SharedBudget
from bot.graph.client import retry_after_seconds
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from storage.db import Database
from storage.models import ConversationRef, OutboxMessage, Person, PostedCard

log = logging.getLogger("samarbeidsbot.delivery")

CONVERSATION_WINDOWS = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
APP_WINDOW_SECONDS = 1.0
DEFAULT_APP_RATE = 50
# seconds added to every window when pacing counts requests from their start (Pacer(by_start=True))
PACING_MARGIN = 0.01
# a running distribution's live report card (notices) is edited at most this often, and once after the end
PROGRESS_SECONDS = 3.0
SEND_NOW_GRACE = timedelta(seconds=3)  # rows the bot sends itself during a turn wait this long for the worker
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/"

# reasons stored in outbox.error (the report translates them)
NOT_INSTALLED = "not_installed"
BLOCKED = "blocked"
REMOVED = "removed"
NO_CONVERSATION = "no_conversation"


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- pacing -------------------------------------------------------------------------------------


class Window:
    """A sliding-window limit: at most `limit` requests counted within any `span` seconds.

    The service counts a request at some moment between its start and its
    answer. Counting it here from its start until its answer (in flight) and
    then as if made at its answer is therefore always safe: the service never
    sees more than `limit` in any window, however uneven the transit times are
    on a busy machine. With starts spread out (see Pacer) the round trip is a
    few milliseconds, so this costs well under 1 % of the rate. The other way,
    `by_start`, counts a request at its start plus a `margin` for transit
    jitter: it gains those milliseconds, but a request that is held up on the
    way (a busy CPU at either end) then lands in the next window and is refused.
    A request the service refused (429) is taken out again: it did not count it.
    """

    def __init__(self, span: float, limit: int, *, by_start: bool = False, margin: float = 0.0):
        self.span, self.limit, self.by_start = span + (margin if by_start else 0.0), limit, by_start
        self.counted: deque[float] = deque()  # sorted (see answered)
        self.in_flight = 0

    def wait_time(self, now: float) -> float:
        while self.counted and now - self.counted[0] >= self.span:
            self.counted.popleft()
        if len(self.counted) + self.in_flight < self.limit:
            return 0.0
        # the oldest counted request leaves the window then; if all are in flight, an answer wakes us
        return self.span - (now - self.counted[0]) if self.counted else 1.0

    def take(self, start: float) -> None:
        if self.by_start:
            self.counted.append(start)
        else:
            self.in_flight += 1

    def answered(self, start: float, now: float, *, counted: bool) -> None:
        if self.by_start:
            if not counted:
                with contextlib.suppress(ValueError):
                    self.counted.remove(start)
            return
        self.in_flight -= 1
        if counted:  # kept sorted: answers may be handled in another order than they arrived
            bisect.insort(self.counted, now)


class Pacer:
    """Teams' limits for one app: ≈`rate`/s per tenant and 7/1 s, 8/2 s, 60/30 s, 1800/h per conversation.

    Pacing is by request *starts*, with as many requests in flight as the
    windows allow, so the round trip of one request never holds up the next.
    Starts for one tenant are spread out, at least `spacing`/rate apart, instead
    of leaving in bursts of a whole window: a burst queues up at the service,
    and the last of it waits for all the others (long round trips, uneven
    transit). The spacing is a little below 1/rate, and kept on a schedule, so
    that a slot given back by a 429, or a wake-up made late by a busy CPU, is
    caught up within the window instead of lost.

    Per-conversation state is kept for the most recent conversations only (an
    LRU), so memory stays flat however many recipients a broadcast has; a
    conversation pushed out of it has few recent messages, and should the
    service still object, its 429 is honoured like any other.
    """

    def __init__(self, rate: int = DEFAULT_APP_RATE, keep_conversations: int = 5000, *,
                 spacing: float = 0.8, by_start: bool = False, margin: float = PACING_MARGIN,
                 budget: SharedBudget | None = None):
        self.rate = rate
        self.budget = budget  # several instances: each one's share of `rate` (bot/delivery/budget.py)
        self.spacing = spacing
        self.keep = keep_conversations
        self.gap = spacing * APP_WINDOW_SECONDS / rate
        self.window_options = {"by_start": by_start, "margin": margin}
        self.tenants: dict[str, Window] = {}
        self.next_start: dict[str, float] = {}
        self.conversations: OrderedDict[str, list[Window]] = OrderedDict()
        self._turns: dict[str, asyncio.Lock] = {}
        self._answer = asyncio.Event()

    def _windows(self, tenant: str, conversation: str) -> list[Window]:
        app = self.tenants.get(tenant)
        if app is None:
            app = self.tenants[tenant] = Window(APP_WINDOW_SECONDS, self.rate, **self.window_options)
        conv = self.conversations.get(conversation)
        if conv is None:
            conv = self.conversations[conversation] = [Window(s, n, **self.window_options)
                                                       for s, n in CONVERSATION_WINDOWS]
            while len(self.conversations) > self.keep:
                self.conversations.popitem(last=False)
        else:
            self.conversations.move_to_end(conversation)
        return [app, *conv]

    def nudge(self) -> None:
        """Something changed (an answer, a new share): whoever waits for a slot looks again."""
        self._answer.set()
        self._answer = asyncio.Event()

    async def acquire(self, tenant: str, conversation: str) -> tuple[list[Window], float, str]:
        """Wait until a request may start now; returns what to hand to `release` with its answer.

        First the conversation's own windows (the engine sends one request per
        conversation at a time), then the tenant's, first come first served: one
        waiter at a time watches the clock, instead of every waiting row waking
        up on every answer.
        """
        windows = self._windows(tenant, conversation)
        conv = windows[1:]
        while (wait := max(w.wait_time(time.monotonic()) for w in conv)) > 0:
            await self._sleep(wait)
        turn = self._turns.get(tenant)
        if turn is None:
            turn = self._turns[tenant] = asyncio.Lock()
        async with turn:
            while True:
                gap = self.gap
                if self.budget is not None:  # this instance's share of the tenant's budget, now
                    limit = await self.budget.limit(tenant)
                    windows[0].limit = limit
                    if limit <= 0:
                        await self._sleep(0.05)
                        continue
                    gap = self.spacing * APP_WINDOW_SECONDS / limit
                now = time.monotonic()
                ready = self.next_start.get(tenant, 0.0)
                wait = max(ready - now, *(w.wait_time(now) for w in windows))
                if wait <= 0:
                    for w in windows:
                        w.take(now)
                    if self.budget is not None:
                        self.budget.started(tenant)
                    # on a schedule, not from whenever we woke: a late wake-up (a busy CPU) is caught up
                    # with a few starts in a row instead of being lost; the windows still hold the limits
                    self.next_start[tenant] = max(ready, now - 5 * gap) + gap
                    return windows, now, tenant
                await self._sleep(wait)

    async def _sleep(self, seconds: float) -> None:
        """Sleep `seconds`, or less if an answer arrives meanwhile (it may free a slot)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._answer.wait(), timeout=max(seconds, 0.001))

    async def release(self, taken: tuple[list[Window], float, str], *, counted: bool,
                      answered_at: float | None = None) -> None:
        """The answer arrived (at `answered_at`, when its headers came: default now); `counted` is False
        when the service refused it (429), which it does not count against the limit."""
        windows, started, key = taken
        now = min(answered_at, time.monotonic()) if answered_at is not None else time.monotonic()
        for w in windows:
            w.answered(started, now, counted=counted)
        if self.budget is not None:
            self.budget.answered(key)
        self.nudge()  # wake whoever waits for a slot, and start a new round


# --- the Bot Connector ---------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    activity_id: str = ""
    code: str = ""
    retry_after: float | None = None
    at: float | None = None  # monotonic time its status line and headers arrived (the service had counted it)


class ConnectorClient:
    """Bot Connector v3 REST: send or edit an activity in a conversation, with the token of the bot
    registration the conversation belongs to (none without registrations: no authentication)."""

    def __init__(self, *, app_id: str = "", app_password: str = "", tenant_id: str = "", timeout: float = 30.0,
                 connections: int = 100, registry: Registry | None = None,
                 login_authority: str = DEFAULT_LOGIN_AUTHORITY, ca_bundle: str = ""):
        if registry is None:  # one registration given the classic way
            registry = Registry([Registration(app_id=app_id, tenant_id=tenant_id, password=app_password,
                                              type="SingleTenant" if tenant_id else "MultiTenant")]
                                if app_id else [])
        self.registry, self.login_authority, self.ca_bundle = registry, login_authority, ca_bundle
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.connections = connections
        self._http: aiohttp.ClientSession | None = None
        self._credentials: dict[str, Any] = {}

    def registration_for(self, target: Target) -> Registration | None:
        return self.registry.for_conversation(target.app_id, str((target.reference.get("bot") or {}).get("id") or ""),
                                              target.tenant_id)

    async def _headers(self, registration: Registration | None) -> dict[str, str]:
        if registration is None:
            return {}
        credentials = self._credentials.get(registration.app_id)
        if credentials is None:
            credentials = self._credentials[registration.app_id] = credentials_for(
                registration, login_authority=self.login_authority, ca_bundle=self.ca_bundle)
        token = await asyncio.to_thread(credentials.get_access_token)
        return {"Authorization": f"Bearer {token}"}

    async def headers(self, registration: Registration | None) -> dict[str, str]:
        """The Authorization header for sending with `registration` (from msal's cache, in a thread). Got
        before a request is paced, so a token fetch never counts as the request's round trip."""
        return await self._headers(registration)

    async def send(self, service_url: str, conversation_id: str, activity: dict[str, Any],
                   update_id: str | None = None, *, registration: Registration | None = None,
                   headers: dict[str, str] | None = None) -> Answer:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self.timeout,
                                               connector=aiohttp.TCPConnector(limit=self.connections))
        base = service_url.rstrip("/") + "/v3/conversations/" + quote(conversation_id, safe="")
        if registration is None and self.registry:
            return Answer(status=401, code="NoRegistration")  # never sent with another registration's token
        if headers is None:
            headers = await self._headers(registration)
        if update_id:
            request = self._http.put(f"{base}/activities/{quote(update_id, safe='')}", json=activity, headers=headers)
        else:
            request = self._http.post(f"{base}/activities", json=activity, headers=headers)
        async with request as response:
            at = time.monotonic()  # the answer has begun: whatever the body, the service has counted it by now
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
            body = body if isinstance(body, dict) else {}
            code = str((body.get("error") or {}).get("code") or "") if isinstance(body.get("error"), dict) else ""
            return Answer(status=response.status, activity_id=str(body.get("id") or update_id or ""), code=code,
                          retry_after=retry_after_seconds(response.headers.get("Retry-After")), at=at)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None


# --- live reports ---------------------------------------------------------------------------------


class ProgressRefresh:
    """Keeps the author's report card of a running distribution current as results are written.

    The engine tells it which batches just got results; a batch that has a
    report card (a notice: dialogs.notices.progress) gets its posted copies
    re-rendered and edited through the outbox — at once the first time, then
    at most every `every` seconds, and always once after the last result, so
    the final state is shown without flooding Teams with edits.
    """

    def __init__(self, services: Services, wake, *, every: float = PROGRESS_SECONDS):
        self.services, self.wake, self.every = services, wake, every
        self.last: dict[tuple[str, str], float] = {}
        self.due: dict[tuple[str, str], asyncio.Task] = {}
        self.editing = 0  # edits being rendered and queued right now

    @property
    def pending(self) -> bool:
        return bool(self.due) or self.editing > 0

    def note(self, batches: set[str]) -> None:
        from dialogs.notices.progress import report_refresh

        now = time.monotonic()
        for batch in batches:
            refresh = report_refresh(batch)
            if refresh is None:
                continue
            key = (refresh.kind, refresh.subject)
            if key in self.due:
                continue  # an edit is already due; it renders the state at that moment, these results included
            delay = max(0.0, self.last.get(key, -self.every) + self.every - now)
            self.due[key] = asyncio.create_task(self._edit(key, refresh, delay))
        for key in [k for k, at in self.last.items() if now - at > self.every and k not in self.due]:
            del self.last[key]  # long quiet: the next result is shown at once anyway

    def posted(self, kind: str, subject: str) -> None:
        """A report card was just registered as posted. If results were already shown (to no card:
        the deliveries can finish before the turn that posted the card has registered it), edit it
        once more so it does not stay at "queued"."""
        key = (kind, subject)
        if key in self.last and key not in self.due:
            delay = max(0.0, self.last[key] + self.every - time.monotonic())
            self.due[key] = asyncio.create_task(self._edit(key, Refresh(kind, subject), delay))

    async def _edit(self, key: tuple[str, str], refresh: Refresh, delay: float) -> None:
        from dialogs.delivery import queue_refresh

        try:
            await asyncio.sleep(delay)
        finally:
            # results written from here on are noted for a later edit: this one may render before them
            self.due.pop(key, None)
        self.last[key] = time.monotonic()
        self.editing += 1
        try:
            if await queue_refresh(self.services, refresh):
                self.wake()
        except Exception:  # noqa: BLE001 - a report edit is a courtesy; the next result or "Oppdater" retries
            log.warning("could not queue the report edit for %s %s", *key, exc_info=True)
        finally:
            self.editing -= 1

    def stop(self) -> None:
        for task in self.due.values():
            task.cancel()
        self.due.clear()


# --- the engine -----------------------------------------------------------------------------------


@dataclass
class Target:
    service_url: str
    conversation_id: str
    tenant_id: str
    reference: dict[str, Any]
    app_id: str = ""  # the bot registration the conversation came in on


@dataclass
class Row:
    id: int
    person_id: int | None
    conversation_id: str | None
    network_id: int | None
    payload: dict[str, Any]
    update_activity_id: str | None
    track_kind: str
    track_subject: str
    language: str
    attempts: int
    batch: str = ""
    target: Target | None = None


@dataclass
class Outcome:
    id: int
    status: str  # sent | failed | unreachable | queued (released for later)
    attempts: int
    activity_id: str = ""
    error: str = ""
    not_before: datetime | None = None
    row: Row | None = None
    deactivate: str | None = None  # a conversation the bot can no longer write to
    batch: str = ""


@dataclass
class Stats:
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    throttled: int = 0
    retried: int = 0
    by_error: dict[str, int] = field(default_factory=dict)
    round_trips: int = 0
    round_trip_seconds: float = 0.0  # summed: with the pacing by answers, the share of the rate they cost


class DeliveryEngine:
    """Claims due outbox rows and sends them; one per process, several per database."""

    def __init__(self, db: Database, *, connector: ConnectorClient | None = None, graph=None,
                 rate: int = DEFAULT_APP_RATE, lease_seconds: float = 60.0, max_attempts: int = 5,
                 max_throttled: int = 12, max_hold_seconds: float = 10.0, poll_seconds: float = 1.0,
                 flush_seconds: float = 0.1, in_flight: int | None = None, instance: str | None = None,
                 pacing_by_start: bool = False, services: Services | None = None,
                 progress_seconds: float = PROGRESS_SECONDS, shared_budget: bool | None = None):
        self.db = db
        self.connector = connector or ConnectorClient()
        self.graph = graph
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        # on PostgreSQL the instances share each tenant's `rate` (bot/delivery/budget.py); SQLite is one process
        self.budget = SharedBudget(db, self.instance, rate) if (
            shared_budget if shared_budget is not None else not db.is_sqlite) else None
        self.pacer = Pacer(rate, by_start=pacing_by_start, budget=self.budget)
        if self.budget is not None:
            self.budget.on_change = self.pacer.nudge
        self.lease = lease_seconds
        self.max_attempts = max_attempts
        self.max_throttled = max_throttled
        self.max_hold = max_hold_seconds
        self.poll = poll_seconds
        self.flush_every = flush_seconds
        # rows held at once: about two seconds of sending, so a slow claim (a busy database) never leaves
        # the pacer without work; they are claimed, not sent, so a crash still resends only those in flight
        self._capacity = in_flight or max(10, 2 * rate)
        self._fixed_capacity = in_flight is not None
        self.stats = Stats()
        self._tasks: set[asyncio.Task] = set()
        self._wake = asyncio.Event()
        self._slot_free = asyncio.Event()
        self._results: list[Outcome] = []
        self._flushing = 0
        self._flushed = asyncio.Event()
        self._conversation_locks: dict[str, asyncio.Lock] = {}
        self._random = random.Random()
        self._last_reclaim = 0.0
        self._last_heartbeat = time.monotonic()
        self.progress = ProgressRefresh(services or Services(db=db), self.wake, every=progress_seconds)

    @property
    def capacity(self) -> int:
        """Rows held at once: about two seconds of sending at this instance's share of the rate, so the
        instances sharing a budget run out of work at about the same time."""
        if self.budget is None or self._fixed_capacity or not self.budget.limits:
            return self._capacity
        share = max(self.budget.limits.values()) / self.pacer.rate
        return max(10, round(self._capacity * max(share, 0.1)))

    # --- waking and draining ---

    def wake(self) -> None:
        self._wake.set()

    @property
    def busy(self) -> bool:
        return bool(self._tasks) or bool(self._results) or self._flushing > 0 or self.progress.pending

    # --- claiming ---

    async def reclaim_stale(self) -> int:
        """Put rows back whose claim ran out (their instance died mid-send)."""
        cutoff = utcnow() - timedelta(seconds=self.lease)
        stale = (OutboxMessage.status == "sending", OutboxMessage.claimed_at < cutoff)
        async with self.db.sessions() as session:  # look first: an idle engine takes no write lock
            if not await session.scalar(select(OutboxMessage.id).where(*stale).limit(1)):
                return 0
        async with self.db.session() as session:
            result = await session.execute(
                update(OutboxMessage).where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < cutoff)
                .values(status="queued", claimed_by="").execution_options(synchronize_session=False))
        if result.rowcount:
            log.warning("reclaimed %d messages from a stopped instance", result.rowcount)
        return result.rowcount or 0

    async def claim(self, limit: int, ids: list[int] | None = None) -> list[Row]:
        if limit <= 0:
            return []
        now = utcnow()
        pick = (select(OutboxMessage.id).where(OutboxMessage.status == "queued")
                .order_by(OutboxMessage.not_before, OutboxMessage.id).limit(limit)
                .with_for_update(skip_locked=True))
        if ids is not None:  # asked for by id (send_now): due or not
            pick = pick.where(OutboxMessage.id.in_(ids))
        else:
            pick = pick.where(OutboxMessage.not_before <= now)
            async with self.db.sessions() as session:  # look first: an idle engine takes no write lock
                if not await session.scalar(select(OutboxMessage.id).where(
                        OutboxMessage.status == "queued", OutboxMessage.not_before <= now).limit(1)):
                    return []
        # A CTE, not `id IN (subquery)`: PostgreSQL may rescan such a subquery for every row it updates,
        # and with SKIP LOCKED each rescan picks further rows, far beyond the limit.
        picked = pick.cte("picked").prefix_with("MATERIALIZED", dialect="postgresql")
        stmt = (update(OutboxMessage)
                .where(OutboxMessage.id == picked.c.id, OutboxMessage.status == "queued")
                .values(status="sending", claimed_by=self.instance, claimed_at=now)
                .returning(OutboxMessage.id, OutboxMessage.person_id, OutboxMessage.conversation_id,
                           OutboxMessage.network_id, OutboxMessage.payload, OutboxMessage.update_activity_id,
                           OutboxMessage.track_kind, OutboxMessage.track_subject, OutboxMessage.language,
                           OutboxMessage.attempts, OutboxMessage.batch)
                .execution_options(synchronize_session=False))
        async with self.db.session() as session:
            rows = [Row(*r) for r in (await session.execute(stmt)).all()]
            if rows:
                await self._resolve(session, rows)
        rows.sort(key=lambda r: r.id)
        return rows

    async def _resolve(self, session: AsyncSession, rows: list[Row]) -> None:
        """Find the conversation of each row: the stored one, or the person's newest active personal chat."""
        conv_ids = {r.conversation_id for r in rows if r.person_id is None and r.conversation_id}
        person_ids = {r.person_id for r in rows if r.person_id is not None}
        by_conv: dict[str, ConversationRef] = {}
        by_person: dict[int, ConversationRef] = {}
        if conv_ids:
            for ref in await session.scalars(select(ConversationRef).where(
                    ConversationRef.conversation_id.in_(conv_ids), ConversationRef.active.is_(True))):
                by_conv[ref.conversation_id] = ref
        if person_ids:
            for ref in await session.scalars(select(ConversationRef).where(
                    ConversationRef.person_id.in_(person_ids), ConversationRef.conversation_type == "personal",
                    ConversationRef.active.is_(True)).order_by(ConversationRef.updated_at)):
                by_person[ref.person_id] = ref  # the newest wins
        for row in rows:
            if row.person_id is not None:
                ref = by_person.get(row.person_id)
            else:
                ref = by_conv.get(row.conversation_id or "")
            if ref is not None:
                row.target = Target(ref.service_url, ref.conversation_id, ref.tenant_id, dict(ref.reference or {}),
                                    ref.app_id or "")

    # --- sending one row ---

    def _activity(self, row: Row) -> dict[str, Any]:
        payload = row.payload or {}
        activity = to_activity(Reply(text=payload.get("text"), card=payload.get("card"),
                                     summary=payload.get("summary") or "")).serialize()
        target = row.target
        assert target is not None
        reference = target.reference
        activity["conversation"] = reference.get("conversation") or {"id": target.conversation_id}
        activity["conversation"]["id"] = target.conversation_id
        if reference.get("bot"):
            activity["from"] = reference["bot"]
        if reference.get("user"):
            activity["recipient"] = reference["user"]
        activity["channelId"] = reference.get("channelId") or "msteams"
        activity["serviceUrl"] = target.service_url
        if row.update_activity_id:
            activity["id"] = row.update_activity_id
        return activity

    async def _deliver(self, row: Row) -> Outcome:
        if row.target is None and row.person_id is not None and self.graph is not None:
            try:
                row.target = await self.graph_target(row.person_id)
            except Exception as exc:  # noqa: BLE001 - installing is best effort; report and move on
                log.warning("could not install the app for person %s: %s", row.person_id, exc)
                reason = getattr(exc, "reason", "") or type(exc).__name__
                if getattr(exc, "transient", False) and row.attempts + 1 < self.max_attempts:  # Graph busy
                    wait = getattr(exc, "retry_after", None) or self._backoff(row.attempts + 1)
                    return self._later(row, row.attempts + 1, wait, f"{NOT_INSTALLED}:{reason}")
                return Outcome(row.id, "unreachable", row.attempts + 1, error=f"{NOT_INSTALLED}:{reason}")
        if row.target is None:
            return Outcome(row.id, "unreachable", row.attempts,
                           error=NOT_INSTALLED if row.person_id is not None else NO_CONVERSATION)
        target = row.target
        lock = self._conversation_locks.setdefault(target.conversation_id, asyncio.Lock())
        try:
            async with lock:  # edits and messages to one conversation go out in order
                return await self._send_with_retries(row, target)
        finally:
            if not lock.locked() and not lock._waiters:  # type: ignore[attr-defined]
                self._conversation_locks.pop(target.conversation_id, None)

    async def _send_with_retries(self, row: Row, target: Target) -> Outcome:
        activity = self._activity(row)
        registration = self.connector.registration_for(target)
        budget = f"{registration.app_id if registration else ''}|{target.tenant_id}"  # Teams: per app per tenant
        if self.budget is not None:
            self.budget.want(budget)
            try:
                return await self._send_paced(row, target, activity, registration, budget)
            finally:
                self.budget.unwant(budget)
        return await self._send_paced(row, target, activity, registration, budget)

    async def _send_paced(self, row: Row, target: Target, activity: dict[str, Any],
                          registration: Registration | None, budget: str) -> Outcome:
        attempts, throttled, failures = row.attempts, 0, 0
        while True:
            headers = await self.connector.headers(registration) if registration is not None else None
            windows = await self.pacer.acquire(budget, target.conversation_id)
            attempts += 1
            counted = True
            try:
                answer = await self.connector.send(target.service_url, target.conversation_id, activity,
                                                   row.update_activity_id, registration=registration,
                                                   headers=headers)
            except (aiohttp.ClientError, TimeoutError) as exc:
                answer = Answer(status=599, code=type(exc).__name__)
            except BaseException:
                await self.pacer.release(windows, counted=True)
                raise
            if answer.status == 429:
                counted = False
            self.stats.round_trips += 1
            self.stats.round_trip_seconds += (answer.at or time.monotonic()) - windows[1]
            await self.pacer.release(windows, counted=counted, answered_at=answer.at)

            if answer.status in (200, 201, 202):
                self.stats.sent += 1
                return Outcome(row.id, "sent", attempts, activity_id=answer.activity_id, row=row)
            if answer.status == 403 or (answer.status == 404 and answer.code != "ActivityNotFound"):
                reason = BLOCKED if answer.status == 403 else REMOVED
                self.stats.unreachable += 1
                return Outcome(row.id, "unreachable", attempts, error=f"{reason}:{answer.code}"[:300],
                               deactivate=target.conversation_id)
            if answer.status == 429:
                throttled += 1
                self.stats.throttled += 1
                if throttled >= self.max_throttled:
                    return self._later(row, attempts, 60.0, "throttled")
                wait = answer.retry_after if answer.retry_after is not None else self._backoff(throttled)
            elif answer.status in (412, 500, 502, 503, 504, 599):
                failures += 1
                if failures >= self.max_attempts:
                    self.stats.failed += 1
                    return Outcome(row.id, "failed", attempts, error=f"http {answer.status} {answer.code}".strip())
                wait = answer.retry_after if answer.retry_after is not None else self._backoff(failures)
            else:  # 400, 401, 404 ActivityNotFound…: retrying will not help
                self.stats.failed += 1
                return Outcome(row.id, "failed", attempts, error=f"http {answer.status} {answer.code}".strip())
            self.stats.retried += 1
            if wait > self.max_hold:
                return self._later(row, attempts, wait, "")
            await asyncio.sleep(wait)

    def _later(self, row: Row, attempts: int, wait: float, error: str) -> Outcome:
        """Give the row back to the queue for a later try instead of holding it for long."""
        return Outcome(row.id, "queued", attempts, error=error, not_before=utcnow() + timedelta(seconds=wait))

    def _backoff(self, n: int) -> float:
        """Exponential backoff with full jitter: up to 0.5 s, 1 s, 2 s, … capped at 30 s."""
        return self._random.uniform(0.1, min(30.0, 0.5 * 2 ** (n - 1)))

    async def graph_target(self, person_id: int) -> Target | None:
        """Install the app for a person who never opened it (Graph) and remember the new chat."""
        async with self.db.session() as session:
            person = await session.get(Person, person_id)
            if person is None or not person.aad_object_id or not person.tenant_id:
                return None
            known = await session.scalar(select(ConversationRef).where(
                ConversationRef.tenant_id == person.tenant_id, ConversationRef.service_url != "")
                .order_by(ConversationRef.updated_at.desc()).limit(1))
            service_url = known.service_url if known else DEFAULT_SERVICE_URL
            bot_id, bot = (known.bot_id, (known.reference or {}).get("bot")) if known else ("", None)
            app_id = known.app_id if known else ""
        if not app_id:  # the first in this tenant: the chat belongs to the registration serving the tenant
            registry = getattr(self.graph, "registry", None) or self.connector.registry
            serving = registry.for_tenant(person.tenant_id) if registry else None
            if serving is not None:
                app_id, bot_id = serving.app_id, bot_id or f"28:{serving.app_id}"
        chat_id = await self.graph.install_for_user(person.tenant_id, person.aad_object_id)
        if not chat_id:
            return None
        reference = {"conversation": {"id": chat_id, "conversationType": "personal", "tenantId": person.tenant_id},
                     "user": {"id": f"8:orgid:{person.aad_object_id}", "aadObjectId": person.aad_object_id},
                     "bot": bot or {"id": bot_id}, "channelId": "msteams", "serviceUrl": service_url}
        from storage import conversations

        async with self.db.session() as session:
            await conversations.remember(
                session, conversation_id=chat_id, conversation_type="personal", tenant_id=person.tenant_id,
                aad_object_id=person.aad_object_id, service_url=service_url, channel_id="msteams",
                bot_id=bot_id, reference=reference, person_id=person_id, network_id=person.network_id,
                app_id=app_id)
        return Target(service_url, chat_id, person.tenant_id, reference, app_id)

    # --- recording ---

    async def _run_row(self, row: Row) -> Outcome:
        try:
            outcome = await self._deliver(row)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - one bad row must not stop the engine
            log.exception("delivery of outbox %s failed", row.id)
            outcome = Outcome(row.id, "failed", row.attempts + 1, error=type(exc).__name__)
        outcome.batch = row.batch
        self._results.append(outcome)
        return outcome

    async def flush(self) -> int:
        """Write the finished rows' outcomes in one transaction."""
        if not self._results:
            return 0
        done, self._results = self._results, []
        self._flushing += 1  # busy until the results are written and their report edits noted
        try:
            return await self._write(done)
        finally:
            self._flushing -= 1

    async def _write(self, done: list[Outcome]) -> int:
        now = utcnow()
        values = []
        for o in done:
            v: dict[str, Any] = {"id": o.id, "status": o.status, "attempts": o.attempts, "error": o.error[:300]}
            if o.status == "sent":
                v.update(sent_at=now, activity_id=o.activity_id[:200])
            if o.status == "queued":
                v.update(not_before=o.not_before or now, claimed_by="")
            values.append(v)
        simple = not self.db.is_sqlite and not any(
            o.deactivate or (o.status == "sent" and o.row and o.row.track_kind and not o.row.update_activity_id)
            for o in done)
        try:
            if simple:  # the usual batch (plain messages sent): no transaction, one round trip per shape
                await self._write_outcomes(values)
                self._flushed.set()
                self.progress.note({o.batch for o in done if o.batch})
                return len(done)
            async with self.db.session() as session:
                for chunk in _chunks(sorted(values, key=lambda v: v["id"]), 500):
                    for shape in sorted({tuple(sorted(v)) for v in chunk}):
                        await session.execute(update(OutboxMessage),
                                              [v for v in chunk if tuple(sorted(v)) == shape])
                dead = {o.deactivate for o in done if o.deactivate}
                if dead:
                    await session.execute(update(ConversationRef).where(ConversationRef.conversation_id.in_(dead))
                                          .values(active=False).execution_options(synchronize_session=False))
                for o in done:
                    row = o.row
                    if o.status == "sent" and row and row.track_kind and not row.update_activity_id and row.target:
                        session.add(PostedCard(kind=row.track_kind, subject=row.track_subject,
                                               network_id=row.network_id, person_id=row.person_id,
                                               conversation_id=row.target.conversation_id,
                                               activity_id=o.activity_id, language=row.language))
        except Exception:
            self._results = done + self._results  # try again on the next flush
            raise
        self._flushed.set()
        self.progress.note({o.batch for o in done if o.batch})
        return len(done)

    async def _write_outcomes(self, values: list[dict[str, Any]]) -> None:
        """Each row's outcome by its id, outside a transaction: every update stands alone (written again,
        after a failure, it writes the same), and each round trip to the database costs a loaded machine's
        sending process its CPU for a moment (see bot/delivery/budget.py _heartbeat)."""
        table = OutboxMessage.__table__
        async with self.db.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            for shape in sorted({tuple(sorted(v)) for v in values}):
                columns = [c for c in shape if c != "id"]
                stmt = (update(table).where(table.c.id == bindparam("row_id"))
                        .values({c: bindparam(f"new_{c}", type_=table.c[c].type) for c in columns}))
                await connection.execute(stmt, [{"row_id": v["id"], **{f"new_{c}": v[c] for c in columns}}
                                                for v in sorted(values, key=lambda v: v["id"])
                                                if tuple(sorted(v)) == shape])

    async def heartbeat(self) -> None:
        """Keep the lease on the rows this instance is working on."""
        async with self.db.session() as session:
            await session.execute(update(OutboxMessage).where(
                OutboxMessage.claimed_by == self.instance, OutboxMessage.status == "sending")
                .values(claimed_at=utcnow()).execution_options(synchronize_session=False))

    # --- the loop ---

    def _start(self, row: Row) -> asyncio.Task:
        task = asyncio.create_task(self._run_row(row))
        self._tasks.add(task)

        def done(t: asyncio.Task) -> None:
            self._tasks.discard(t)
            self._slot_free.set()
        task.add_done_callback(done)
        return task

    async def send_now(self, ids: list[int], timeout: float = 5.0) -> None:
        """Send these just-queued rows at once (a reply to someone during a turn) instead of waiting
        for the next poll. They are claimed like any other row, so nothing is sent twice."""
        rows = await self.claim(len(ids), ids=ids)
        tasks = [self._start(r) for r in rows]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
            await self.flush()

    async def _housekeeping(self) -> None:
        now = time.monotonic()
        if now - self._last_reclaim > max(1.0, self.lease / 4):
            self._last_reclaim = now
            await self.reclaim_stale()
        if now - self._last_heartbeat > max(0.5, self.lease / 3):
            self._last_heartbeat = now
            if self._tasks:
                await self.heartbeat()

    async def run(self, *, until_idle: bool = False) -> None:
        """Work the outbox until cancelled (or, with `until_idle`, until nothing is due)."""
        long_lived.freeze()  # a full collection over start-up's objects stalls sending (bot/long_lived.py)
        last_flush = time.monotonic()
        budget = asyncio.create_task(self.budget.run()) if self.budget is not None else None
        try:
            while True:
                try:
                    await self._housekeeping()
                    if time.monotonic() - last_flush >= self.flush_every or len(self._results) >= 200:
                        await self.flush()
                        last_flush = time.monotonic()
                    claimed: list[Row] = []
                    capacity = self.capacity
                    free = capacity - len(self._tasks)
                    # claim when half the rows held are done: a claim is several round trips to the database,
                    # each costing a loaded machine's sending process its CPU for a moment (budget.py)
                    if free >= max(1, capacity // 2):
                        claimed = await self.claim(free)
                        for row in claimed:
                            self._start(row)
                except (OSError, ConnectionError, TimeoutError) as exc:
                    log.warning("delivery: database unavailable (%s); retrying", type(exc).__name__)
                    await asyncio.sleep(self.poll)
                    continue
                if until_idle and not claimed and not self._tasks and not self.progress.pending:
                    await self.flush()
                    if not await self._any_queued_due():
                        return
                self._wake.clear()
                self._slot_free.clear()
                waits = [asyncio.ensure_future(self._slot_free.wait())]
                if not self._tasks or free > 0:
                    waits.append(asyncio.ensure_future(self._wake.wait()))
                timeout = self.flush_every if (self._tasks or self._results) else self.poll
                _, pending = await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                for p in pending:
                    p.cancel()
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            if budget is not None:
                budget.cancel()
                await asyncio.gather(budget, return_exceptions=True)
            try:
                await asyncio.shield(self.flush())
            except Exception:  # noqa: BLE001 - rows stay "sending" and are reclaimed after the lease
                log.warning("delivery: could not record the last results")
            self.progress.stop()
            await self.connector.close()
            if self.graph is not None:
                await self.graph.close()

    async def _any_queued_due(self) -> bool:
        async with self.db.session() as session:
            return bool(await session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.status == "queued", OutboxMessage.not_before <= utcnow())))

    async def due(self) -> bool:
        """Is anything due or being sent right now (queued and due, or sending)?"""
        return await has_due(self.db)


async def has_due(db: Database) -> bool:
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(OutboxMessage).where(or_(
            OutboxMessage.status == "sending",
            (OutboxMessage.status == "queued") & (OutboxMessage.not_before <= utcnow()))))
    return bool(count)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def engine_from_settings(db: Database, settings, services: Services | None = None) -> DeliveryEngine:
    graph = None
    if getattr(settings, "graph_enabled", False):
        from bot.graph.client import GraphClient

        graph = GraphClient.from_settings(settings)
    return DeliveryEngine(
        db, connector=ConnectorClient(registry=settings.registrations, login_authority=settings.login_authority,
                                      ca_bundle=settings.graph_ca_bundle),
        graph=graph, rate=settings.delivery_rate, lease_seconds=settings.delivery_lease_seconds,
        services=services or Services(db=db, default_network=settings.default_network,
                                      public_url=settings.public_url))


async def delivery_worker(app) -> None:
    db = app[DB_KEY]
    bot = app.get(BOT_KEY)
    engine = engine_from_settings(db, app[SETTINGS_KEY], bot.services if bot is not None else None)
    if bot is not None:
        bot.engine = engine  # the bot wakes it after queuing
    log.info("delivery worker %s started", engine.instance)
    try:
        await engine.run()
    finally:
        if bot is not None:
            bot.engine = None
