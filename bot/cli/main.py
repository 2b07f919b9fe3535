"""The `samarbeidsbot` command line: the secretariat's automation and a stable surface for tests.

Every command that touches the database first creates the schema and loads the
bundled data if the database is empty. Exit codes: 0 ok, 1 failed, 2 bad usage
(unknown network, bad arguments, bad configuration or data).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from bot.bench import add_benches
from bot.cli import (
    agreements,
    archive,
    backup,
    cards,
    consultations,
    manifest,
    notices,
    people,
    qa,
    routines,
    votes,
)
from bot.cli.common import EXIT_USAGE, UsageError, cli_settings, ready_db
from storage.db import Database, data_dir
from storage.validate import DataError

SHUTDOWN_SECONDS = 4.0

# --- commands -----------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def unauthenticated_bind_refusal(host: str, app_id: str, allow: str) -> str | None:
    """Why `serve` will not start: without MicrosoftAppId there is no authentication (identity is whatever
    `from.aadObjectId` says), which is only safe on loopback (local development, the Agents Playground)."""
    if app_id or _is_loopback(host) or allow.strip().lower() in ("1", "true", "yes"):
        return None
    return (f"Configuration error:\n  serve --host {host}: MicrosoftAppId is empty, so requests are not "
            "authenticated and anyone who can reach the port can act as any user.\n  Set MicrosoftAppId and "
            "MicrosoftAppPassword (the bot's Azure registration), bind to 127.0.0.1, or — only behind your own "
            "authenticating gateway — set ALLOW_UNAUTHENTICATED=true.")


def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import create_app
    from bot.logging_setup import configure

    settings = cli_settings()
    if refusal := unauthenticated_bind_refusal(args.host, settings.app_id, os.environ.get("ALLOW_UNAUTHENTICATED", "")):
        print(refusal, file=sys.stderr)
        return EXIT_USAGE
    configure(settings)  # LOG_FILE, LOG_RETENTION_DAYS; no user text at INFO and above
    port = args.port or settings.port
    if not settings.app_id:
        print("WARNING: MicrosoftAppId is empty: no authentication, identity is whatever a request claims"
              + ("" if _is_loopback(args.host) else " (ALLOW_UNAUTHENTICATED=true)"), file=sys.stderr, flush=True)
    print(f"Samarbeidsbot listening on http://{args.host}:{port}/api/messages "
          f"(database: {Database(settings.database_url).url.split('@')[-1]})", flush=True)
    # SIGTERM: stop accepting, give running turns SHUTDOWN_SECONDS, stop the workers (the outbox rows they
    # had claimed stay claimed and are sent after their lease: at least once), close the database.
    web.run_app(create_app(settings), host=args.host, port=port, print=None, shutdown_timeout=SHUTDOWN_SECONDS)
    deadline = time.monotonic() + 1.0
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))
    hung = [t for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon and t.is_alive()]
    if hung:  # connector calls still waiting for their timeout: nothing of ours is left to finish
        print(f"Samarbeidsbot stopped ({len(hung)} outgoing calls abandoned)", flush=True)
        logging.shutdown()
        os._exit(0)
    return 0


async def _db_upgrade(args: argparse.Namespace) -> int:
    db = await ready_db(cli_settings(), load_data=False)
    await db.dispose()
    print("database schema is up to date")
    return 0


async def _data_load(args: argparse.Namespace) -> int:
    from storage.loader import load_path

    db = await ready_db(cli_settings(), load_data=False)
    try:
        report = await load_path(db, Path(args.path) if args.path else data_dir(), actor="cli")
    except DataError as exc:
        print("data not loaded (nothing was changed):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        await db.dispose()
    print(report.summary() if report.changed else f"networks: {', '.join(report.networks)}\nno changes")
    return 0


async def _networks(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from storage.models import Municipality, Network, Person

    db = await ready_db(cli_settings())
    async with db.session() as session:
        rows = (await session.execute(
            select(Network.slug, Network.name, Network.language,
                   select(func.count()).where(Municipality.network_id == Network.id,
                                              Municipality.member.is_(True)).scalar_subquery(),
                   select(func.count()).where(Person.network_id == Network.id).scalar_subquery())
            .order_by(Network.slug))).all()
    await db.dispose()
    if args.json:
        print(json.dumps([{"slug": s, "name": n, "language": lang, "members": m, "people": p}
                          for s, n, lang, m, p in rows], ensure_ascii=False))
    else:
        for slug, name, lang, members, people in rows:
            print(f"{slug:24} {name:28} {lang}  {members} member municipalities, {people} people")
    return 0


def cmd_playground(args: argparse.Namespace) -> int:
    from bot.cli.playground import run_playground

    return run_playground(port=args.port, bot_url=args.bot, write_only=args.write_config)


# --- parser -------------------------------------------------------------------------------


def build_parser(*, load_benches: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samarbeidsbot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the bot (POST /api/messages, GET /healthz)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=None, help="default: $PORT or 3978")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("db", help="database maintenance")
    dbsub = p.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser("upgrade", help="create or upgrade the schema (Alembic)").set_defaults(coro=_db_upgrade)

    p = sub.add_parser("data", help="structured data of the networks")
    datasub = p.add_subparsers(dest="data_command", required=True)
    p = datasub.add_parser("load", help="load or refresh data/ (validated first; nothing written on error)")
    p.add_argument("path", nargs="?", default=None)
    p.set_defaults(coro=_data_load)

    p = sub.add_parser("networks", help="list the networks in the database")
    p.add_argument("--json", action="store_true")
    p.set_defaults(coro=_networks)

    p = sub.add_parser("when", help="parse a Norwegian/English date phrase: when --lang nn|nb|en [--now ISO] TEXT")
    p.add_argument("--lang", choices=("nn", "nb", "en"), required=True)
    p.add_argument("--now", help="ISO time the phrase is relative to (default: now)")
    p.add_argument("--json", action="store_true")
    p.add_argument("text", nargs="+")

    p = sub.add_parser("playground", help="start the Microsoft 365 Agents Playground against the bot")
    p.add_argument("--port", type=int, default=56150)
    p.add_argument("--bot", default="http://127.0.0.1:3978/api/messages")
    p.add_argument("--write-config", action="store_true", help="only write .m365agentsplayground.yml")
    p.set_defaults(func=cmd_playground)

    p = sub.add_parser("bench", help="benchmarks that print figures (see `samarbeidsbot bench --help`)")
    add_benches(p.add_subparsers(dest="bench_name", required=True), load=load_benches)
    for command in COMMANDS:
        command.register(sub)
    return parser


# the capabilities' own commands, each a module with `register(subparsers)`
COMMANDS = (agreements, archive, backup, cards, consultations, manifest, notices, people, qa, routines, votes)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["when"] and not {"-h", "--help"} & set(argv[1:2]):
        from dialogs.dates import cli_main

        return cli_main(argv[1:])  # the parser owns its own flags (--lang, --now, --json)
    parser = build_parser(load_benches=argv[:1] == ["bench"])
    args = parser.parse_args(argv)
    try:
        if hasattr(args, "coro"):
            return asyncio.run(args.coro(args))
        return args.func(args)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
