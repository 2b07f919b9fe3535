"""Q&A accuracy on the evaluation set (held-out part reported apart) and time per question.

Runs against a fresh SQLite database loaded from data/ (so learned answers in a working database
do not flatter the figures). Targets: ≥95% on held-out questions, no out-of-scope question
answered, median ≤5 ms per question in process after warm-up.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

EVAL_SET = Path(__file__).resolve().parents[2] / "tests" / "qa" / "eval_set.yaml"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TARGET_HELD_OUT = 0.95
TARGET_MEDIAN_MS = 5.0


def load_eval_set(path: Path = EVAL_SET) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    """Lower-case; thousands separators between digits removed (392 763, 392,763, 392.763 → 392763)."""
    text = text.lower().replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"(?<=\d)[ ,.](?=\d{3}\b)", "", text)


def check(item: dict[str, Any], result: dict[str, Any]) -> tuple[bool, str]:
    """Is the answer right for this item? (ok, why not)."""
    answer = _norm(result.get("answer") or "")
    for bad in item.get("must_not", []):
        if _norm(str(bad)) in answer:
            return False, f"contains forbidden {bad!r}"
    if item.get("answered") is False:
        return (not result["answered"]), "answered an out-of-scope question"
    if not result["answered"]:
        return False, f"not answered ({result.get('reason')})"
    for need in item.get("must", []):
        options = need if isinstance(need, list) else [need]
        if not any(_norm(str(o)) in answer for o in options):
            return False, f"missing {need!r}"
    return True, ""


@dataclass
class Report:
    total: dict[str, int] = field(default_factory=dict)
    right: dict[str, int] = field(default_factory=dict)
    out_of_scope_answered: int = 0
    out_of_scope_total: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)

    def accuracy(self, split: str) -> float:
        return self.right.get(split, 0) / self.total[split] if self.total.get(split) else 0.0

    def as_json(self) -> dict[str, Any]:
        ordered = sorted(self.times_ms)
        p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] if ordered else 0.0
        return {
            "questions": sum(self.total.values()),
            "accuracy": {split: round(self.accuracy(split), 4) for split in sorted(self.total)},
            "right": self.right, "total": self.total,
            "overall": round(sum(self.right.values()) / max(sum(self.total.values()), 1), 4),
            "out_of_scope": {"total": self.out_of_scope_total, "answered": self.out_of_scope_answered},
            "median_ms": round(statistics.median(self.times_ms), 3) if self.times_ms else 0.0,
            "p99_ms": round(p99, 3),
            "failures": self.failures,
        }


async def evaluate(db, items: list[dict[str, Any]], *, repeat: int = 1) -> Report:
    """Ask every item's question in its network (each asked `repeat` times for timing)."""
    from dialogs import capabilities
    from dialogs.qa.answer import answer
    from storage.queries import network_by_slug

    capabilities.load()  # every capability's @qa_source documents compete, as in the running bot
    report = Report()
    async with db.session() as session:
        networks = {}
        for item in items:
            slug = item["network"]
            if slug not in networks:
                networks[slug] = await network_by_slug(session, slug)
                await answer(session, networks[slug], "warm up", now=NOW)  # builds the index
        for item in items:
            network = networks[item["network"]]
            result = None
            for _ in range(repeat):
                started = time.perf_counter()
                result = await answer(session, network, item["q"], now=NOW, default_lang=item.get("lang"))
                report.times_ms.append((time.perf_counter() - started) * 1000)
            data = result.as_json()
            ok, why = check(item, data)
            split = item.get("split", "dev")
            report.total[split] = report.total.get(split, 0) + 1
            report.right[split] = report.right.get(split, 0) + int(ok)
            if item.get("answered") is False:
                report.out_of_scope_total += 1
                report.out_of_scope_answered += int(data["answered"])
            if not ok:
                report.failures.append({"split": split, "network": item["network"], "q": item["q"], "why": why,
                                        "answer": data["answer"][:160], "confidence": data["confidence"],
                                        "key": data["key"]})
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--repeat", type=int, default=20, help="times each question is asked for timing")
    parser.add_argument("--eval-set", default=str(EVAL_SET))
    parser.add_argument("--failures", action="store_true", help="list the questions answered wrongly")
    parser.add_argument("--split", default=None, help="only this part of the set (dev or held_out)")
    parser.set_defaults(coro=_run)


async def _run(args: argparse.Namespace) -> int:
    from storage.db import Database

    items = [i for i in load_eval_set(Path(args.eval_set)) if args.split in (None, i.get("split", "dev"))]
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{folder}/bench-qa.db")
        await db.ensure_ready()
        try:
            report = await evaluate(db, items, repeat=max(args.repeat, 1))
        finally:
            await db.dispose()
    data = report.as_json()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"Q&A evaluation set: {data['questions']} questions ({EVAL_SET.name})")
    for split in sorted(report.total):
        print(f"  {split:9s} {report.right[split]:3d}/{report.total[split]:3d} right  {100 * report.accuracy(split):5.1f}%")
    print(f"  overall   {100 * data['overall']:5.1f}%")
    print(f"  out of scope answered: {report.out_of_scope_answered}/{report.out_of_scope_total} (must be 0)")
    print(f"  time per question: median {data['median_ms']:.2f} ms, p99 {data['p99_ms']:.2f} ms "
          f"({len(report.times_ms)} timed, in process, after warm-up)")
    held_out = report.accuracy("held_out")
    print(f"  targets: held-out ≥{TARGET_HELD_OUT:.0%}: {'met' if held_out >= TARGET_HELD_OUT else 'NOT met'}; "
          f"out of scope never answered: {'met' if report.out_of_scope_answered == 0 else 'NOT met'}; "
          f"median ≤{TARGET_MEDIAN_MS:g} ms: {'met' if data['median_ms'] <= TARGET_MEDIAN_MS else 'NOT met'}")
    if args.failures or report.failures and len(report.failures) <= 10:
        for f in report.failures:
            print(f"  ✗ [{f['split']}] {f['network']}: {f['q']!r} – {f['why']} (got {f['key'] or '-'}, "
                  f"confidence {f['confidence']})")
    return 0
