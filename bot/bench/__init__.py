"""Benchmarks that print figures: `samarbeidsbot bench NAME`.

A bench module is imported only when that bench runs, so `serve` and the other commands never
need the test extra (hypothesis, pyinstrument) that some benches use.
"""

from __future__ import annotations

import argparse
import importlib

# name → (module, one-line help)
BENCHES: dict[str, tuple[str, str]] = {
    "broadcast": ("bot.bench.broadcast", "a broadcast through the delivery engine against the connector stand-in"),
    "fuzz": ("bot.bench.fuzz", "random and hostile activities and card actions against the bot"),
    "qa": ("bot.bench.qa", "Q&A accuracy on the evaluation sets and time per question"),
    "turns": ("bot.bench.turns", "many conversations at once: CPU per turn against a bare echo bot"),
    "votes": ("bot.bench.votes", "a steering-group vote with many members"),
}


def add_benches(sub: argparse._SubParsersAction, *, load: bool) -> None:
    """Add one sub-command per bench; with `load`, import the benches to add their own arguments."""
    for name, (module_name, help_text) in BENCHES.items():
        parser = sub.add_parser(name, help=help_text)
        if not load:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            missing = exc.name or str(exc)
            parser.set_defaults(func=lambda _args, missing=missing: _missing_extra(missing))
            parser.add_argument("rest", nargs=argparse.REMAINDER)
            continue
        module.add_arguments(parser)


def _missing_extra(module: str) -> int:
    print(f"this bench needs {module!r}, which is not installed: pip install 'samarbeidsbot[test]'")
    return 2
