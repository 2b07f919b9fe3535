"""`samarbeidsbot serve` killed with SIGKILL in the middle of a broadcast, on PostgreSQL: restarted, it
finishes the job; nothing is lost and at most the messages in flight at the kill go out twice."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.standins.connector import FakeConnector
from storage.models import OutboxMessage
from tests.conftest import PG_AVAILABLE, _database_from, _pg_admin
from tests.harness.delivery import add_conversation, queue

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason="needs PostgreSQL")
RECIPIENTS = 80
RATE = 20


@pytest.fixture
async def pg_db(templates, tmp_path):
    db, name = await _database_from(templates, "postgresql", True, tmp_path)
    await db.ensure_ready()
    yield db
    await db.dispose()
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db_url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db_url, "DELIVERY_RATE": str(RATE), "DELIVERY_LEASE_SECONDS": "2",
           "LOG_LEVEL": "WARNING", "DEFAULT_NETWORK": ""}
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(_free_port())], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[3])


async def _count(db, *statuses: str) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_(statuses)))


async def _until(predicate, timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_killed_mid_broadcast_it_resumes_on_restart_and_loses_nothing(pg_db, tmp_path):
    connector = FakeConnector(enforce_limits=True, app_rate=RATE)
    await connector.start()
    log = tmp_path / "serve.log"
    try:
        convs = [await add_conversation(pg_db, connector, f"crash{i}") for i in range(RECIPIENTS)]
        for conv in convs:
            await queue(pg_db, conv, "Kunngjering", batch="notice:crash")

        first = _serve(pg_db.url, log)
        try:
            async def some_sent() -> bool:
                assert first.poll() is None, log.read_text()
                return connector.accepted >= 20
            await _until(some_sent, 60, "the first messages")
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
        accepted_at_kill = connector.accepted
        in_flight = await _count(pg_db, "sending")
        assert accepted_at_kill < RECIPIENTS and await _count(pg_db, "queued") > 0  # killed mid-run

        second = _serve(pg_db.url, log)
        try:
            async def all_done() -> bool:
                assert second.poll() is None, log.read_text()
                return await _count(pg_db, "sent") == RECIPIENTS
            await _until(all_done, 90, "the rest of the broadcast")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=20)
    finally:
        await connector.stop()

    stats = connector.stats()
    assert sorted(connector.delivered_to) == sorted(convs)  # nothing lost
    assert stats["duplicates"] <= in_flight  # at most the rows in flight at the kill
    assert await _count(pg_db, "queued", "sending", "failed") == 0
