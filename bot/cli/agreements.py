"""`samarbeidsbot agreement import|consult|summary|accessions|text|switch`: the secretariat's agreement work.

`import` reads a draft (Markdown or .docx) into numbered clauses, checks it (nothing is written
when the numbering is broken, a number repeats or a clause is empty) and prints the clause-level
diff against the version in force; `--diff FILE` also writes it as Markdown.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from bot.cli.common import EXIT_USAGE, UsageError, cli_settings, ready_db, require_network


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("agreement", help="agreements: import a draft, diff, input summary, accession status")
    asub = p.add_subparsers(dest="agreement_command", required=True)

    i = asub.add_parser("import", help="read a draft (.md or .docx) into a new agreement version")
    i.add_argument("--network", required=True)
    i.add_argument("--version", required=True, help="key of the new version, e.g. utkast-2025")
    i.add_argument("--agreement", default=None, help="agreement key (default: the network's agreement)")
    i.add_argument("--label", default="", help="name shown for the version (default: the document title)")
    i.add_argument("--effective", default=None, help="date it is to apply from (YYYY-MM-DD)")
    i.add_argument("--diff", default=None, help="also write the diff as Markdown to this file")
    i.add_argument("--lang", choices=("nn", "nb", "en"), default=None, help="language of the diff file")
    i.add_argument("--json", action="store_true")
    i.add_argument("file")
    i.set_defaults(coro=_import)

    c = asub.add_parser("consult", help="open a consultation on a draft version (comments on its clauses)")
    c.add_argument("--network", required=True)
    c.add_argument("--version", required=True, help="the draft version's key")
    c.add_argument("--deadline", required=True, help="ISO time with offset, e.g. 2026-12-20T23:59:00+01:00")
    c.add_argument("--title", default="", help="default: 'Innspel til <the version's label>'")
    c.add_argument("--json", action="store_true")
    c.set_defaults(coro=_consult)

    s = asub.add_parser("summary", help="the input summary of a consultation on a draft, as .docx or .xlsx")
    s.add_argument("--network", required=True)
    s.add_argument("--consultation", default=None)
    s.add_argument("--out", required=True, help="file.docx or file.xlsx")
    s.set_defaults(coro=_summary)

    a = asub.add_parser("accessions", help="each member's council decision on an adopted version")
    a.add_argument("--network", required=True)
    a.add_argument("--version", default=None, help="version key (default: the latest adopted or in force)")
    a.add_argument("--out", default=None, help="write .xlsx or .docx instead of printing")
    a.add_argument("--json", action="store_true")
    a.set_defaults(coro=_accessions)

    x = asub.add_parser("text", help="the agreement's text with its parties (from the accession rows)")
    x.add_argument("--network", required=True)
    x.add_argument("--version", default=None, help="version key (default: the latest adopted or in force)")
    x.add_argument("--out", required=True, help="file.docx or file.md")
    x.set_defaults(coro=_text)

    w = asub.add_parser("switch", help="put adopted versions whose effective date has come into force now")
    w.add_argument("--network", required=True)
    w.add_argument("--now", default=None, help="ISO time (default: now)")
    w.set_defaults(coro=_switch)


def _day(text: str | None, flag: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag} must be a date YYYY-MM-DD, not {text!r}") from None


async def _import(args) -> int:
    from dialogs.agreements import document
    from dialogs.agreements.document import DocumentError
    from dialogs.agreements.versions import import_draft

    effective = _day(args.effective, "--effective")
    path = Path(args.file)
    try:
        parsed = document.parse_file(path)
    except DocumentError as exc:
        return _problems(exc.problems)
    db = await ready_db(cli_settings())
    try:
        network = await require_network(db, args.network)
        try:
            async with db.session() as session:
                result = await import_draft(session, network, parsed, version_key=args.version,
                                            agreement_key=args.agreement, label=args.label,
                                            effective_from=effective, source=path.name, actor="cli")
                summary = {
                    "agreement": result.agreement.key, "version": result.version.key,
                    "label": result.version.label, "clauses": len(result.version.clauses),
                    "against": result.base.key if result.base else None, "replaced": result.replaced,
                    **document.counts(result.changes),
                    "changes": [{"kind": c.kind, "number": c.number, "heading": c.heading,
                                 "inserted": c.inserted(), "deleted": c.deleted()}
                                for c in result.changes if c.kind != "unchanged"],
                }
                lang = args.lang or network.language
                markdown = document.diff_markdown(
                    result.changes, old_label=result.base.label if result.base else "—",
                    new_label=result.version.label, lang=lang)
        except DocumentError as exc:
            return _problems(exc.problems)
    finally:
        await db.dispose()
    if args.diff:
        Path(args.diff).write_text(markdown, encoding="utf-8")
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print(f"imported {summary['clauses']} clauses into {summary['agreement']}/{summary['version']} "
          f"({summary['label']}), compared with {summary['against'] or 'nothing'}: "
          f"{summary['added']} added, {summary['removed']} removed, {summary['changed']} changed, "
          f"{summary['unchanged']} unchanged")
    for change in summary["changes"]:
        print(f"  {change['kind']:8} {change['number']:6} {change['heading']}")
    if args.diff:
        print(f"diff written to {args.diff}")
    return 0


async def _consult(args) -> int:
    from sqlalchemy import select

    from dialogs.consultations.manage import open_consultation
    from dialogs.i18n import t
    from dialogs.refusal import Refusal
    from storage.models import Agreement, AgreementVersion

    try:
        deadline = datetime.fromisoformat(args.deadline)
    except ValueError:
        raise UsageError(f"--deadline must be an ISO time, not {args.deadline!r}") from None
    if deadline.tzinfo is None:
        raise UsageError("--deadline needs a UTC offset, e.g. 2026-12-20T23:59:00+01:00")
    db = await ready_db(cli_settings())
    try:
        network = await require_network(db, args.network)
        async with db.session() as session:
            version = await session.scalar(select(AgreementVersion).join(Agreement).where(
                Agreement.network_id == network.id, AgreementVersion.key == args.version))
            if version is None or version.status != "draft":
                raise UsageError(f"no draft version {args.version!r} in {args.network}")
            await session.refresh(version, ["clauses"])
            if not version.clauses:
                raise UsageError(f"version {args.version!r} has no clauses: import the draft first")
            title = args.title or t("agreements.consult_title", network.language, label=version.label)
            try:
                consultation = await open_consultation(session, network, title=title, deadline=deadline,
                                                       now=datetime.now(UTC), actor="cli")
            except Refusal as refusal:
                raise UsageError(t(refusal.key, "en", **refusal.values)) from None
            consultation.agreement_version_id = version.id
            key = consultation.key
    finally:
        await db.dispose()
    if args.json:
        print(json.dumps({"consultation": key, "version": args.version, "title": title}, ensure_ascii=False))
    else:
        print(f"opened consultation {key} on {args.version}: directors comment with 'merknad <clause>'")
    return 0


def _problems(problems: list[str]) -> int:
    print("draft not imported (nothing was written):", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_USAGE


async def _summary(args) -> int:
    from dialogs.agreements.summary import summary_for, to_docx, to_xlsx
    from dialogs.consultations.status import current_consultation

    out = Path(args.out)
    if out.suffix.lower() not in (".docx", ".xlsx"):
        raise UsageError("--out must end in .docx or .xlsx")
    db = await ready_db(cli_settings())
    try:
        network = await require_network(db, args.network)
        async with db.session() as session:
            consultation = await current_consultation(session, network, args.consultation)
            if consultation is None:
                raise UsageError(f"no consultation in {args.network}")
            summary = await summary_for(session, network, consultation)
    finally:
        await db.dispose()
    if summary is None:
        raise UsageError(f"consultation {consultation.key!r} is not on a draft with clauses")
    lang = network.language
    out.write_bytes(to_docx(summary, lang) if out.suffix.lower() == ".docx" else to_xlsx(summary, lang))
    print(f"wrote the input summary ({len(summary.clauses)} clauses, {summary.comment_count} comments) to {out}")
    return 0


async def _accessions(args) -> int:
    from dialogs.agreements.accession import accession_status, status_docx, status_xlsx

    db = await ready_db(cli_settings())
    try:
        network = await require_network(db, args.network)
        async with db.session() as session:
            status = await accession_status(session, network, args.version)
    finally:
        await db.dispose()
    if status is None:
        raise UsageError(f"no adopted agreement version {args.version or ''} in {args.network}".replace("  ", " "))
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() not in (".docx", ".xlsx"):
            raise UsageError("--out must end in .docx or .xlsx")
        out.write_bytes(status_xlsx(status, network.language) if out.suffix.lower() == ".xlsx"
                        else status_docx(status, network.language))
        print(f"wrote the accession status of {len(status.rows)} municipalities to {out}")
        return 0
    if args.json:
        print(json.dumps(status.as_json(), ensure_ascii=False))
        return 0
    counts = status.counts
    print(f"{status.version_label}: joined {counts['joined']}, planned {counts['planned']}, "
          f"not yet {counts['not_yet']}, declined {counts['declined']} (of {len(status.rows)})")
    return 0


async def _text(args) -> int:
    from dialogs.agreements.text import agreement_text, to_docx, to_markdown

    out = Path(args.out)
    if out.suffix.lower() not in (".docx", ".md"):
        raise UsageError("--out must end in .docx or .md")
    db = await ready_db(cli_settings())
    try:
        network = await require_network(db, args.network)
        async with db.session() as session:
            text = await agreement_text(session, network, args.version)
    finally:
        await db.dispose()
    if text is None:
        raise UsageError(f"no agreement version {args.version or '(adopted or in force)'} in {args.network}")
    lang = network.language
    if out.suffix.lower() == ".docx":
        out.write_bytes(to_docx(text, lang))
    else:
        out.write_text(to_markdown(text, lang), encoding="utf-8")
    print(f"wrote {text.label} ({len(text.clauses)} clauses, {len(text.status.parties)} parties) to {out}")
    return 0


async def _switch(args) -> int:
    from dialogs.agreements.lifecycle import switch_versions

    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    if now.tzinfo is None:
        raise UsageError("--now needs a UTC offset")
    db = await ready_db(cli_settings())
    try:
        network = await require_network(db, args.network)
        async with db.session() as session:
            switched = await switch_versions(session, network, now=now, actor="cli")
    finally:
        await db.dispose()
    print("\n".join(f"{old or '—'} → {new}" for old, new in switched) or "nothing to switch")
    return 0
