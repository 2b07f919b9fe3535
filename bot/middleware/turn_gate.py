"""At most N turns do their work at once; the others wait their turn in the order they came.

Why: every turn needs a database connection, and the pool (SQLAlchemy: 5 + 10 overflow) hands
them out unfairly under contention: asyncio's queue lets a newcomer take a connection that was
just returned before the turn woken for it runs, and the woken turn queues again at the back.
With 500 users on PostgreSQL (`samarbeidsbot bench turns --postgres …`) the median turn waited
8 s but some waited over 30 s and failed with the pool's timeout. asyncio.Semaphore is
first-come first-served, so in front of the pool the wait is fair and bounded by the queue.
Fewer turns at once also keep connections free for the delivery and scheduler workers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from botbuilder.core import Middleware, TurnContext


class TurnGate(Middleware):
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)
        self.waiting = 0

    async def on_turn(self, context: TurnContext, logic: Callable[[], Awaitable]):
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        try:
            return await logic()
        finally:
            self._slots.release()
