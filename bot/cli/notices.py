"""`samarbeidsbot notice send|status`: the secretariat's notices from the command line (same rules as Teams)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bot.cli.common import UsageError, cli_settings, ready_db, require_network


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("notice", help="notices: send to an audience, follow the report")
    nsub = p.add_subparsers(dest="notice_command", required=True)
    s = nsub.add_parser("send", help="queue a notice (the running bot's delivery worker sends it)")
    s.add_argument("--network", required=True)
    s.add_argument("--audience", required=True,
                   help="network | app | role:director | role:mayor | body:KEY | 'kommunar: Alver, Stryn'")
    s.add_argument("--text", required=True)
    s.add_argument("--title", default="")
    s.add_argument("--at", default=None, help="when, e.g. 'fredag kl. 9' or ISO time (default: now)")
    s.add_argument("--acknowledge", action="store_true", help="add the 'Stadfest at du har lese' button")
    s.add_argument("--json", action="store_true")
    s.set_defaults(coro=_send)
    st = nsub.add_parser("status", help="the delivery report of a notice")
    st.add_argument("id", type=int)
    st.add_argument("--json", action="store_true")
    st.add_argument("--csv", action="store_true", help="every recipient with state, reason and acknowledgement")
    st.set_defaults(coro=_status)


async def _send(args) -> int:
    from dialogs.dates import WhenError, parse_when
    from dialogs.notices import service
    from storage.models.notices import Notice

    if not args.text.strip():
        raise UsageError("--text is empty")
    db = await ready_db(cli_settings())
    try:
        network = await require_network(db, args.network)
        now = datetime.now(UTC)
        when = None
        if args.at:
            try:
                parsed = parse_when(args.at, network.language, now)
            except WhenError as exc:
                raise UsageError(f"--at: cannot read {args.at!r} ({exc.code})") from exc
            when = (parsed.start if parsed.has_time else datetime.combine(
                parsed.start, time(8, 0), tzinfo=ZoneInfo("Europe/Oslo"))).astimezone(UTC)
            if when <= now:
                raise UsageError(f"--at: {when.isoformat()} has already passed")
        async with db.session() as session:
            try:
                audience = await service.resolve_audience(session, network, args.audience, "en")
            except service.AudienceError as exc:
                raise UsageError(str(exc)) from exc
            if not audience.person_ids:
                raise UsageError(f"the audience {audience.label!r} is empty: nothing queued")
            notice = Notice(network_id=network.id, title=args.title[:200], text=args.text[:4000], links=[],
                            acknowledge=args.acknowledge, audience=audience.spec, language=network.language,
                            status="draft", recipients=len(audience.person_ids))
            session.add(notice)
            await session.flush()
            if when:
                await service.schedule_notice(session, notice, when)
                queued = 0
            else:
                queued = await service.queue_notice(session, notice, now=now)
            result = {"notice": notice.id, "audience": audience.label, "recipients": len(audience.person_ids),
                      "queued": queued, "scheduled_at": when.isoformat() if when else None}
    finally:
        await db.dispose()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    elif when:
        print(f"notice {result['notice']} to {result['audience']} ({result['recipients']}) scheduled for {when.isoformat()}")
    else:
        print(f"notice {result['notice']} queued for {result['queued']} recipients ({result['audience']})")
    return 0


async def _status(args) -> int:
    from dialogs.notices import service
    from storage.models.notices import Notice

    db = await ready_db(cli_settings())
    try:
        async with db.session() as session:
            notice = await session.get(Notice, args.id)
            if notice is None:
                raise UsageError(f"no notice {args.id}")
            if args.csv:
                print(await service.csv_export(session, notice, "en"), end="")
                return 0
            rep = await service.report(session, notice, "en", limit=None)
    finally:
        await db.dispose()
    if args.json:
        print(json.dumps(rep.as_json(), ensure_ascii=False))
        return 0
    c = rep.counts
    print(f"notice {rep.notice_id} {rep.title!r}: {rep.status}, {rep.recipients} recipients")
    print(f"queued {c['queued']}, sent {c['sent']}, acknowledged {rep.acknowledged}, failed {c['failed']}, "
          f"unreachable {c['unreachable']}, cancelled {c['cancelled']}")
    for name, status, reason in rep.problems:
        print(f"  {status:12} {name}: {reason}")
    return 0
