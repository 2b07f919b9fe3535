"""Several instances on one PostgreSQL database share Teams' per-app-per-tenant budget, without
configuration: each is configured with the whole cap, together they never exceed it (the Bot
Connector stand-in answers 429 to anything over it), one alone uses all of it."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.delivery.engine import DeliveryEngine
from bot.standins.connector import FakeConnector
from storage.db import Database
from tests.harness.delivery import add_conversation, queue

CAP = 20  # requests per second per app per tenant at the stand-in (Teams: about 50)


@pytest.fixture
async def pg(any_db):
    if any_db.is_sqlite:
        pytest.skip("one process per SQLite database: no budget to share")
    return any_db


@pytest.fixture
async def capped():
    connector = FakeConnector(enforce_limits=True, app_rate=CAP, seed=3)
    await connector.start()
    yield connector
    await connector.stop()


async def _queue(db, connector, n: int, prefix: str) -> None:
    for i in range(n):
        await queue(db, await add_conversation(db, connector, f"{prefix}{i}"))


async def _two(db, shared: bool) -> tuple[DeliveryEngine, DeliveryEngine, float]:
    other_db = Database(db.url)  # a second instance: its own engine and connection pool
    try:
        first = DeliveryEngine(db, rate=CAP, instance="first", shared_budget=shared)
        second = DeliveryEngine(other_db, rate=CAP, instance="second", shared_budget=shared)
        started = time.monotonic()
        await asyncio.wait_for(asyncio.gather(first.run(until_idle=True), second.run(until_idle=True)), 90)
        return first, second, time.monotonic() - started
    finally:
        await other_db.dispose()


async def test_two_instances_together_stay_within_the_cap_and_share_the_work(pg, capped):
    await _queue(pg, capped, 160, "shared")
    first, second, elapsed = await _two(pg, shared=True)
    stats = capped.stats()
    assert stats["throttled_over_limit"] == 0  # never over the cap, though each was configured with all of it
    assert stats["conversations"] == 160 and stats["duplicates"] == 0
    assert first.stats.sent > 0 and second.stats.sent > 0
    assert elapsed >= 160 / CAP - 1  # together not faster than the cap allows


async def test_without_sharing_two_instances_would_go_over_the_cap(pg, capped):
    """The control: the same two instances each pacing to the whole cap on their own are refused."""
    await _queue(pg, capped, 160, "unshared")
    await _two(pg, shared=False)
    assert capped.stats()["throttled_over_limit"] > 0


async def test_one_instance_alone_uses_the_whole_cap(pg, capped):
    await _queue(pg, capped, 100, "alone")
    alone = DeliveryEngine(pg, rate=CAP, instance="alone")
    started = time.monotonic()
    await asyncio.wait_for(alone.run(until_idle=True), 60)
    elapsed = time.monotonic() - started
    assert capped.stats()["conversations"] == 100 and capped.stats()["throttled_over_limit"] == 0
    assert elapsed < 100 / CAP * 1.3  # about 5 s: its share is the whole cap, not half
    assert alone.budget is not None and list(alone.budget.holders.values()) == [1]  # it was alone
