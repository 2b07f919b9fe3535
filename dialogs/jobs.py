"""Handlers for scheduled jobs, by kind: what a reminder or a deadline does when it is due.

A capability registers `@job("consultation.reminder")`; the handler gets the
services and the stored job, does its work in its own transactions and returns
the replies to deliver (Reply.to_person / Reply.to_conversation). The scheduler
worker in bot/ claims due jobs and calls these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dialogs.services import Services
from dialogs.turn import Refresh, Reply

JobHandler = Callable[[Services, dict[str, Any]], Awaitable[list[Reply | Refresh]]]
HANDLERS: dict[str, JobHandler] = {}


def job(kind: str) -> Callable[[JobHandler], JobHandler]:
    def add(handler: JobHandler) -> JobHandler:
        HANDLERS[kind] = handler
        return handler
    return add
