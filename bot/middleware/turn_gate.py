"""At most N turns do their work at once; the others wait their turn in the order they came.

Why: every turn needs a database connection, and the pool (SQLAlchemy: 5 + 10 overflow) hands
them out unfairly under contention: asyncio's queue lets a newcomer take a connection that was
just returned before the turn woken for it runs, and the woken turn queues again at the back.
With 500 users on PostgreSQL (`samarbeidsbot bench turns --postgres …`) the median turn waited
8 s but some waited over 30 s and failed with the pool's timeout. The gate is first-come
first-served, so in front of the pool the wait is fair and bounded by the queue.
Fewer turns at once also keep connections free for the delivery and scheduler workers.

A turn gives its slot up while it waits for the Bot Connector (sending or editing a message needs
no database connection): ten turns whose connector never answers held all eight slots, and no one
else was answered (issue 16). It gets a slot back before the next new turn when the call returns.
And a turn that takes longer than `turn_seconds` in all is cancelled (TimeoutError, the apology).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ActivityTypes

TURN_SECONDS = 60.0
HOLD_KEY = "samarbeidsbot.turn_gate.hold"
# an invoke response and a trace need no network call; typing indicators are sent beside the turn
_NO_SLOT_CHANGE = {ActivityTypes.invoke_response, ActivityTypes.trace, ActivityTypes.typing}


class TurnGate(Middleware):
    def __init__(self, limit: int, *, turn_seconds: float = TURN_SECONDS) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.turn_seconds = turn_seconds
        self._free = limit
        self._new: deque[asyncio.Future] = deque()
        self._back: deque[asyncio.Future] = deque()  # turns returning from the connector go first
        self.waiting = 0

    async def _acquire(self, queue: deque[asyncio.Future]) -> None:
        if self._free > 0 and not self._new and not self._back:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        queue.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._release()  # the slot was handed over just as we were cancelled: pass it on
            elif waiter in queue:
                queue.remove(waiter)
            raise

    def _release(self) -> None:
        for queue in (self._back, self._new):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._free += 1

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]):
        self.waiting += 1
        try:
            await self._acquire(self._new)
        finally:
            self.waiting -= 1
        hold = _Hold(self)
        context.turn_state[HOLD_KEY] = hold
        try:
            async with asyncio.timeout(self.turn_seconds):
                return await logic()
        finally:
            context.turn_state.pop(HOLD_KEY, None)
            if hold.held:
                hold.held = False
                self._release()


class _Hold:
    """One turn's slot: given up while the turn waits for the Bot Connector."""

    def __init__(self, gate: TurnGate) -> None:
        self.gate, self.held = gate, True

    async def outside(self, call: Callable[[], Awaitable]):
        if not self.held:
            return await call()
        self.held = False
        self.gate._release()
        try:
            return await call()
        finally:
            await self.gate._acquire(self.gate._back)
            self.held = True


class GateAwareAdapter(CloudAdapter):
    """CloudAdapter whose calls to the Bot Connector (send, update) are made outside the turn's slot.

    (TurnContext's send hooks run before the send itself, so they cannot wrap it: the adapter can.)
    Typing indicators are sent beside the turn, not by it: they never touch its slot."""

    async def send_activities(self, context: TurnContext, activities):
        hold = context.turn_state.get(HOLD_KEY)
        if hold is None or all(a.type in _NO_SLOT_CHANGE for a in activities):
            return await super().send_activities(context, activities)
        return await hold.outside(lambda: super(GateAwareAdapter, self).send_activities(context, activities))

    async def update_activity(self, context: TurnContext, activity):
        hold = context.turn_state.get(HOLD_KEY)
        if hold is None:
            return await super().update_activity(context, activity)
        return await hold.outside(lambda: super(GateAwareAdapter, self).update_activity(context, activity))
