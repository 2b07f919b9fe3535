"""The typing indicator: shown while a message turn is slow, never adding load when the bot is behind.

Replaces botbuilder's ShowTypingMiddleware, which (4.17) keeps sending a typing activity every
period for as long as a turn lasts, fire-and-forget, even after the answer was sent. Under load
that is a feedback loop: slow turns send more indicators, each costing about as much as an answer
and counting against Teams' rate limit for the bot, which makes the turns slower still (measured
with `samarbeidsbot bench turns`: 6.5 indicators per Q&A turn at 500 conversations). Here:

- the first indicator after `delay`, then every `period`, at most `max_count` per turn;
- none once the turn has sent its answer (the indicator would hang after the message);
- none while more than `max_in_flight` turns are in progress: the bot is overloaded, and the
  answer matters more than the indicator (load shedding).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext
from botbuilder.schema import Activity, ActivityTypes

log = logging.getLogger("samarbeidsbot.typing")


class TypingIndicator(Middleware):
    def __init__(self, *, delay: float = 1.0, period: float = 4.0, max_count: int = 3,
                 max_in_flight: int = 20) -> None:
        if delay < 0 or period <= 0 or max_count < 0 or max_in_flight < 0:
            raise ValueError("delay >= 0, period > 0, max_count >= 0 and max_in_flight >= 0")
        self.delay, self.period, self.max_count, self.max_in_flight = delay, period, max_count, max_in_flight
        self.in_flight = 0
        self.sent = 0
        self.shed = 0

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]):
        if context.activity.type != ActivityTypes.message or self.max_count == 0:
            return await logic()
        turn = _TypingTurn(self, context)
        self.in_flight += 1
        try:
            return await logic()
        finally:
            self.in_flight -= 1
            turn.stop()


class _TypingTurn:
    """The indicator of one turn: a timer (no task until it fires), stopped by the first answer."""

    def __init__(self, owner: TypingIndicator, context: TurnContext) -> None:
        self.owner, self.context = owner, context
        self.count = 0
        self.stopped = False
        self.loop = asyncio.get_running_loop()
        self.handle: asyncio.TimerHandle | None = self.loop.call_later(owner.delay, self._fire)
        context.on_send_activities(self._on_send)

    async def _on_send(self, _context: TurnContext, activities: list[Activity], next_send: Callable):
        if any(a.type != ActivityTypes.typing for a in activities):
            self.stop()
        return await next_send()

    def stop(self) -> None:
        self.stopped = True
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None

    def _fire(self) -> None:
        self.handle = None
        if self.stopped:
            return
        if self.owner.in_flight > self.owner.max_in_flight:
            self.owner.shed += 1
            log.debug("typing indicator shed: %d turns in flight", self.owner.in_flight)
            return
        self.count += 1
        self.owner.sent += 1
        task = self.loop.create_task(self._send())
        task.add_done_callback(_log_failure)
        if self.count < self.owner.max_count:
            self.handle = self.loop.call_later(self.owner.period, self._fire)

    async def _send(self) -> None:
        typing = TurnContext.apply_conversation_reference(
            Activity(type=ActivityTypes.typing, relates_to=self.context.activity.relates_to),
            TurnContext.get_conversation_reference(self.context.activity))
        # through the adapter, not context.send_activity: the indicator is no answer of the turn
        await self.context.adapter.send_activities(self.context, [typing])


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.info("typing indicator not sent: %s", type(task.exception()).__name__)
