"""Teams' per-app-per-tenant rate budget, shared by every instance on one PostgreSQL database.

Teams allows about 50 requests/s per app per tenant across all instances. Each instance paces
itself with sliding windows (bot/delivery/engine.py Window: a request counts from its start until
one window after its answer, so the service never sees more than the window's limit). Here the
instances agree on each one's limit, without configuration:

- every instance sending for a budget (registration + tenant) keeps a row in `delivery_budget`
  with a heartbeat (every REFRESH_SECONDS); the rows of a budget are its holders;
- the cap is divided equally among the holders (the remainder to the earliest); one instance alone
  holds all of it;
- a newcomer sends nothing until HOLD_SECONDS after it joined, if an instance that joined earlier
  is sending: that one sees the newcomer at its next refresh and shrinks, and its requests counted
  at the larger limit leave its window within one window span (HOLD = refresh + span + margin);
- an instance that stops sending marks its row idle and keeps its share for HOLD_SECONDS (its
  last requests are still in the service's window), then the others take it over; a row whose
  heartbeat stopped (the instance died) is ignored after STALE_SECONDS;
- all times are the database's (`now()`), so the instances' clocks do not matter.

SQLite (one process) needs none of this: the engine's own windows are the whole budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ARRAY, Float, String, bindparam, case, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from storage.db import Database
from storage.models import DeliveryBudget

log = logging.getLogger("samarbeidsbot.delivery")

REFRESH_SECONDS = 0.1
SPAN_SECONDS = 1.0
HOLD_SECONDS = REFRESH_SECONDS + SPAN_SECONDS + 0.15
STALE_SECONDS = 5.0
IN_USE_SECONDS = 0.3  # a budget used this recently is still being sent for
FORGET_IDLE_SECONDS = 30.0  # an idle row of ours is deleted after this


class SharedBudget:
    def __init__(self, db: Database, instance: str, cap: int, *, on_change: Callable[[], None] | None = None):
        self.db, self.instance, self.cap = db, instance, cap
        self.limits: dict[str, int] = {}
        self.holders: dict[str, int] = {}  # budget → instances sharing it (for reports and tests)
        self.on_change = on_change
        self._used: dict[str, float] = {}  # budget → monotonic time of the last request started
        self._in_flight: Counter[str] = Counter()
        self._waiting: Counter[str] = Counter()
        self._mine: set[str] = set()  # budgets we have a row for
        self._lock = asyncio.Lock()
        self._last_refresh = 0.0
        self._last_sweep = 0.0
        self.running = False

    # --- what the pacer calls ---

    async def limit(self, key: str) -> int:
        """This instance's current limit for `key` (0: wait); the first call for a budget joins it."""
        self._used[key] = time.monotonic()
        if key not in self.limits or (not self.running and time.monotonic() - self._last_refresh > REFRESH_SECONDS):
            await self.refresh()
        return self.limits.get(key, 0)

    def want(self, key: str) -> None:
        """The engine holds a message for this budget (it stays active while it does, however long the
        message waits for a slot or a busy event loop takes)."""
        self._waiting[key] += 1

    def unwant(self, key: str) -> None:
        self._waiting[key] -= 1
        if self._waiting[key] <= 0:
            del self._waiting[key]
        self._used[key] = time.monotonic()

    def started(self, key: str) -> None:
        self._used[key] = time.monotonic()
        self._in_flight[key] += 1

    def answered(self, key: str) -> None:
        self._in_flight[key] -= 1
        if self._in_flight[key] <= 0:
            del self._in_flight[key]
        self._used[key] = time.monotonic()

    # --- the shared rows ---

    async def refresh(self) -> None:
        async with self._lock:
            mono = time.monotonic()
            active = {k for k, t in self._used.items()
                      if mono - t < IN_USE_SECONDS or self._in_flight.get(k) or self._waiting.get(k)}
            for key in [k for k, t in self._used.items() if k not in active and mono - t > FORGET_IDLE_SECONDS]:
                del self._used[key]
            idle = self._mine - active
            forget = {k for k in idle if k not in self._used}
            if active and not idle and mono - self._last_sweep <= STALE_SECONDS:
                rows, now = await self._heartbeat(active)  # the steady case: one round trip
            else:
                rows, now = await self._refresh_rows(active, idle, forget, mono)
            self._mine = active | (idle - forget)
            limits = {key: self._share(key, [r for r in rows if r.budget_key == key], now) for key in active}
            self._last_refresh = time.monotonic()
        changed = any(self.limits.get(k) != v for k, v in limits.items())
        self.limits.update(limits)
        if changed and self.on_change is not None:
            self.on_change()

    async def _refresh_rows(self, active: set[str], idle: set[str], forget: set[str], mono: float):
        """Joining, going idle, forgetting, sweeping: the rows of our budgets, and the database's now."""
        async with self.db.session() as session:
            now: datetime = await session.scalar(select(func.now()))
            table = DeliveryBudget.__table__
            for key in sorted(active):
                stmt = insert(DeliveryBudget).values(budget_key=key, instance=self.instance, joined_at=now,
                                                     heartbeat_at=now, idle_since=None)
                await session.execute(stmt.on_conflict_do_update(
                    index_elements=["budget_key", "instance"],
                    set_={"heartbeat_at": now, "idle_since": None,
                          # back after a short idle spell: still holding its share (the others take it
                          # over only after HOLD_SECONDS); after a longer one it joins again
                          "joined_at": case((table.c.idle_since.is_(None), table.c.joined_at),
                                            (table.c.idle_since > now - timedelta(seconds=HOLD_SECONDS / 2),
                                             table.c.joined_at), else_=now)}))
            if idle:
                await session.execute(update(DeliveryBudget).where(
                    DeliveryBudget.instance == self.instance, DeliveryBudget.budget_key.in_(idle))
                    .values(heartbeat_at=now, idle_since=func.coalesce(DeliveryBudget.idle_since, now)))
                if forget:
                    await session.execute(delete(DeliveryBudget).where(
                        DeliveryBudget.instance == self.instance, DeliveryBudget.budget_key.in_(forget)))
            if mono - self._last_sweep > STALE_SECONDS:  # rows of instances long gone
                self._last_sweep = mono
                await session.execute(delete(DeliveryBudget).where(
                    DeliveryBudget.heartbeat_at < now - timedelta(seconds=10 * STALE_SECONDS)))
            rows = (await session.scalars(select(DeliveryBudget).where(
                DeliveryBudget.budget_key.in_(active)))).all() if active else []
        return rows, now

    async def _heartbeat(self, active: set[str]):
        """Heartbeat our rows (joining where new) and read every holder of those budgets, in one statement
        outside a transaction: every round trip to the database wakes it and costs this process its CPU
        for a moment (measured: a send() to PostgreSQL or the Bot Connector took 2.8 ms on average on a
        loaded machine), and this runs ten times a second."""
        keys = sorted(active)
        async with self.db.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            result = await connection.execute(_HEARTBEAT, {"keys": keys, "instance": self.instance,
                                                           "rejoin": HOLD_SECONDS / 2})
            rows = result.all()
        return rows, rows[0].now

    def _share(self, key: str, rows: list[DeliveryBudget], now: datetime) -> int:
        hold, stale = timedelta(seconds=HOLD_SECONDS), timedelta(seconds=STALE_SECONDS)
        holders = sorted((r for r in rows if now - r.heartbeat_at < stale
                          and (r.idle_since is None or now - r.idle_since < hold or r.instance == self.instance)),
                         key=lambda r: (r.joined_at, r.instance))
        me = next((r for r in holders if r.instance == self.instance), None)
        self.holders[key] = len(holders)
        if me is None:
            return 0
        if now - me.joined_at < hold and any(r.instance != self.instance and r.joined_at < me.joined_at
                                             for r in holders):
            return 0  # a newcomer: the others' requests counted at their larger share are still in the window
        index = holders.index(me)
        return self.cap // len(holders) + (1 if index < self.cap % len(holders) else 0)

    async def run(self) -> None:
        """Refresh the shares until cancelled; on the way out, mark this instance's rows idle (the
        others take its share over after HOLD_SECONDS)."""
        self.running = True
        try:
            while True:
                try:
                    await self.refresh()
                except (OSError, ConnectionError, TimeoutError) as exc:
                    log.warning("delivery budget: database unavailable (%s)", type(exc).__name__)
                await asyncio.sleep(REFRESH_SECONDS)
        finally:
            self.running = False
            with contextlib.suppress(Exception):
                await asyncio.shield(self._leave())

    async def _leave(self) -> None:
        if not self._mine:
            return
        async with self.db.session() as session:
            await session.execute(update(DeliveryBudget).where(DeliveryBudget.instance == self.instance)
                                  .values(idle_since=func.coalesce(DeliveryBudget.idle_since, func.now())))


