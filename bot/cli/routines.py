"""`samarbeidsbot procurement status|list` and `samarbeidsbot portfolio list`: the routines from the shell."""

from __future__ import annotations

import argparse
import json

from bot.cli.common import UsageError, cli_settings, ready_db, require_network


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("procurement", help="planned procurements (joint procurement routine)")
    psub = p.add_subparsers(dest="procurement_command", required=True)
    s = psub.add_parser("status", help="answers per municipality, outcome, council case, joint participants")
    s.add_argument("key", help="e.g. ansk-2026-001")
    s.add_argument("--network", required=True)
    s.add_argument("--json", action="store_true")
    s.set_defaults(coro=_status)
    lst = psub.add_parser("list", help="the planned procurements of a network, newest first")
    lst.add_argument("--network", required=True)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(coro=_list)

    f = sub.add_parser("portfolio", help="the portfolio of projects and expert groups")
    fsub = f.add_subparsers(dest="portfolio_command", required=True)
    fl = fsub.add_parser("list", help="projects and expert groups with owner, status, budget, milestone")
    fl.add_argument("--network", required=True)
    fl.add_argument("--json", action="store_true")
    fl.set_defaults(coro=_portfolio)


async def _status_json(session, proc) -> dict:
    from dialogs.routines import service
    from storage.models import Case

    state = await service.tally(session, proc)
    case = await session.get(Case, proc.case_id) if proc.case_id else None
    return {
        "key": proc.key, "municipality": state.initiator.name, "kind": proc.kind, "system": proc.system,
        "area": proc.area, "contract_end": proc.contract_end.isoformat() if proc.contract_end else None,
        "value_range": proc.value_range, "deadline": proc.deadline.isoformat(), "status": proc.status,
        "outcome": proc.outcome or None,
        "answers": {m.name: (state.answers[m.id].answer if m.id in state.answers else None) for m in state.asked},
        "not_answered": [m.name for m in state.missing],
        "council_case": {"key": case.key, "title": case.title} if case else None,
        "joint": [m.name for m in await service.participants(session, proc)],
    }


async def _status(args) -> int:
    from dialogs.routines import service

    db = await ready_db(cli_settings())
    network = await require_network(db, args.network)
    async with db.session() as session:
        proc = await service.find(session, network, args.key)
        data = await _status_json(session, proc) if proc else None
    await db.dispose()
    if data is None:
        raise UsageError(f"no procurement {args.key!r} in {args.network}")
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"{data['key']} {data['system']} ({data['municipality']}, {data['kind']}) – {data['status']}"
          + (f", outcome {data['outcome']}" if data["outcome"] else "") + f"; deadline {data['deadline']}")
    for name, answer in data["answers"].items():
        print(f"  {name}: {answer or 'no answer'}")
    if data["council_case"]:
        print(f"council case: {data['council_case']['key']} – {data['council_case']['title']}")
    if data["joint"]:
        print("joint procurement: " + ", ".join(data["joint"]))
    return 0


async def _list(args) -> int:
    from sqlalchemy import select

    from storage.models.routines import PlannedProcurement

    db = await ready_db(cli_settings())
    network = await require_network(db, args.network)
    async with db.session() as session:
        rows = (await session.scalars(select(PlannedProcurement).where(
            PlannedProcurement.network_id == network.id).order_by(PlannedProcurement.id.desc()))).all()
        data = [await _status_json(session, p) for p in rows]
    await db.dispose()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    for item in data:
        print(f"{item['key']}\t{item['status']}\t{item['outcome'] or '-'}\t{item['municipality']}\t{item['system']}")
    if not data:
        print(f"no planned procurements in {network.name}")
    return 0


async def _portfolio(args) -> int:
    from sqlalchemy import select

    from dialogs.routines.portfolio import items_of, owner_name
    from storage.models import Municipality

    db = await ready_db(cli_settings())
    network = await require_network(db, args.network)
    async with db.session() as session:
        items = await items_of(session, network)
        by_id = {m.id: m.name for m in (await session.scalars(select(Municipality).where(
            Municipality.network_id == network.id))).all()}
        numbers = {m.number: m.name for m in (await session.scalars(select(Municipality).where(
            Municipality.network_id == network.id))).all()}
        data = [{"key": i.key, "kind": i.kind, "name": i.name, "owner": owner_name(i, by_id),
                 "participants": [numbers.get(n, n) for n in i.participants or []], "status": i.status,
                 "budget_nok": i.budget_nok, "next_milestone": i.next_milestone or None,
                 "next_milestone_date": i.next_milestone_date.isoformat() if i.next_milestone_date else None,
                 "illustrative": i.illustrative, "edited": i.edited_at is not None} for i in items]
    await db.dispose()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    for item in data:
        budget = f"{item['budget_nok']:,} NOK".replace(",", " ") if item["budget_nok"] is not None else "-"
        print(f"{item['kind']:<12} {item['name']} – {item['owner']}, {item['status']}, {budget}"
              + (f", next: {item['next_milestone']}" if item["next_milestone"] else ""))
    return 0
