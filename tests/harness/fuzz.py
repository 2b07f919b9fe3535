"""Helpers for the property-based tests: the hypothesis settings for CI, and the bot on its own event loop in
a thread (a fixture), so that hypothesis drives plain functions and can shrink a failing case."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from bot.bench.fuzz import Fuzzer
from bot.bench.loopback import LoopbackBot
from storage.db import Database

CI = settings(max_examples=50, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))


class FuzzBot:
    def __init__(self, fuzzer: Fuzzer, call: Callable[[Coroutine], Any]):
        self.fuzzer, self.call = fuzzer, call

    @property
    def bot(self) -> LoopbackBot:
        return self.fuzzer.bot

    def check(self, case: Any) -> None:
        problems = self.call(self.fuzzer.run(case))
        assert not problems, problems


@pytest.fixture
def fuzz_bot(templates, tmp_path):
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def call(coro: Coroutine) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=120)

    shutil.copyfile(templates("sqlite", True), tmp_path / "fuzz.db")

    async def start() -> Fuzzer:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}")
        await db.ensure_ready()
        bot = LoopbackBot(db)
        await bot.start()
        fuzzer = Fuzzer(bot)
        await fuzzer.start()
        return fuzzer

    fuzzer = call(start())
    yield FuzzBot(fuzzer, call)
    fuzzer.stop()

    async def stop() -> None:
        await fuzzer.bot.stop()
        await fuzzer.bot.db.dispose()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:  # botbuilder's typing timers
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    call(stop())
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    loop.close()
