"""broadcast: one notice to N recipients through the outbox against a loopback Bot Connector.

The stand-in runs in its own process (so its bookkeeping does not weigh on this
process's memory), enforces Teams' limits with the given per-app rate and answers
a given share of requests with 429 + Retry-After. Prints sent, lost, duplicates,
the 429 answers (the injected share apart from those for going over a limit: the
latter would mean the engine paced itself wrongly), achieved/allowed rate, wall
time, peak RSS of the bot side and the machine's load average.

The rate is given twice, both from the stand-in's clock: over the whole broadcast (first to last
accepted message), and over its steady window — the broadcast without its first and last
STEADY_TRIM_SECONDS, where instances start (a second one joins and the shares settle, ≈1.25 s)
and finish (the last rows; a finished instance's share is handed over after one window). The
steady figure is what a long broadcast gets; the whole-run figure is what this one got. Both count
only messages the stand-in accepted, and the stand-in refuses (and counts) every request over the cap
in any sliding second, so neither can exceed it. Rows are inserted and sent in chunks, never all held
at once, so memory should stay flat as N grows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from sqlalchemy import func, insert, select

STEADY_TRIM_SECONDS = 5.0
TENANT = "4d6f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
BOT = {"id": "28:samarbeidsbot-bench", "name": "Samarbeidsbot"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--recipients", type=int, default=10_000)
    p.add_argument("--rate", type=int, default=50, help="allowed requests per second per app and tenant")
    p.add_argument("--fault-429", type=float, default=0.05, help="share of requests answered 429 (0–1)")
    p.add_argument("--retry-after", type=float, default=1.0, help="seconds in the 429 answers' Retry-After")
    p.add_argument("--pacing", choices=("answer", "start"), default="answer",
                   help="count a request until its answer (default, never over a limit) or from its start only")
    p.add_argument("--database", default=None, help="DATABASE_URL (default: a fresh SQLite file)")
    p.add_argument("--instances", type=int, default=0,
                   help="send with this many `samarbeidsbot serve` processes on --database (PostgreSQL), which "
                        "share the rate without configuration; 0 (default): the engine in this process")
    p.add_argument("--json", action="store_true")
    p.set_defaults(coro=run)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


async def _queue(db, url: str, n: int, chunk: int = 2000) -> None:
    from storage.models import ConversationRef, OutboxMessage, utcnow

    now = utcnow()
    for start in range(0, n, chunk):
        refs, rows = [], []
        for i in range(start, min(n, start + chunk)):
            conv = f"a:bench-{i}"
            refs.append(dict(conversation_id=conv, conversation_type="personal", tenant_id=TENANT,
                             aad_object_id=f"aad-{i}", service_url=url, channel_id="msteams", bot_id=BOT["id"],
                             active=True, updated_at=now,
                             reference={"conversation": {"id": conv, "conversationType": "personal"},
                                        "user": {"id": f"29:bench-{i}", "aadObjectId": f"aad-{i}"}, "bot": BOT,
                                        "channelId": "msteams", "serviceUrl": url}))
            rows.append(dict(batch="bench", dedupe_key=f"bench:{i}", conversation_id=conv, language="nb",
                             payload={"text": f"Kunngjering til mottakar {i}", "card": None, "summary": ""},
                             track_kind="", track_subject="", status="queued", attempts=0, not_before=now,
                             claimed_by="", activity_id="", error="", created_at=now))
        async with db.session() as session:
            await session.execute(insert(ConversationRef), refs)
            await session.execute(insert(OutboxMessage), rows)


async def _with_serve_processes(db, args: argparse.Namespace, timeout: float = 3600.0) -> dict[str, int]:
    """Start `samarbeidsbot serve` N times on the database; wait until the outbox is worked off."""
    import asyncio
    import socket

    from storage.models import OutboxMessage

    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "BOT_REGISTRATIONS"))}
    env.update(DATABASE_URL=args.database, DELIVERY_RATE=str(args.rate), LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    processes = []
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - the processes' complaints, closed below
    try:
        for _ in range(args.instances):
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            processes.append(subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
                                              env=env, cwd=Path(__file__).resolve().parents[2],
                                              stdout=subprocess.DEVNULL, stderr=log))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            if any(p.poll() is not None for p in processes):
                log.seek(0)
                raise RuntimeError("a serve process exited early:\n" + log.read()[-3000:])
            async with db.sessions() as session:
                left = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.status.in_(("queued", "sending"))))
            if not left:
                break
        async with db.sessions() as session:
            return dict((await session.execute(select(OutboxMessage.claimed_by, func.count())
                                               .where(OutboxMessage.status == "sent")
                                               .group_by(OutboxMessage.claimed_by))).all())
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        log.close()


async def run(args: argparse.Namespace) -> int:
    from bot.cli.common import UsageError
    from bot.delivery.engine import DeliveryEngine
    from storage.db import Database
    from storage.models import OutboxMessage

    if args.recipients < 1 or args.rate < 1 or not 0 <= args.fault_429 < 1:
        raise UsageError("--recipients and --rate must be positive, --fault-429 from 0 to below 1")
    if args.instances and not (args.database or "").startswith("postgres"):
        raise UsageError("--instances needs --database postgresql://… (the instances share it)")
    load_before = [round(x, 2) for x in os.getloadavg()]
    folder = tempfile.mkdtemp(prefix="bench-broadcast-")
    db = Database(args.database or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
    await db.ensure_ready(load_data=False)
    stand_in = subprocess.Popen(
        [sys.executable, "-m", "bot.standins.connector", "--rate", str(args.rate), "--fault-429",
         str(args.fault_429), "--retry-after", str(args.retry_after), "--seed", "1"],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        url = stand_in.stdout.readline().strip() if stand_in.stdout else ""
        if not url.startswith("http"):
            raise UsageError("the connector stand-in did not start")
        await _queue(db, url, args.recipients)
        engine = None
        started = time.monotonic()
        if args.instances:
            per_instance = await _with_serve_processes(db, args)
        else:
            engine = DeliveryEngine(db, rate=args.rate, pacing_by_start=args.pacing == "start")
            await engine.run(until_idle=True)
        wall = time.monotonic() - started
        async with aiohttp.ClientSession() as http, http.get(url + "_stats") as response:
            stats = await response.json()
        async with db.session() as session:
            by_status = dict((await session.execute(select(OutboxMessage.status, func.count())
                                                    .group_by(OutboxMessage.status))).all())
            if not args.instances:
                per_instance = dict((await session.execute(select(OutboxMessage.claimed_by, func.count())
                                                           .group_by(OutboxMessage.claimed_by))).all())
    finally:
        stand_in.terminate()
        stand_in.wait()
        await db.dispose()
        if not args.database:
            for name in os.listdir(folder):
                os.remove(os.path.join(folder, name))
            os.rmdir(folder)
    reached = stats["conversations"]
    if args.instances:  # the processes' start-up is not sending: the rate while the stand-in accepted
        wall = stats["accepting_seconds"] + 1 / args.rate
    achieved = reached / wall if wall else 0.0
    ticks = stats.get("accepted_per_tick") or []
    trim = round(STEADY_TRIM_SECONDS * 10)  # the stand-in counts per 100 ms
    steady_ticks = ticks[trim:len(ticks) - trim] if len(ticks) > 4 * trim else []
    steady = sum(steady_ticks) / (len(steady_ticks) / 10) if steady_ticks else None
    result = {
        "recipients": args.recipients, "sent": reached, "lost": args.recipients - reached,
        "duplicates": stats["duplicates"], "throttled_429": stats["throttled"],
        "throttled_injected": stats["throttled_injected"], "throttled_over_limit": stats["throttled_over_limit"],
        "requests": stats["requests"],
        "outbox": by_status, "wall_seconds": round(wall, 2), "achieved_rate": round(achieved, 2),
        "allowed_rate": args.rate, "rate_share": round(achieved / args.rate, 4),
        "steady_rate": round(steady, 2) if steady is not None else None,
        "steady_share": round(steady / args.rate, 4) if steady is not None else None,
        "steady_seconds": len(steady_ticks) / 10,
        "per_second": [sum(ticks[i:i + 10]) for i in range(0, len(ticks), 10)],
        "peak_rss_mb": round(_peak_rss_mb(), 1), "fault_429": args.fault_429, "pacing": args.pacing,
        "mean_round_trip_ms": round(1000 * engine.stats.round_trip_seconds / max(1, engine.stats.round_trips), 2)
        if engine else None, "instances": args.instances or 1, "sent_per_instance": sorted(per_instance.values()),
        "load_average": [round(x, 2) for x in os.getloadavg()], "load_before": load_before,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"recipients {args.recipients}: sent {reached}, lost {result['lost']}, duplicates "
              f"{result['duplicates']}")
        print(f"429 answers: {stats['throttled']} ({stats['throttled_injected']} injected, "
              f"{stats['throttled_over_limit']} for going over a limit)")
        if steady is not None:
            print(f"steady rate {steady:.2f}/s of {args.rate}/s allowed ({100 * result['steady_share']:.1f}%) over "
                  f"{result['steady_seconds']:.1f} s (the broadcast without its first and last "
                  f"{STEADY_TRIM_SECONDS:g} s)")
        else:
            print(f"steady rate: the broadcast was too short (under {4 * STEADY_TRIM_SECONDS:g} s) for a steady window")
        print(f"whole broadcast {achieved:.1f}/s of {args.rate}/s allowed ({100 * result['rate_share']:.1f}%), "
              f"wall {wall:.1f} s, peak RSS {result['peak_rss_mb']} MB, mean round trip "
              f"{result['mean_round_trip_ms']} ms")
        if args.instances:
            print(f"{args.instances} serve processes on one PostgreSQL database, sent per instance: "
                  f"{', '.join(str(n) for n in result['sent_per_instance'])}")
        print("load average before {} / after {} (other work on this machine)".format(
            " ".join(f"{x:.2f}" for x in load_before), " ".join(f"{x:.2f}" for x in result["load_average"])))
    return 0 if result["lost"] == 0 and result["duplicates"] == 0 and result["throttled_over_limit"] == 0 else 1
