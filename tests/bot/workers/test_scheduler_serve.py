"""Acceptance 3: two real `samarbeidsbot serve` processes on one PostgreSQL database send each
reminder exactly once — one outbox row per reminder per recipient, and (when the delivery
worker is part of `serve`) one message per reminder per recipient at the Bot Connector."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.standins.connector import FakeConnector
from dialogs.meetings import service
from storage.models import ConversationRef, Event, Job, Network, OutboxMessage
from storage.models.meetings import EventDetail
from tests.conftest import PG_AVAILABLE, _database_from, _pg_admin
from tests.harness import BOT_ID, TENANT, message_text

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason="needs PostgreSQL")
ROOT = Path(__file__).resolve().parents[3]
EVENTS = 4
DAYS = (7, 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _delivery_in_serve() -> bool:
    from bot.app import WORKERS

    return "delivery" in dict(WORKERS)


async def _prepare(db, connector_url: str, due: datetime) -> int:
    """Meetings of the steering group with both reminders due at `due`; every seat holder has the app."""
    async with db.session() as session:
        network = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        people = await service.audience_people(session, network, "body:styringsgruppa")
        for person in people:
            conversation = f"a:serve-{person.id}"
            session.add(ConversationRef(
                conversation_id=conversation, conversation_type="personal", tenant_id=TENANT,
                aad_object_id=person.aad_object_id, person_id=person.id, network_id=network.id,
                service_url=connector_url, bot_id=BOT_ID,
                reference={"serviceUrl": connector_url, "channelId": "msteams",
                           "conversation": {"id": conversation, "conversationType": "personal", "tenantId": TENANT},
                           "bot": {"id": BOT_ID, "name": "Samarbeidsbot"}, "user": {"id": f"29:p{person.id}"}}))
        for i in range(EVENTS):
            start = due + timedelta(days=10 + i)
            event = Event(network_id=network.id, key=f"serve-test-{i}", kind="meeting", title=f"Prøvemøte {i}",
                          audience="body:styringsgruppa", starts_at=start, ends_at=start + timedelta(hours=2),
                          place="Teams", source="teams")
            session.add(event)
            await session.flush()
            session.add(EventDetail(event_id=event.id, agenda=[], audience={"code": "body:styringsgruppa"},
                                    remind_days=list(DAYS)))
            for d in DAYS:  # as if the bot had been down: every reminder is due at the same moment
                session.add(Job(kind=service.REMINDER_KIND, key=f"event:{event.id}:reminder:{d}d", run_at=due,
                                network_id=network.id, payload={"event_id": event.id, "days": d,
                                                                "starts_at": start.isoformat(),
                                                                "expires_at": start.isoformat()}))
        return len(people)


async def _wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession() as http:
        while asyncio.get_running_loop().time() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("serve did not become healthy")


async def test_two_serve_processes_send_each_reminder_exactly_once(templates, tmp_path):
    db, pg_name = await _database_from(templates, "postgresql", True, tmp_path)
    connector = FakeConnector(enforce_limits=False)
    await connector.start()
    procs: list[subprocess.Popen] = []
    try:
        await db.ensure_ready()
        due = datetime.now(UTC) + timedelta(seconds=4)  # both instances are polling when the jobs fall due
        audience = await _prepare(db, connector.url, due)
        env = {**os.environ, "DATABASE_URL": db.url, "SCHEDULER_POLL_SECONDS": "0.1", "LOG_LEVEL": "WARNING",
               "MicrosoftAppId": "", "MicrosoftAppPassword": "", "DEFAULT_NETWORK": "", "PUBLIC_URL": "http://bot.test"}
        ports = [_free_port(), _free_port()]
        for port in ports:
            procs.append(subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], cwd=ROOT,
                                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        await asyncio.gather(*(_wait_healthy(p, proc) for p, proc in zip(ports, procs, strict=True)))

        expected = EVENTS * len(DAYS) * audience
        for _ in range(300):
            async with db.session() as session:
                open_jobs = await session.scalar(select(func.count()).select_from(Job).where(
                    Job.kind == service.REMINDER_KIND, Job.status.in_(("pending", "running"))))
            if open_jobs == 0:
                break
            await asyncio.sleep(0.1)
        async with db.session() as session:
            rows = (await session.scalars(select(OutboxMessage).where(
                OutboxMessage.batch.like("event:%:reminder:%")))).all()
            jobs = (await session.scalars(select(Job).where(Job.kind == service.REMINDER_KIND))).all()
        assert {j.status for j in jobs} == {"done"} and all(j.attempts == 1 for j in jobs)
        per_reminder = Counter((r.batch, r.person_id) for r in rows)
        assert len(rows) == expected and set(per_reminder.values()) == {1}

        if _delivery_in_serve():
            messages = await connector.wait_for_messages(expected, timeout=60)
            await asyncio.sleep(1.0)  # a duplicate would arrive now
            messages = connector.messages()
            seen = Counter((m["conversation"]["id"], message_text(m)) for m in messages)
            assert len(messages) == expected and set(seen.values()) == {1}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        await connector.stop()
        await db.dispose()
        if pg_name:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
