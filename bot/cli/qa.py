"""`samarbeidsbot ask --network SLUG [--json] [--lang nn|nb|en] QUESTION|-`: Q&A from the command line.

With `-` it reads one question a line from stdin and prints one answer (or one JSON object) a line,
so a file of questions can be checked in one go.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from bot.cli.common import UsageError, cli_settings, ready_db, require_network


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="answer a question about a network's agreement ('-': one question a line)")
    p.add_argument("--network", required=True, help="network slug, e.g. digivestland")
    p.add_argument("--json", action="store_true", help="one JSON object per question")
    p.add_argument("--lang", choices=("nn", "nb", "en"), default=None,
                   help="answer language (default: the language the question is written in)")
    p.add_argument("--now", default=None, help="ISO time for 'next meeting' and 'time left' (default: now)")
    p.add_argument("question", nargs="+", help="the question, or - to read questions from stdin")
    p.set_defaults(coro=_ask)


def _text(result) -> str:
    if not result.answered:
        from dialogs.i18n import t

        refused = t("qa.dont_know_title", result.lang) + "."
        # an explained refusal ("the documents do not say who …") says what the sources do say
        return f"{refused}\n{result.answer}" if result.answer else refused
    lines = [result.answer]
    for source in result.sources:
        lines.append(f"  [{source.ref}] {source.title}" + (f" ({source.version})" if source.version else ""))
    return "\n".join(lines)


async def _ask(args: argparse.Namespace) -> int:
    from dialogs import capabilities
    from dialogs.qa.answer import answer

    capabilities.load()  # the plug-in Q&A sources (portfolio, agreements) answer here as in Teams
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    if now.tzinfo is None:
        raise UsageError("--now needs a UTC offset, e.g. 2026-11-23T09:00:00+01:00")
    from_stdin = args.question == ["-"]
    question = " ".join(args.question).strip()
    if not from_stdin and not question:
        raise UsageError("give a question, or - to read one question a line from stdin")
    db = await ready_db(cli_settings())
    try:
        network = await require_network(db, args.network)
        lines = sys.stdin if from_stdin else [question]
        async with db.session() as session:
            for line in lines:
                q = line.strip()
                if not q:
                    continue
                result = await answer(session, network, q, lang=args.lang, now=now)
                if args.json:
                    print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
                else:
                    print(_text(result), flush=True)
                    if from_stdin:
                        print(flush=True)
    finally:
        await db.dispose()
    return 0
