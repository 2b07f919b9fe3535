"""votes: how fast a vote invoke is answered, and how long until every posted copy shows it.

The DigiVestland steering group (10 with a vote, 2 observers, all with the app) gets a case;
each voting member votes ROUNDS times (changing their vote), over HTTP against the loopback
Bot Connector. Prints the invoke answer time (p50/p95/max; Teams wants it within a few
seconds, we aim under one) and the time until all copies are edited, per vote.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

TENANT = "4d6f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
BOT = {"id": "28:samarbeidsbot-bench", "name": "Samarbeidsbot"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rounds", type=int, default=3, help="votes per voting member")
    p.add_argument("--database", default=None, help="DATABASE_URL (default: a fresh SQLite file)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(coro=run)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run(args) -> int:
    from aiohttp import ClientSession
    from aiohttp.test_utils import TestServer
    from sqlalchemy import func, select

    from bot.app import BOT_KEY, create_app
    from bot.config import load_settings
    from bot.standins.connector import FakeConnector, Member
    from storage.db import Database
    from storage.models import Body, Case, Person, Seat

    url = args.database or f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    db = Database(url)
    await db.ensure_ready()
    connector = FakeConnector(enforce_limits=True)
    await connector.start()
    app = create_app(load_settings(DEFAULT_NETWORK="digivestland"), db)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    http = ClientSession()
    endpoint = str(server.make_url("/api/messages"))

    def activity(person: Person, aad: str, **extra) -> dict:
        return {"id": f"act-{uuid.uuid4().hex}", "channelId": "msteams", "serviceUrl": connector.url,
                "locale": "nn-NO", "from": {"id": f"29:{person.key}", "name": person.name, "aadObjectId": aad},
                "recipient": BOT, "conversation": {"id": f"a:personal-{person.key}", "conversationType": "personal",
                                                   "tenantId": TENANT},
                "channelData": {"tenant": {"id": TENANT}}, **extra}

    async def post(body: dict) -> dict | None:
        async with http.post(endpoint, json=body) as response:
            return await response.json() if response.content_type == "application/json" else None

    try:
        async with db.session() as session:
            rows = (await session.execute(select(Person, Seat.role).join(Seat, Seat.person_id == Person.id).join(
                Body, Body.id == Seat.body_id).where(Body.key == "styringsgruppa").order_by(Seat.id))).all()
            secretariat = await session.scalar(select(Person).where(Person.key == "dv-sekretariat-1"))
        people = [(p, role, p.aad_object_id or str(uuid.uuid4())) for p, role in rows]
        people.append((secretariat, "secretariat", secretariat.aad_object_id))
        for person, _role, aad in people:
            connector.add_member(Member(id=f"29:{person.key}", name=person.name, aad_object_id=aad,
                                        email=person.email, upn=person.email, tenant_id=TENANT))
            await post(activity(person, aad, type="conversationUpdate", membersAdded=[{"id": BOT["id"]}]))
        sec = people[-1]
        start = {"action": "vote.draft", "body": "styringsgruppa", "title": "Bench", "proposal": "P",
                 "deadline": "om to veker"}
        await post(activity(sec[0], sec[2], type="message", value=start))
        confirm = [r.activity for r in connector.records if r.op in ("send", "reply")][-1]
        send = next(a["data"] for a in confirm["attachments"][0]["content"]["actions"]
                    if a["data"]["action"] == "vote.open")
        await post(activity(sec[0], sec[2], type="message", value=send))
        async with db.session() as session:
            case_id = await session.scalar(select(func.max(Case.id)))
        bot = app[BOT_KEY]
        await bot.drain()
        answer, settle = [], []
        voters = [(p, aad) for p, role, aad in people if role in ("chair", "voting_member")]
        for round_no in range(args.rounds):
            for person, aad in voters:
                option = ("einig", "avstar")[(round_no + len(person.key)) % 2]
                body = activity(person, aad, type="invoke", name="adaptiveCard/action",
                                value={"action": {"type": "Action.Execute", "verb": "vote.cast",
                                                  "data": {"case": case_id, "option": option}}})
                began = time.perf_counter()
                await post(body)
                answer.append(time.perf_counter() - began)
                from bot.delivery.engine import has_due

                await bot.drain()
                while await has_due(db):
                    await bot.drain()
                settle.append(time.perf_counter() - began)
        updates = sum(1 for r in connector.records if r.op == "update")
        result = {"votes": len(answer), "copies": len(people) - 1, "card_updates": updates,
                  "answer_ms": {"p50": round(statistics.median(answer) * 1000, 1),
                                "p95": round(_pct(answer, 0.95) * 1000, 1), "max": round(max(answer) * 1000, 1)},
                  "all_copies_updated_ms": {"p50": round(statistics.median(settle) * 1000, 1),
                                            "p95": round(_pct(settle, 0.95) * 1000, 1),
                                            "max": round(max(settle) * 1000, 1)},
                  "database": "sqlite" if db.is_sqlite else "postgresql"}
    finally:
        await http.close()
        await server.close()
        await connector.stop()
        await db.dispose()
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['votes']} votes, {result['copies']} posted copies, {updates} card edits ({result['database']})")
        print("invoke answered (ms): p50 {p50}  p95 {p95}  max {max}".format(**result["answer_ms"]))
        print("all copies updated (ms): p50 {p50}  p95 {p95}  max {max}".format(**result["all_copies_updated_ms"]))
    return 0
