"""`samarbeidsbot case list|minutes|channel`: cases for the secretariat's archive and set-up."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import UsageError, cli_settings, ready_db, require_network


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("case", help="steering-group cases: list, minutes, team channel")
    csub = p.add_subparsers(dest="case_command", required=True)

    ls = csub.add_parser("list", help="the cases of a network, newest first")
    ls.add_argument("--network", required=True)
    ls.add_argument("--open", action="store_true", help="only open cases and those awaiting the chair")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(coro=_list)

    m = csub.add_parser("minutes", help="minutes (protokoll) of one case: Markdown or CSV")
    m.add_argument("case", metavar="ID", help="case id or key (e.g. sak-2026-001)")
    m.add_argument("--network", default=None, help="needed when a key exists in several networks")
    m.add_argument("--format", choices=("md", "csv"), default=None, help="default: from --out, else md")
    m.add_argument("--lang", choices=("nn", "nb", "en"), default=None, help="default: the network's language")
    m.add_argument("--out", default=None, help="file to write (default: standard output)")
    m.set_defaults(coro=_minutes)

    c = csub.add_parser("channel", help="post a body's case cards also to a team channel")
    c.add_argument("--network", required=True)
    c.add_argument("--body", required=True, help="body key, e.g. styringsgruppa")
    group = c.add_mutually_exclusive_group(required=True)
    group.add_argument("--conversation", help="the channel's conversation id (see --list)")
    group.add_argument("--list", action="store_true", help="the team channels the bot knows in this network")
    group.add_argument("--clear", action="store_true", help="stop posting to a channel")
    c.set_defaults(coro=_channel)


async def _list(args) -> int:
    from sqlalchemy import select

    from dialogs.votes import service
    from dialogs.votes.views import Standing
    from storage.models import Body, Case

    db = await ready_db(cli_settings())
    network = await require_network(db, args.network)
    now = datetime.now(UTC)
    rows = []
    async with db.session() as session:
        query = select(Case).where(Case.network_id == network.id).order_by(Case.created_at.desc(), Case.id.desc())
        for case in (await session.scalars(query)).all():
            if args.open and case.status != "open" and case.outcome != "awaiting_chair":
                continue
            body = await session.get(Body, case.body_id)
            holders = await service.seat_holders(session, body, now)
            state = Standing(body, holders, await service.voters_votes(session, case, holders))
            rows.append({"id": case.id, "key": case.key, "title": case.title, "body": body.key,
                         "status": case.status, "outcome": case.outcome, "deadline": case.deadline.isoformat(),
                         "voted": len(state.votes), "voters": len(state.voters)})
    await db.dispose()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print(f"no cases in {network.slug}")
    for row in rows:
        print(f"{row['id']:>4}  {row['key']:<14} {row['status']:<7} {row['outcome'] or '-':<16} "
              f"{row['voted']}/{row['voters']}  {row['title']}")
    return 0


async def _minutes(args) -> int:
    from dialogs.votes import service
    from dialogs.votes.minutes import minutes_for, to_csv, to_markdown
    from storage.models import Network

    out = Path(args.out) if args.out else None
    fmt = args.format or ("csv" if out and out.suffix.lower() == ".csv" else "md")
    db = await ready_db(cli_settings())
    network = await require_network(db, args.network) if args.network else None
    async with db.session() as session:
        cases = await service.find_case(session, args.case, network.id if network else None)
        if len(cases) != 1:
            await db.dispose()
            if not cases:
                raise UsageError(f"no case {args.case!r}" + (f" in {network.slug}" if network else ""))
            raise UsageError(f"{args.case!r} names cases in several networks: add --network")
        case = cases[0]
        lang = args.lang or (await session.get(Network, case.network_id)).language or "nb"
        minutes = await minutes_for(session, case, lang, datetime.now(UTC))
    await db.dispose()
    data = to_csv(minutes) if fmt == "csv" else to_markdown(minutes, lang).encode("utf-8")
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        out.write_bytes(data)
        print(f"wrote the minutes of {case.key} ({fmt}) to {out}")
    return 0


async def _channel(args) -> int:
    from sqlalchemy import select

    from storage.models import AuditEntry, Body, ConversationRef
    from storage.models.votes import BodyChannel

    db = await ready_db(cli_settings())
    network = await require_network(db, args.network)
    try:
        async with db.session() as session:
            body = await session.scalar(select(Body).where(Body.network_id == network.id, Body.key == args.body))
            if body is None:
                raise UsageError(f"no body {args.body!r} in {network.slug}")
            current = await session.scalar(select(BodyChannel).where(BodyChannel.body_id == body.id))
            if args.list:
                refs = (await session.scalars(select(ConversationRef).where(
                    ConversationRef.network_id == network.id, ConversationRef.conversation_type == "channel",
                    ConversationRef.active.is_(True)))).all()
                for ref in refs:
                    mark = " (in use)" if current and current.conversation_id == ref.conversation_id else ""
                    print(f"{ref.conversation_id}{mark}")
                if not refs:
                    print("the bot knows no team channel in this network yet: @mention it in the channel once")
                return 0
            if args.clear:
                if current is not None:
                    await session.delete(current)
                session.add(AuditEntry(actor="cli", network_id=network.id, action="case.channel",
                                       target=body.key, details={"conversation": None}))
                print(f"{body.name}: cases go to personal chats only")
                return 0
            ref = await session.scalar(select(ConversationRef).where(
                ConversationRef.conversation_id == args.conversation))
            if ref is None or ref.conversation_type != "channel":
                raise UsageError("that is not a team channel the bot knows; see --list")
            if current is None:
                session.add(BodyChannel(body_id=body.id, conversation_id=ref.conversation_id))
            else:
                current.conversation_id = ref.conversation_id
            session.add(AuditEntry(actor="cli", network_id=network.id, action="case.channel", target=body.key,
                                   details={"conversation": ref.conversation_id}))
            print(f"{body.name}: new cases are posted also to {ref.conversation_id}")
            return 0
    finally:
        await db.dispose()
