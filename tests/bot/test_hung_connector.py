"""A Bot Connector that accepts connections and never answers (issue 16): ten turns whose serviceUrl
points there must not freeze the bot. A normal question is answered within 5 s while they hang, and
`serve` stops on SIGTERM within 10 s with the outbox intact."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from aiohttp import ClientSession
from sqlalchemy import select

from bot.standins.connector import FakeConnector
from storage.models import OutboxMessage
from tests.harness import DV_CHAIR, DV_DIRECTOR, BotHarness, message_text
from tests.harness.delivery import add_conversation, queue

ROOT = Path(__file__).resolve().parents[2]


class SilentConnector:
    """Accepts TCP connections, reads what is sent, never answers."""

    def __init__(self) -> None:
        self.connections = 0
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            self._writers.append(writer)
            try:
                while await reader.read(65536):
                    pass
            except (ConnectionError, asyncio.CancelledError):
                pass

        self.server = await asyncio.start_server(hold, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/"

    async def stop(self) -> None:
        for writer in self._writers:
            writer.close()
        self.server.close()


def _hanging(bot: BotHarness, silent: SilentConnector, n: int) -> list[dict]:
    return [bot.activity(DV_DIRECTOR, text="kven leiar styringsgruppa?", conversation_id=f"a:hung-{n}-{i}",
                         serviceUrl=silent.url) for i in range(10)]


async def test_a_normal_question_is_answered_while_ten_turns_hang(db):
    silent = SilentConnector()
    await silent.start()
    bot = BotHarness(db, DEFAULT_NETWORK="digivestland")
    await bot.start()
    try:
        hung = [asyncio.create_task(bot.post(body)) for body in _hanging(bot, silent, 1)]
        for _ in range(100):  # all ten reached the silent connector
            if silent.connections >= 10:
                break
            await asyncio.sleep(0.05)
        assert silent.connections >= 10
        started = time.monotonic()
        answer = await asyncio.wait_for(bot.say_text(DV_CHAIR, "hjelp"), timeout=5)
        assert answer and time.monotonic() - started < 5
        # and the hung turns end in bounded time, each with an HTTP answer below 500
        statuses = [r.status for r in await asyncio.wait_for(asyncio.gather(*hung), timeout=60)]
        assert all(s < 500 for s in statuses), statuses
    finally:
        await bot.stop()
        await silent.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_serve_stops_on_sigterm_within_10_s_while_turns_hang(db, tmp_path):
    silent = SilentConnector()
    await silent.start()
    connector = FakeConnector(enforce_limits=False)
    await connector.start()
    # messages waiting in the outbox for a conversation at the silent connector: they must survive
    conv = await add_conversation(db, SimpleNamespace(url=silent.url), "waiting")
    queued = [await queue(db, conv, f"Melding {i}", batch="notice:sigterm") for i in range(5)]
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "DATABASE_URL": db.url, "DEFAULT_NETWORK": "digivestland", "LOG_LEVEL": "WARNING",
           "MicrosoftAppId": "", "MicrosoftAppPassword": ""}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api/messages"
    harness = BotHarness(db)  # only for building activities
    harness.connector = connector
    try:
        async with ClientSession() as http:
            for _ in range(300):
                assert proc.poll() is None, log.read_text()
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                await asyncio.sleep(0.1)
            hung = [asyncio.create_task(http.post(url, json=body)) for body in _hanging(harness, silent, 2)]
            for _ in range(200):
                if silent.connections >= 10:
                    break
                await asyncio.sleep(0.05)
            assert silent.connections >= 10, log.read_text()
            body = harness.activity(DV_CHAIR, text="hjelp")
            started = time.monotonic()
            async with http.post(url, json=body, timeout=5) as response:
                assert response.status == 200
            assert time.monotonic() - started < 5
            replies = connector.messages(DV_CHAIR.personal_conversation)
            assert replies and message_text(replies[-1])

            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            for _ in range(120):
                if proc.poll() is not None:
                    break
                await asyncio.sleep(0.1)
            stopped = time.monotonic() - started
            assert proc.poll() is not None, f"serve still running 12 s after SIGTERM\n{log.read_text()[-3000:]}"
            assert stopped < 10, stopped
            for task in hung:
                task.cancel()
            await asyncio.gather(*hung, return_exceptions=True)
    finally:
        if proc.poll() is None:
            proc.kill()
        await connector.stop()
        await silent.stop()
    async with db.session() as session:
        rows = {r.id: r for r in (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.id.in_(queued)))).all()}
    assert sorted(rows) == sorted(queued)  # none lost
    assert all(r.status != "sent" for r in rows.values())  # the silent connector accepted nothing
