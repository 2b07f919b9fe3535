"""`samarbeidsbot consultation status|export`: the secretariat's view of a consultation."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import UsageError, cli_settings, ready_db, require_network
from dialogs.i18n import format_when


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("consultation", help="consultations: status and export")
    csub = p.add_subparsers(dest="consultation_command", required=True)

    s = csub.add_parser("status", help="counts by kind, who has not answered, days left")
    s.add_argument("--network", required=True)
    s.add_argument("--consultation", default=None, help="key (default: the open one, else the latest)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--now", default=None, help="ISO time to compute days left from (default: now)")
    s.set_defaults(coro=_status)

    e = csub.add_parser("export", help="every version of every answer, as CSV or XLSX (by --out suffix)")
    e.add_argument("--network", required=True)
    e.add_argument("--consultation", default=None)
    e.add_argument("--out", required=True, help="file.csv or file.xlsx")
    e.set_defaults(coro=_export)


async def _load(args):
    from dialogs.consultations.status import current_consultation

    db = await ready_db(cli_settings())
    network = await require_network(db, args.network)
    async with db.session() as session:
        consultation = await current_consultation(session, network, args.consultation)
    if consultation is None:
        await db.dispose()
        raise UsageError(f"no consultation {args.consultation or ''} in {args.network}".replace("  ", " "))
    return db, network, consultation


async def _status(args) -> int:
    from dialogs.consultations.status import status_of

    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    if now.tzinfo is None:
        raise UsageError("--now needs a UTC offset, e.g. 2024-07-01T12:00:00+02:00")
    db, network, consultation = await _load(args)
    async with db.session() as session:
        status = await status_of(session, network, consultation, now)
    await db.dispose()
    if args.json:
        print(json.dumps(status.as_json(), ensure_ascii=False))
        return 0
    lang = "en"
    state = "closed" if status.closed else f"open, {status.days_left} days left"
    print(f"{status.title} ({network.name})\ndeadline {format_when(status.deadline, lang)} – {state}")
    print(f"answered {status.answered} of {status.members}: joint {status.by_kind['joint']}, "
          f"individual {status.by_kind['individual']}, no input {status.by_kind['no_input']}")
    if status.not_answered:
        print("not answered: " + ", ".join(m.name for m in status.not_answered))
    return 0


async def _export(args) -> int:
    from dialogs.consultations.export import export_rows, to_csv, to_xlsx

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError("--out must end in .csv or .xlsx")
    db, _network, consultation = await _load(args)
    async with db.session() as session:
        columns, rows = await export_rows(session, consultation)
    await db.dispose()
    data = to_csv(columns, rows) if out.suffix.lower() == ".csv" else to_xlsx(columns, rows, consultation.key)
    out.write_bytes(data)
    print(f"wrote {len(rows)} answer versions to {out}")
    return 0
