"""`samarbeidsbot person export|forget`: GDPR access and erasure for one person (see storage/privacy.py)."""

from __future__ import annotations

import argparse
import json
import sys

from bot.cli.common import UsageError, cli_settings, ready_db, require_network


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("person", help="GDPR: export or erase what is stored about one person")
    psub = p.add_subparsers(dest="person_command", required=True)
    for name, helptext in (("export", "print everything stored about the person as JSON"),
                           ("forget", "erase the person; official records stay as anonymised records")):
        c = psub.add_parser(name, help=helptext)
        c.add_argument("--network", required=True)
        c.add_argument("person", help="data key, e-mail, UPN, Teams (AAD) object id or numeric id")
        if name == "export":
            c.add_argument("--out", default=None, help="write to this file instead of stdout")
        else:
            c.add_argument("--actor", default="cli", help="who asked for the erasure (for the audit log)")
        c.set_defaults(coro=_export if name == "export" else _forget)


def _in_data_files(key: str | None) -> bool:
    """Is the person still named in the data files (then a data load brings a new profile back)?"""
    if not key:
        return False
    from storage.db import data_dir

    return any(f"key: {key}\n" in path.read_text(encoding="utf-8") for path in data_dir().glob("*.yaml"))


async def _export(args: argparse.Namespace) -> int:
    from storage import privacy

    db = await ready_db(cli_settings())
    try:
        network = await require_network(db, args.network)
        async with db.session() as session:
            try:
                person = await privacy.find(session, network, args.person)
            except privacy.PersonNotFound as exc:
                raise UsageError(str(exc)) from exc
            data = await privacy.export(session, network, person)
    finally:
        await db.dispose()
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        print(text)
    return 0


async def _forget(args: argparse.Namespace) -> int:
    from storage import privacy

    db = await ready_db(cli_settings())
    try:
        network = await require_network(db, args.network)
        async with db.session() as session:
            try:
                person = await privacy.find(session, network, args.person)
            except privacy.PersonNotFound as exc:
                earlier = await privacy.was_erased(session, network, args.person)
                if earlier is None:
                    raise UsageError(str(exc)) from exc
                print(json.dumps({"person_id": int(earlier.target.split(":")[1]), "already_erased": True,
                                  "erased_at": earlier.at.isoformat()}))
                return 0
            result = await privacy.forget(session, network, person, actor=args.actor, named_as=args.person,
                                          in_data=_in_data_files(person.key))
    finally:
        await db.dispose()
    print(json.dumps(result.as_dict(), ensure_ascii=False))
    if result.still_in_data:
        print("note: the person is still listed in the data files; remove them there, or the next "
              "`samarbeidsbot data load` creates a new profile from the file", file=sys.stderr)
    return 0
