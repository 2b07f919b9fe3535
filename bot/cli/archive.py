"""`samarbeidsbot archive export`: a closed consultation, a closed case or a sent notice as a package the
municipal archives take through KS Fiks Arkiv (arkivmelding V2 messages with the documents as PDF/A)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import UsageError, cli_settings, ready_db, require_network


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("archive", help="records for the archive (KS Fiks Arkiv arkivmelding)")
    asub = p.add_subparsers(dest="archive_command", required=True)
    e = asub.add_parser("export", help="write the archive package (zip) of one record")
    e.add_argument("--network", required=True)
    what = e.add_mutually_exclusive_group(required=True)
    what.add_argument("--consultation", metavar="ID", help="a closed consultation (id or key)")
    what.add_argument("--case", metavar="ID", help="a closed case (id or key, e.g. sak-2026-001)")
    what.add_argument("--notice", metavar="ID", help="a sent notice (id)")
    mark = e.add_mutually_exclusive_group()
    mark.add_argument("--offentleg", action="store_true", help="mark the record open to the public (the default)")
    mark.add_argument("--unnateke", metavar="HJEMMEL",
                      help="mark it exempt from public access on this legal basis, e.g. 'Offl. § 14' (stored)")
    e.add_argument("--out", required=True, help="the zip file to write")
    e.set_defaults(coro=_export)


async def _export(args) -> int:
    from dialogs.archive import service
    from dialogs.archive.collect import ExportRefused
    from dialogs.i18n import t

    kind = next(k for k in service.KINDS if getattr(args, k))
    if args.unnateke is not None and not args.unnateke.strip():
        raise UsageError("--unnateke needs the legal basis (skjermingshjemmel), e.g. 'Offl. § 14'")
    db = await ready_db(cli_settings())
    network = await require_network(db, args.network)
    now = datetime.now(UTC)
    try:
        async with db.session() as session:
            record = await service.find_record(session, network, kind, getattr(args, kind))
            if record is None:
                raise UsageError(f"no {kind} {getattr(args, kind)!r} in {network.slug}")
            if args.unnateke is not None or args.offentleg:
                await service.set_access(session, network, kind, record, exempt_basis=args.unnateke, actor="cli")
            try:
                export, data = await service.make_package(session, network, kind, record, now=now)
            except ExportRefused as refused:
                raise UsageError(t(refused.key, network.language, **refused.values)) from refused
    finally:
        await db.dispose()
    out = Path(args.out)
    out.write_bytes(data)
    mark = export.access.access + (f" ({export.access.legal_basis})" if export.access.exempt else "")
    print(f"wrote {len(export.entries)} arkivmelding message(s) for {kind} {getattr(args, kind)} to {out} "
          f"({len(data)} bytes; {mark})")
    return 0