# INSERT … ON CONFLICT keeps `joined_at` as refresh() does: unchanged while active or back after a short
# idle spell; a longer one joins again. The other holders are read in the same statement (the CTE's own
# rows are not visible to the SELECT beside it, so they come from RETURNING).
_HEARTBEAT = text("""
WITH mine AS (
    INSERT INTO delivery_budget (budget_key, instance, joined_at, heartbeat_at, idle_since)
    SELECT k, :instance, now(), now(), NULL FROM unnest(CAST(:keys AS text[])) AS k
    ON CONFLICT (budget_key, instance) DO UPDATE SET heartbeat_at = now(), idle_since = NULL,
        joined_at = CASE WHEN delivery_budget.idle_since IS NULL THEN delivery_budget.joined_at
                         WHEN delivery_budget.idle_since > now() - make_interval(secs => CAST(:rejoin AS double precision))
                         THEN delivery_budget.joined_at ELSE now() END
    RETURNING budget_key, instance, joined_at, heartbeat_at, idle_since)
SELECT budget_key, instance, joined_at, heartbeat_at, idle_since, now() AS now FROM mine
UNION ALL
SELECT budget_key, instance, joined_at, heartbeat_at, idle_since, now() AS now FROM delivery_budget
WHERE budget_key = ANY(CAST(:keys AS text[])) AND instance <> :instance
""").bindparams(bindparam("keys", type_=ARRAY(String)), bindparam("rejoin", type_=Float))
