"""Start and stop the background workers `samarbeidsbot serve` runs beside the web app.

The app passes the list (bot.app.WORKERS); each worker gets the aiohttp app and runs until
cancelled. They start after the database is ready and are cancelled on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from aiohttp import web

log = logging.getLogger("samarbeidsbot.workers")
Worker = Callable[[web.Application], Coroutine[Any, Any, None]]
_TASKS = web.AppKey("worker_tasks", list)


async def start(app: web.Application, workers: Sequence[tuple[str, Worker]]) -> None:
    tasks = []
    for name, worker in workers:
        task = asyncio.create_task(worker(app), name=f"worker:{name}")
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
