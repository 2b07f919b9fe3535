"""Fuzz the bot over HTTP: random activities and card payloads; prints cases, failures and rate.

`samarbeidsbot bench fuzz [--cases 100000] [--seed N] [--workers 2]`. Each case is posted to the real app on
loopback (with the loopback Bot Connector). A case fails when the bot answers 5xx, a turn ends in
an unhandled exception (the apology path, logged at ERROR), or a failed turn left rows behind;
database invariants (every stored consultation answer and vote has its audit entry, foreign
keys hold, integrity check) are checked every 1,000 cases and at the end. The same strategies
drive the property-based tests in tests/test_fuzz_*.py with a small number of examples.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from bot.bench.loopback import DEMO_USERS, LoopbackBot, User

ROOT = Path(__file__).resolve().parents[2]
# Tables whose rows a turn writes outside the dialog's transaction (bookkeeping, not state).
BOOKKEEPING = {"processed_activities", "conversation_refs", "user_preferences", "audit_log", "posted_cards",
               "outbox", "jobs"}


def card_data_keys() -> list[str]:
    """Every key a card handler reads (`data.get("x")`, `data["x"]`), found in dialogs/ source."""
    keys: set[str] = {"action", "q_hovudsyn", "q_merknader", "on_behalf_of", "own_council_date", "note", "verb"}
    pattern = re.compile(r"""(?:data|value|payload|form)(?:\.get\(|\[)["']([A-Za-z_][A-Za-z0-9_]*)["']""")
    for path in (ROOT / "dialogs").rglob("*.py"):
        keys.update(pattern.findall(path.read_text(encoding="utf-8")))
    return sorted(keys)


# --- strategies ---------------------------------------------------------------------------------
# Each strategy is built once (`cache`): building one inside a draw made hypothesis validate it
# anew for every case, which cost more than the bot's turn (profile of 300 cases).

@cache
def texts(max_size: int = 300) -> st.SearchStrategy[str]:
    odd = st.sampled_from(["", " ", "\u200b", "\x00", "<at>Samarbeidsbot</at>", "hjelp", "høyring", "språk en",
                           "ny høyring", "🤖" * 50, "'; DROP TABLE people; --", "%s %(x)s {x} {0}", "\r\n" * 20,
                           "kva er fristen?", "ﷺ" * 30, "a" * 2001, "Ærlig talt ÆØÅ æøå", "null", "1e309"])
    return st.one_of(odd, st.text(max_size=max_size), st.text(alphabet="æøåÆØÅ abc.?!", max_size=max_size))


@cache
def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                        st.floats(allow_nan=False, allow_infinity=False), texts(80))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
        max_leaves=max_leaves)


@cache
def plausible_values() -> st.SearchStrategy[Any]:
    """Values close to what cards send: keys of real things, numbers as strings, dates, long text."""
    return st.one_of(
        st.sampled_from(["juli-2024-revidert-avtale", "test-hoyring", "sak-2026-001", "1", "0", "-1", "2",
                         "individual", "joint", "no_input", "einig", "ueinig", "yes", "no", "maybe",
                         "2026-12-01", "2026-12-01T10:00:00+01:00", "2020-01-01T00:00:00", "i morgon kl. 10",
                         "neste tysdag", "after_vote", "at_once", "nn", "nb", "en", "true", "false",
                         "https://example.org/x", "javascript:alert(1)", "x" * 20_000, "9" * 30, "²", "١٢",
                         "-0", " 1", "1.5", "0x10"]),
        st.integers(min_value=-5, max_value=50), json_values(4), texts(120))


def card_payloads(actions: list[str], keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return _card_payloads(tuple(actions), tuple(keys))


@cache
def _card_payloads(actions: tuple[str, ...], keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    data = st.dictionaries(st.sampled_from(keys) | st.text(max_size=12),
                           st.one_of(plausible_values(), json_values(3)), max_size=8)
    return st.builds(lambda verb, d: {**d, "action": verb}, st.sampled_from(actions), data)


@cache
def users() -> st.SearchStrategy[User]:
    return st.sampled_from(DEMO_USERS)


@cache
def _subsets(fields: tuple[str, ...], max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(fields), max_size=max_size, unique=True)


KINDS = st.sampled_from(["message", "message", "message", "invoke", "conversationUpdate", "installationUpdate",
                         "messageReaction", "event", "typing", "json", "bytes"])
BYTES = st.one_of(st.binary(max_size=200), st.sampled_from([
    b'{"type": "message", "text": "\\ud800"}', b"\xff\xfe{}", b"[]", b"{" * 500, b'{"type": 1}',
    b"[" * 1000 + b"]" * 1000, b'{"a":' * 3000 + b"1" + b"}" * 3000,  # deeper than the parser's stack
    b'{"type": "message", "id": ' + b"9" * 5000 + b"}"]))  # longer than int() accepts
AAD_IDS = st.one_of(st.none(), texts(40), json_values(2))
CONVERSATION_TYPES = st.sampled_from(["personal", "groupChat", "channel", "", "weird", None])
BOT_MENTION = [{"type": "mention", "text": "<at>Samarbeidsbot</at>"}]  # + "mentioned": the bot's id
INVOKE_NAMES = st.sampled_from(["adaptiveCard/action", "task/fetch", "composeExtension/query", ""])
EXECUTE_VALUES = st.builds(lambda verb, data: {"action": {"type": "Action.Execute", "verb": verb, "data": data}},
                           texts(40), json_values(4))
INSTALL_ACTIONS = st.sampled_from(["add", "remove", "add-upgrade", "", "x"])
LOCALES = st.one_of(st.sampled_from(["nb-NO", "nn-NO", "en-US", "no", "xx", ""]), texts(10))
ADDRESSING_FIELDS = st.sampled_from(["serviceUrl", "conversation", "recipient", "from", "id", "channelData"])
HOSTILE_ADDRESSING = st.one_of(json_values(3), st.sampled_from([
    "not a url", "http://[::1", "http://127.0.0.1:0/", "http://\ud800.example/", "x" * 5000,
    {"id": "\x00"}, {"id": "\ud800"}, {"id": "c" * 20_000}, {"id": 5}, {"name": ["x"]},
    {"tenant": {"id": "t" * 5000}}]))
MENTION_TEXTS = st.one_of(texts(20), json_values(1))


def _drop_and_twist(body: dict[str, Any], draw) -> dict[str, Any]:
    """Remove some fields and give others an odd type. The addressing fields the Bot Connector
    itself sets (serviceUrl — pinned by its token —, the activity and conversation ids, the
    recipient) stay well-formed: with them broken no reply can be delivered anywhere, which is
    tested on its own (tests/bot/test_fuzz_activities.py)."""
    fields = tuple(k for k in body if k not in ("serviceUrl", "id", "conversation", "recipient"))
    for key in draw(_subsets(fields, 3)):
        body.pop(key, None)
    for key in draw(_subsets(fields, 2)):
        body[key] = draw(json_values(3))
    if draw(st.booleans()) and isinstance(body.get("from"), dict):
        body["from"]["aadObjectId"] = draw(AAD_IDS)
    if draw(st.booleans()) and isinstance(body.get("conversation"), dict):
        body["conversation"]["conversationType"] = draw(CONVERSATION_TYPES)
    return body


@st.composite
def activities(draw, bot: LoopbackBot) -> dict[str, Any] | bytes:
    """A whole HTTP body: mostly activities (some damaged), sometimes arbitrary JSON or bytes."""
    kind = draw(KINDS)
    if kind == "bytes":
        return draw(BYTES)
    if kind == "json":
        return json.dumps(draw(json_values(10))).encode()
    user = draw(users())
    body = bot.activity(user, type=kind)
    if kind == "message":
        body["text"] = draw(texts(3000))
        if draw(st.booleans()):
            body["value"] = draw(json_values(6))
        if draw(st.booleans()):
            mention = [{**BOT_MENTION[0], "mentioned": {"id": body["recipient"]["id"]}}]
            body["entities"] = draw(st.one_of(json_values(4), st.just(mention)))
    elif kind == "invoke":
        body["name"] = draw(INVOKE_NAMES)
        body["value"] = draw(st.one_of(json_values(6), EXECUTE_VALUES))
    elif kind == "conversationUpdate":
        bot_member = st.just([{"id": body["recipient"]["id"]}])
        body["membersAdded"] = draw(st.one_of(bot_member, json_values(3)))
        if draw(st.booleans()):
            body["membersRemoved"] = draw(st.one_of(bot_member, json_values(3)))
    elif kind == "installationUpdate":
        body["action"] = draw(INSTALL_ACTIONS)
    else:
        body["value"] = draw(json_values(4))
    if draw(st.booleans()):
        body["locale"] = draw(LOCALES)
    if draw(st.integers(0, 3)) == 0:
        body = _drop_and_twist(body, draw)
    if draw(st.integers(0, 9)) == 0:  # the addressing fields themselves hostile (issue 16)
        body[draw(ADDRESSING_FIELDS)] = draw(HOSTILE_ADDRESSING)
    if kind == "message" and draw(st.integers(0, 9)) == 0:
        body["entities"] = [{"type": "mention", "text": draw(MENTION_TEXTS), "mentioned": draw(json_values(2))}]
    return body


@st.composite
def card_cases(draw, bot: LoopbackBot, actions: list[str], keys: list[str]) -> dict[str, Any]:
    """A card button pressed by someone: as a message submit (Action.Submit) or an invoke (Action.Execute)."""
    user = draw(users())
    data = draw(card_payloads(actions, keys))
    if draw(st.booleans()):
        return bot.activity(user, value=data)
    verb = data.pop("action")
    return bot.activity(user, type="invoke", name="adaptiveCard/action",
                        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"})


# --- running a case -----------------------------------------------------------------------------

class ErrorLog(logging.Handler):
    """Collects ERROR records (an unhandled exception in a turn is logged at ERROR by the adapter)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "asyncio" and record.getMessage().startswith("Task was destroyed but it is pending"):
            return  # botbuilder's typing timers, collected at shutdown: not a failed turn
        self.records.append(record)


class Fuzzer:
    def __init__(self, bot: LoopbackBot):
        self.bot = bot
        self.errors = ErrorLog()
        self.tables: list[str] = []
        self._sql = ""
        self._reader: sqlite3.Connection | None = None

    async def start(self) -> None:
        logging.getLogger().addHandler(self.errors)
        from dialogs import ratelimit

        ratelimit.limiter_for(self.bot.services).configure(burst=0, per_minute=0)  # measure the bot, not the limit
        from storage.models import Base

        self.tables = [t.name for t in Base.metadata.sorted_tables if t.name not in BOOKKEEPING]
        self._sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in self.tables)
        if self.bot.db.is_sqlite:
            # The counts taken before every case, on SQLite from a read-only connection of the harness's
            # own: through the bot's engine they cost three trips to aiosqlite's thread (BEGIN IMMEDIATE,
            # the query, ROLLBACK), ~6 ms a case under load against 0.1 ms here. The bot is drained
            # when they are taken, so both see the same committed rows.
            path = self.bot.db.engine.url.database
            self._reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                                           check_same_thread=False)  # the tests close it from another thread

    def stop(self) -> None:
        logging.getLogger().removeHandler(self.errors)
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    async def counts(self) -> tuple[int, ...]:
        """Rows in every table the dialogs write (not bookkeeping)."""
        if self._reader is not None:
            return tuple(self._reader.execute(self._sql).fetchone())
        from sqlalchemy import text

        async with self.bot.db.engine.connect() as conn:
            return tuple((await conn.execute(text(self._sql))).one())

    async def run(self, case: dict[str, Any] | bytes) -> list[str]:
        """Post one case; the problems it caused (empty when the bot behaved)."""
        before_errors = len(self.errors.records)
        before = await self.counts()
        if isinstance(case, bytes):
            status, body = await self.bot.post(raw=case)
        else:
            status, body = await self.bot.post(case)
        await self.bot.drain()
        problems = []
        if status >= 500 and not (status == 501 and _unimplemented_invoke(case)):
            problems.append(f"HTTP {status}: {body[:200]!r}")
        new_errors = self.errors.records[before_errors:]
        if new_errors:
            first = new_errors[0]
            exc = first.exc_info[1] if first.exc_info else None
            problems.append(f"unhandled: {first.getMessage()[:120]} {type(exc).__name__ if exc else ''}: "
                            f"{str(exc)[:200] if exc else ''}")
            after = await self.counts()
            changed = [t for t, a, b in zip(self.tables, before, after, strict=True) if a != b]
            if changed:
                problems.append(f"a failed turn left rows in {', '.join(changed)}")
        return problems


def _short(case: dict[str, Any] | bytes) -> str:
    """The case without the fields every generated activity shares, for the report."""
    if isinstance(case, bytes):
        return repr(case[:300])
    same = ("timestamp", "channelId", "serviceUrl", "recipient", "channelData")
    shown = {k: v for k, v in case.items() if k not in same}
    for key in ("text",):
        if isinstance(shown.get(key), str) and len(shown[key]) > 80:
            shown[key] = shown[key][:80] + f"…({len(case[key])} chars)"
    return json.dumps(shown, ensure_ascii=False)[:600]


def _unimplemented_invoke(case: dict[str, Any] | bytes) -> bool:
    """botbuilder answers 501 Not Implemented to invoke names the bot does not handle (task modules,
    message extensions; the manifest declares none, so Teams never sends them): that is the protocol."""
    return isinstance(case, dict) and case.get("type") == "invoke" and case.get("name") != "adaptiveCard/action"


async def invariants(db) -> list[str]:
    """Whole-database checks: every official record has its audit entry; keys and pages are sound."""
    from sqlalchemy import text

    problems = []
    async with db.engine.connect() as conn:
        orphan_answers = (await conn.execute(text(
            "SELECT count(*) FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id "
            "WHERE r.source = 'teams' AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE "
            "a.action = 'consultation.answer' AND a.target LIKE c.key || '/%')"))).scalar()
        if orphan_answers:
            problems.append(f"{orphan_answers} consultation answers without an audit entry")
        votes, audited = (await conn.execute(text(
            "SELECT (SELECT count(*) FROM votes), (SELECT count(*) FROM audit_log WHERE action = 'vote.cast')")
        )).one()
        if votes > audited:
            problems.append(f"{votes} votes but {audited} vote.cast audit entries")
        if db.is_sqlite:
            fk = (await conn.execute(text("PRAGMA foreign_key_check"))).all()
            if fk:
                problems.append(f"foreign key violations: {fk[:3]}")
            check = (await conn.execute(text("PRAGMA integrity_check"))).scalar()
            if check != "ok":
                problems.append(f"integrity: {check}")
    return problems


# --- the bench ----------------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1,
                        help="processes, each with its own database and seed (seed, seed+1, …), cases shared out")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--postgres", metavar="ADMIN_URL", default=None,
                        help="run against a scratch PostgreSQL database created through this admin URL "
                             "(e.g. postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards")
    parser.set_defaults(func=run_bench)


def run_bench(args: argparse.Namespace) -> int:
    if args.workers > 1:
        return _run_workers(args)
    return _run_one(args)


def _run_workers(args: argparse.Namespace) -> int:
    """The cases shared out over several processes (one core each); their figures added up."""
    import subprocess

    base = args.seed if args.seed is not None else int(time.time()) % 100_000
    shares = [args.cases // args.workers + (1 if n < args.cases % args.workers else 0) for n in range(args.workers)]
    started = time.perf_counter()
    children = [subprocess.Popen([sys.executable, "-m", "bot.cli", "bench", "fuzz", "--cases", str(share),
                                  "--seed", str(base + n), "--json",
                                  *(["--postgres", args.postgres] if args.postgres else [])],
                                 stdout=subprocess.PIPE, text=True, cwd=ROOT)
                for n, share in enumerate(shares)]
    results = []
    for child in children:
        out, _ = child.communicate()
        lines = [line for line in out.splitlines() if line.startswith("{")]
        results.append(json.loads(lines[-1]) if lines else {"cases": 0, "failures": 1,
                                                            "samples": [f"worker exited {child.returncode}"]})
    elapsed = time.perf_counter() - started
    total = {key: sum(r.get(key, 0) for r in results)
             for key in ("cases", "failures", "http_5xx", "unhandled", "half_written")}
    samples = [s for r in results for s in r.get("samples", [])][:10]
    result = {**total, "seconds": round(elapsed, 1), "rate_per_second": round(total["cases"] / elapsed, 1),
              "workers": args.workers, "seeds": [base + n for n in range(args.workers)], "samples": samples}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"fuzz: {total['cases']} cases over HTTP in {args.workers} processes (seeds {result['seeds']}), "
              f"{total['failures']} failures ({total['http_5xx']} HTTP 5xx, {total['unhandled']} unhandled "
              f"exceptions, {total['half_written']} half-written), {elapsed:.0f} s, "
              f"{result['rate_per_second']:.0f} cases/s")
        for sample in samples:
            print("  " + sample)
    return 0 if total["failures"] == 0 and total["cases"] == args.cases else 1


def _run_one(args: argparse.Namespace) -> int:
    from hypothesis import HealthCheck, Phase, given, seed, settings

    from bot.bench.loopback import seeded_database
    from dialogs import router

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("msrest.serialization").setLevel(logging.ERROR)  # as `serve` does: it quotes fuzzed keys
    loop = asyncio.new_event_loop()
    # The database on tmpfs when there is one: this bench is about robustness, not fsync speed.
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix="samarbeidsbot-fuzz-", dir=shm if shm.is_dir() else None))
    scratch = f"samarbeidsbot_bench_fuzz_{os.getpid()}"
    if args.postgres:
        from bot.bench.turns import _pg_admin, _scratch_url
        from storage.db import Database

        loop.run_until_complete(_pg_admin(args.postgres, f'CREATE DATABASE "{scratch}"'))
        db = Database(_scratch_url(args.postgres, scratch))
        loop.run_until_complete(db.ensure_ready())
    else:
        db = loop.run_until_complete(seeded_database(folder))
    bot = LoopbackBot(db)
    loop.run_until_complete(bot.start())
    fuzzer = Fuzzer(bot)
    loop.run_until_complete(fuzzer.start())
    actions = sorted(router.CARD_ACTIONS)
    keys = card_data_keys()
    stats = {"cases": 0, "failures": 0, "http_5xx": 0, "unhandled": 0, "half_written": 0}
    samples: list[str] = []
    strategy = st.one_of(activities(bot), card_cases(bot, actions, keys), card_cases(bot, actions, keys))
    started = time.perf_counter()
    # With --json (a worker of several) progress goes to stderr, which the parent passes through.
    progress = sys.stderr if args.json else sys.stdout
    who = f"[seed {args.seed}] " if args.json else ""

    def one(case) -> None:
        problems = loop.run_until_complete(fuzzer.run(case))
        stats["cases"] += 1
        if problems:
            stats["failures"] += 1
            stats["http_5xx"] += any(p.startswith("HTTP") for p in problems)
            stats["unhandled"] += any(p.startswith("unhandled") for p in problems)
            stats["half_written"] += any(p.startswith("a failed turn") for p in problems)
            if len(samples) < 10:
                samples.append(f"{problems} ← {_short(case)}")
                print(f"  {who}failure: {samples[-1]}", file=progress, flush=True)
        if stats["cases"] % 1000 == 0:
            problems = loop.run_until_complete(invariants(db))
            if problems:
                stats["failures"] += 1
                samples.append(f"invariants after {stats['cases']} cases: {problems}")
            elapsed = time.perf_counter() - started
            print(f"  {who}{stats['cases']} cases, {stats['failures']} failures, {elapsed:.0f} s, "
                  f"{stats['cases'] / elapsed:.0f} cases/s", file=progress, flush=True)

    test = settings(max_examples=args.cases, database=None, deadline=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck))(given(strategy)(one))
    if args.seed is not None:
        test = seed(args.seed)(test)
    try:
        test()
    finally:
        end_problems = loop.run_until_complete(invariants(db))
        fuzzer.stop()
        loop.run_until_complete(bot.stop())
        loop.run_until_complete(db.dispose())
        if args.postgres:
            loop.run_until_complete(_pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        loop.close()
        shutil.rmtree(folder, ignore_errors=True)
    elapsed = time.perf_counter() - started
    if end_problems:
        stats["failures"] += 1
        samples.append(f"invariants at the end: {end_problems}")
    result = {**stats, "seconds": round(elapsed, 1), "rate_per_second": round(stats["cases"] / elapsed, 1),
              "card_actions": len(actions), "database": "postgresql" if args.postgres else "sqlite",
              "samples": samples}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"fuzz: {stats['cases']} cases over HTTP on {result['database']} ({len(actions)} card actions), "
              f"{stats['failures']} failures "
              f"({stats['http_5xx']} HTTP 5xx, {stats['unhandled']} unhandled exceptions, "
              f"{stats['half_written']} half-written), {elapsed:.0f} s, {result['rate_per_second']:.0f} cases/s")
        for sample in samples:
            print("  " + sample)
    return 0 if stats["failures"] == 0 else 1
