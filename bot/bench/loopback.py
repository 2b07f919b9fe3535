"""The real app on a loopback port, talking to the loopback Bot Connector: for benchmarks.

(The tests have their own richer harness in tests/harness.py; bot/ cannot import tests/.)
"""

from __future__ import annotations

import itertools
import json
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector
from aiohttp.test_utils import TestServer

from bot.app import BOT_KEY, create_app
from bot.config import load_settings
from bot.standins.connector import FakeConnector
from storage.db import Database

DEMO_TENANT = "4d6f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
BOT_ID = "28:samarbeidsbot-bench"


@dataclass(frozen=True)
class User:
    key: str
    aad: str
    tenant: str = DEMO_TENANT
    name: str = "Bench user"

    @property
    def teams_id(self) -> str:
        return f"29:{self.key}"

    @property
    def personal_conversation(self) -> str:
        return f"a:personal-{self.key}"


# Demo people with fixed Teams identities (data/), plus someone unknown and someone from another tenant.
DEMO_USERS = (
    User("dv-direktor", "00000000-0000-0000-0000-000000000001"),
    User("dv-sekretariat", "00000000-0000-0000-0000-000000000002"),
    User("dv-leiar", "00000000-0000-0000-0000-000000000003"),
    User("dv-observator", "00000000-0000-0000-0000-000000000004"),
    User("da-direktor", "00000000-0000-0000-0000-000000000011"),
    User("stranger", "99999999-0000-0000-0000-000000000099"),
    User("outsider", "88888888-0000-0000-0000-000000000088", tenant="bbbbbbbb-0000-0000-0000-00000000000b"),
)


async def seeded_database(folder: Path | None = None) -> Database:
    """A fresh SQLite database with the schema and the bundled data."""
    folder = folder or Path(tempfile.mkdtemp(prefix="samarbeidsbot-bench-"))
    db = Database(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await db.ensure_ready()
    return db


class LoopbackBot:
    def __init__(self, db: Database, *, default_network: str = "digivestland", connections: int = 100):
        self.db = db
        self.settings = load_settings(DEFAULT_NETWORK=default_network)
        self.connector = FakeConnector(enforce_limits=False)
        self.connections = connections
        self._ids = itertools.count(1)

    async def start(self) -> None:
        await self.connector.start()
        self.app = create_app(self.settings, self.db)
        self.server = TestServer(self.app, host="127.0.0.1")
        await self.server.start_server()
        self.http = ClientSession(connector=TCPConnector(limit=self.connections),
                                  timeout=ClientTimeout(total=120))
        self.url = str(self.server.make_url("/api/messages"))

    async def stop(self) -> None:
        await self.http.close()
        await self.server.close()
        await self.connector.stop()

    @property
    def services(self):
        return self.app[BOT_KEY].services

    async def drain(self) -> None:
        await self.app[BOT_KEY].drain()

    def activity(self, user: User, *, text: str | None = None, conversation_id: str | None = None,
                 **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "message", "id": f"act-{next(self._ids)}-{uuid.uuid4().hex[:6]}",
            "timestamp": "2026-11-23T09:00:00.000Z", "channelId": "msteams",
            "serviceUrl": self.connector.url, "locale": "nn-NO",
            "from": {"id": f"29:{user.key}", "name": user.name, "aadObjectId": user.aad},
            "recipient": {"id": BOT_ID, "name": "Samarbeidsbot"},
            "conversation": {"id": conversation_id or f"a:personal-{user.key}", "conversationType": "personal",
                             "tenantId": user.tenant},
            "channelData": {"tenant": {"id": user.tenant}},
        }
        if text is not None:
            body["text"] = text
        body.update(extra)
        return body

    async def post(self, body: Any = None, *, raw: bytes | None = None,
                   content_type: str = "application/json") -> tuple[int, bytes]:
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.http.post(self.url, data=data, headers={"Content-Type": content_type}) as response:
            return response.status, await response.read()
