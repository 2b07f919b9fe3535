"""`samarbeidsbot cards export DIR`: every card the bot can send, rendered with demo data.

Cards come from the `examples(t)` function of every `cards/*.py` module (found automatically, so a
new capability's cards appear without touching this file), rendered in nn, nb and en. Each card is
one file, `<name>.<lang>.json`, named by what it is; `index.json` lists them with module, language
and size, for a card gallery or a designer (paste a file into the Adaptive Cards Designer).
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.cli.common import UsageError, cli_settings, ready_db

LANGUAGES = ("nn", "nb", "en")


@dataclass(frozen=True)
class ExportedCard:
    name: str
    module: str
    lang: str
    card: dict[str, Any]

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.lang}.json"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cards", help="the Adaptive Cards the bot sends")
    csub = p.add_subparsers(dest="cards_command", required=True)
    e = csub.add_parser("export", help="write every card with demo data, one JSON file each, to DIR")
    e.add_argument("dir")
    e.add_argument("--lang", choices=LANGUAGES, action="append", help="only these languages (default: all)")
    e.set_defaults(coro=_export)


async def _export(args: argparse.Namespace) -> int:
    db = await ready_db(cli_settings())  # team rule: every command readies the database on first use
    await db.dispose()
    out = Path(args.dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    languages = tuple(dict.fromkeys(args.lang or LANGUAGES))
    cards = list(all_cards(languages))
    written = write_cards(cards, out)
    modules = sorted({c.module for c in cards})
    print(f"wrote {written} cards ({len({c.name for c in cards})} kinds × {len(languages)} languages) "
          f"from {', '.join(modules)} to {out}")
    return 0


def translator(lang: str) -> Callable[..., str]:
    from dialogs.i18n import t

    def translate(key: str, **values: object) -> str:
        return t(key, lang, **values)

    return translate


def example_sources() -> Iterator[tuple[str, Callable[..., dict[str, dict[str, Any]]]]]:
    """(module short name, examples function) for every cards module: the gallery lists them all."""
    from cards import agreements, archive, consultations, meetings, notices, onboarding, qa, routines, votes

    for module in (agreements, archive, consultations, meetings, notices, onboarding, qa, routines, votes):
        yield module.__name__.rsplit(".", 1)[1], module.examples


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def all_cards(languages: tuple[str, ...] = LANGUAGES) -> Iterator[ExportedCard]:
    seen: dict[str, str] = {}
    for module, examples in example_sources():
        for lang in languages:
            for raw_name, card in examples(translator(lang)).items():
                name = slug(raw_name)
                if seen.setdefault(name, module) != module:  # the same name in two modules: say which
                    name = f"{slug(module)}-{name}"
                yield ExportedCard(name, module, lang, card)


def write_cards(cards: list[ExportedCard], out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    index = []
    for exported in cards:
        text = json.dumps(exported.card, ensure_ascii=False, indent=2) + "\n"
        (out / exported.filename).write_text(text, encoding="utf-8")
        index.append({"file": exported.filename, "name": exported.name, "module": exported.module,
                      "lang": exported.lang, "bytes": len(json.dumps(exported.card, ensure_ascii=False).encode())})
    (out / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(cards)

