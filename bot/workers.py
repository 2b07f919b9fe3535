"""Background workers run by `samarbeidsbot serve` beside the web app (outbox, scheduler, …).

A capability registers a factory here; each factory gets the aiohttp app and
returns a coroutine that runs until cancelled. `serve` starts them all after
the database is ready and cancels them on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiohttp import web

log = logging.getLogger("samarbeidsbot.workers")
WorkerFactory = Callable[[web.Application], Coroutine[Any, Any, None]]
FACTORIES: dict[str, WorkerFactory] = {}
_TASKS = web.AppKey("worker_tasks", list)


def register(name: str) -> Callable[[WorkerFactory], WorkerFactory]:
    def add(factory: WorkerFactory) -> WorkerFactory:
        FACTORIES[name] = factory
        return factory
    return add


async def start(app: web.Application) -> None:
    tasks = []
    for name, factory in FACTORIES.items():
        task = asyncio.create_task(factory(app), name=f"worker:{name}")
        task.add_done_callback(_report)
        tasks.append(task)
    app[_TASKS] = tasks


async def stop(app: web.Application) -> None:
    tasks = app.get(_TASKS, [])
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _report(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("worker %s stopped: %r", task.get_name(), task.exception())
