"""Load: N concurrent conversations against the real bot on loopback; latency and cost per turn.

`samarbeidsbot bench turns [--conversations 500] [--seconds 60] [--profile]`. The bot (the real app,
real SQLite database on disk, all capabilities loaded) and a bare botbuilder echo bot run in a
child process; this process plays the Bot Connector (the loopback FakeConnector, which receives
every reply) and the 500 users, each in their own personal conversation, sending their next
message as soon as the previous turn is answered. Phases alternate echo / Q&A so that both see
the same machine load. Printed: turns, errors, p50/p99 latency per phase, the bot process's CPU
time per turn, and the Q&A turn's cost relative to the echo turn (target ≤ 1.5×). A third
phase runs the echo bot on the client reuse our adapter has (bot/auth/connector_clients.py), so the
figure also shows what answering a question costs beyond the transport. The per-user
rate limit is switched off here (it would answer most of these turns with "slow down").
With --profile, pyinstrument records the bot process during the Q&A phases and the slowest
frames are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = ["kven leiar styringsgruppa?", "kva kostar det for kommunen?", "når er neste møte i styringsgruppa?",
             "kva er formålet med samarbeidet?", "kor lenge gjeld avtalen?", "kven sit i sekretariatet?",
             "korleis kan ein kommune melde seg ut?", "kva er oppseiingstida?"]


KINDS = ("echo", "echo_reusing", "qa")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds per kind of turn (echo, echo with reused clients, Q&A)")
    parser.add_argument("--profile", action="store_true", help="profile the bot during the Q&A phases")
    parser.add_argument("--no-typing", action="store_true",
                        help="experiment: take the typing-indicator middleware out of the bot's adapter")
    parser.add_argument("--postgres", metavar="ADMIN_URL", default=None,
                        help="run the bot on PostgreSQL: a scratch database is created on this server "
                             "(e.g. postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run_bench)


# --- the child: bot and echo bot ------------------------------------------------------------------

def _echo_app(reuse_clients: bool = False):
    """The bare botbuilder echo bot; with `reuse_clients`, on the same client reuse as our adapter."""
    from aiohttp import web
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    from bot.auth.configuration import auth_configuration
    from bot.auth.connector_clients import ReusingClientsAuthentication
    from bot.config import load_settings

    class Echo(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))

    authentication = ConfigurationBotFrameworkAuthentication(auth_configuration(load_settings()))
    adapter = CloudAdapter(ReusingClientsAuthentication(authentication) if reuse_clients else authentication)
    echo = Echo()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, echo)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


async def _serve(db_url: str) -> None:
    from aiohttp import web

    from bot.app import BOT_KEY, create_app
    from bot.config import load_settings
    from dialogs import ratelimit
    from storage.db import Database

    db = Database(db_url)
    app = create_app(load_settings(DEFAULT_NETWORK="digivestland"), db)
    profiler = {}

    async def profile(request: web.Request) -> web.Response:
        from pyinstrument import Profiler

        if request.match_info["what"] == "start":
            profiler["p"] = profiler.get("p") or Profiler(async_mode="disabled")
            profiler["p"].start()
            return web.Response(text="started")
        profiler["p"].stop()
        return web.Response(text=profiler["p"].output_text(unicode=False, color=False, show_all=os.environ.get("BENCH_PROFILE_ALL") == "1"))

    app.router.add_get("/bench/profile/{what}", profile)
    runners = []
    for application, port in ((app, 0), (_echo_app(), 0), (_echo_app(reuse_clients=True), 0)):
        runner = web.AppRunner(application, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        runners.append((runner, site._server.sockets[0].getsockname()[1]))  # type: ignore[union-attr]
    ratelimit.limiter_for(app[BOT_KEY].services).configure(burst=0, per_minute=0)
    if os.environ.get("BENCH_NO_TYPING") == "1":
        from bot.app_keys import ADAPTER_KEY
        from bot.middleware.typing_indicator import TypingIndicator

        middleware = app[ADAPTER_KEY]._middleware._middleware
        middleware[:] = [m for m in middleware if not isinstance(m, TypingIndicator)]
    print(f"ready {' '.join(str(port) for _runner, port in runners)}", flush=True)
    await asyncio.Event().wait()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- this process: the users and the Bot Connector ------------------------------------------------

def _scratch_url(admin_url: str, name: str) -> str:
    from storage.db import normalise_url

    return normalise_url(admin_url.rsplit("/", 1)[0] + "/" + name)


async def _pg_admin(admin_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _seed(db_url: str, count: int) -> list[str]:
    from sqlalchemy import select

    from storage.db import Database
    from storage.models import Municipality, Network, Person

    db = Database(db_url)
    await db.ensure_ready()
    aads = [f"bbbbbbbb-0000-4000-8000-{n:012d}" for n in range(count)]
    async with db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        munis = (await session.scalars(select(Municipality).where(Municipality.network_id == dv.id))).all()
        for n, aad in enumerate(aads):
            session.add(Person(network_id=dv.id, name=f"Bench Director {n}", email=f"bench{n}@example.org",
                               tenant_id=dv.tenant_ids[0] if dv.tenant_ids else "", aad_object_id=aad,
                               municipality_id=munis[n % len(munis)].id, roles=["director"], language="nn"))
    tenant = dv.tenant_ids[0] if dv.tenant_ids else ""
    await db.dispose()
    return [f"{tenant}|{aad}" for aad in aads]


async def _phase(http, url: str, connector_url: str, users: list[str], seconds: float, kind: str,
                 latencies: list[float], errors: list[str]) -> int:
    import itertools
    import uuid

    deadline = time.perf_counter() + seconds
    counter = itertools.count()

    async def conversation(n: int, who: str) -> None:
        tenant, aad = who.split("|")
        while time.perf_counter() < deadline:
            i = next(counter)
            text = QUESTIONS[i % len(QUESTIONS)] if kind == "qa" else f"hei {i}"
            body = {"type": "message", "id": f"b-{uuid.uuid4().hex}", "channelId": "msteams",
                    "serviceUrl": connector_url, "locale": "nn-NO", "text": text,
                    "from": {"id": f"29:bench-{n}", "name": f"Bench {n}", "aadObjectId": aad},
                    "recipient": {"id": "28:bench", "name": "Samarbeidsbot"},
                    "conversation": {"id": f"a:bench-{n}", "conversationType": "personal", "tenantId": tenant},
                    "channelData": {"tenant": {"id": tenant}}}
            started = time.perf_counter()
            try:
                async with http.post(url, json=body) as response:
                    await response.read()
                    if response.status >= 400:
                        errors.append(f"HTTP {response.status}")
                        continue
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(type(exc).__name__)
                continue
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(conversation(n, who) for n, who in enumerate(users)))
    return len(latencies)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _bench(args: argparse.Namespace) -> dict:


    folder = Path(tempfile.mkdtemp(prefix="samarbeidsbot-turns-"))
    scratch = f"samarbeidsbot_bench_turns_{os.getpid()}"
    if args.postgres:
        await _pg_admin(args.postgres, f'CREATE DATABASE "{scratch}"')
        db_url = _scratch_url(args.postgres, scratch)
    else:
        db_url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    try:
        return await _bench_on(args, folder, db_url)
    finally:
        if args.postgres:
            await _pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


async def _bench_on(args: argparse.Namespace, folder: Path, db_url: str) -> dict:
    from aiohttp import ClientSession, ClientTimeout, TCPConnector

    from bot.standins.connector import FakeConnector

    users = await _seed(db_url, args.conversations)
    connector = FakeConnector(enforce_limits=False)
    await connector.start()
    child_log = folder / "bot.log"
    log_fh = child_log.open("w")
    child = subprocess.Popen([sys.executable, "-m", "bot.bench.turns", "--serve", db_url],
                             stdout=subprocess.PIPE, stderr=log_fh, text=True,
                             env={**os.environ, "BENCH_NO_TYPING": "1" if args.no_typing else "0"},
                             cwd=Path(__file__).resolve().parents[2])

    def failed_turns() -> int:
        """Turns that ended in the apology card (logged by the adapter as 'turn failed')."""
        log_fh.flush()
        return child_log.read_text(errors="replace").count("turn failed [ref")

    def typing() -> int:
        return sum(1 for r in connector.records if r.activity.get("type") == "typing")
    try:
        line = await asyncio.to_thread(child.stdout.readline)  # type: ignore[union-attr]
        if not line.startswith("ready"):
            raise RuntimeError(f"the bot did not start: {line!r}")
        bot_port, echo_port, echo_reusing_port = line.split()[1:]
        urls = {"qa": f"http://127.0.0.1:{bot_port}/api/messages",
                "echo": f"http://127.0.0.1:{echo_port}/api/messages",
                "echo_reusing": f"http://127.0.0.1:{echo_reusing_port}/api/messages"}
        results = {kind: {"latencies": [], "errors": [], "cpu": 0.0, "wall": 0.0, "failed": 0, "typing": 0}
                   for kind in urls}
        async with ClientSession(connector=TCPConnector(limit=0), timeout=ClientTimeout(total=300)) as http:
            for kind in urls:  # warm-up: imports, caches, the Q&A index
                await _phase(http, urls[kind], connector.url, users[:20], 2.0, kind, [], [])
            rounds = 2
            for _ in range(rounds):
                for kind in KINDS:
                    if kind == "qa" and args.profile:
                        await http.get(f"http://127.0.0.1:{bot_port}/bench/profile/start")
                    cpu, wall, failed, typed = _cpu_seconds(child.pid), time.perf_counter(), failed_turns(), typing()
                    await _phase(http, urls[kind], connector.url, users, args.seconds / rounds, kind,
                                 results[kind]["latencies"], results[kind]["errors"])
                    results[kind]["cpu"] += _cpu_seconds(child.pid) - cpu
                    results[kind]["wall"] += time.perf_counter() - wall
                    results[kind]["failed"] += failed_turns() - failed
                    results[kind]["typing"] += typing() - typed
                    if kind == "qa" and args.profile:
                        async with http.get(f"http://127.0.0.1:{bot_port}/bench/profile/stop") as response:
                            results["profile"] = await response.text()
            sample = connector.messages("a:bench-0")[-1:] if connector.messages("a:bench-0") else []
    finally:
        child.terminate()
        child.wait(timeout=10)
        log_fh.close()
        await connector.stop()
    out: dict = {"conversations": args.conversations, "seconds_per_kind": args.seconds,
                 "database": "postgresql" if args.postgres else "sqlite"}
    for kind in KINDS:
        r = results[kind]
        turns = len(r["latencies"])
        out[kind] = {"turns": turns, "errors": len(r["errors"]) + r["failed"],
                     "error_kinds": sorted(set(r["errors"]))[:5] + (
                         [f"{r['failed']} turns failed (apology card; see the bot log)"] if r["failed"] else []),
                     "typing_indicators": r["typing"],
                     "turns_per_second": round(turns / r["wall"], 1) if r["wall"] else 0,
                     "p50_ms": round(_pct(r["latencies"], 0.5) * 1000, 1),
                     "p99_ms": round(_pct(r["latencies"], 0.99) * 1000, 1),
                     "mean_ms": round(statistics.fmean(r["latencies"]) * 1000, 1) if turns else None,
                     "cpu_ms_per_turn": round(r["cpu"] / turns * 1000, 2) if turns else None}
    if out["echo"]["cpu_ms_per_turn"] and out["qa"]["cpu_ms_per_turn"]:
        out["qa_cost_vs_echo"] = round(out["qa"]["cpu_ms_per_turn"] / out["echo"]["cpu_ms_per_turn"], 2)
        out["qa_p50_vs_echo"] = round(out["qa"]["p50_ms"] / out["echo"]["p50_ms"], 2)
    if out["echo_reusing"]["cpu_ms_per_turn"] and out["qa"]["cpu_ms_per_turn"]:
        out["qa_cost_vs_echo_reusing"] = round(
            out["qa"]["cpu_ms_per_turn"] / out["echo_reusing"]["cpu_ms_per_turn"], 2)
    if sample:
        from bot.standins.connector import FakeConnector as _F  # noqa: F401 - for the reader: a real reply

        out["sample_reply"] = (sample[0].get("text") or json.dumps(sample[0].get("attachments"))[:160])[:160]
    if "profile" in results:
        out["profile"] = results["profile"]
    out["bot_log"] = str(child_log)
    return out


def run_bench(args: argparse.Namespace) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING)
    out = asyncio.run(_bench(args))
    if args.json:
        print(json.dumps({k: v for k, v in out.items() if k != "profile"}, ensure_ascii=False))
    else:
        print(f"turns: {args.conversations} concurrent conversations, {args.seconds:.0f} s of each kind "
              f"(bot and echo bot in one child process, "
              f"{'a scratch PostgreSQL database' if args.postgres else 'real SQLite file'}"
              f"{'; typing middleware removed' if args.no_typing else ''})")
        for kind, label in (("echo", "bare botbuilder echo bot"), ("echo_reusing", "echo bot, clients reused"),
                            ("qa", "Samarbeidsbot Q&A turn")):
            r = out[kind]
            print(f"  {label:26} {r['turns']:6} turns  {r['errors']} errors  {r['turns_per_second']:7.1f} turns/s  "
                  f"p50 {r['p50_ms']:8.1f} ms  p99 {r['p99_ms']:8.1f} ms  CPU {r['cpu_ms_per_turn']} ms/turn  "
                  f"{r['typing_indicators']} typing indicators"
                  + (f"  ({', '.join(r['error_kinds'])})" if r["errors"] else ""))
        if "qa_cost_vs_echo" in out:
            print(f"  Q&A turn cost vs echo: {out['qa_cost_vs_echo']}x CPU per turn, {out['qa_p50_vs_echo']}x p50 "
                  f"(target <= 1.5x)")
        if "qa_cost_vs_echo_reusing" in out:
            print(f"  Q&A turn cost vs the echo bot with the same client reuse (bot/auth/connector_clients.py): "
                  f"{out['qa_cost_vs_echo_reusing']}x CPU per turn: what answering itself costs")
        if out.get("sample_reply"):
            print(f"  a reply the connector received: {out['sample_reply']!r}")
        if out.get("profile"):
            print(out["profile"])
    errors = sum(out[kind]["errors"] for kind in KINDS)
    return 0 if errors == 0 else 1


if __name__ == "__main__" and sys.argv[1:2] == ["--serve"]:
    asyncio.run(_serve(sys.argv[2]))
