"""Q&A accuracy on the evaluation sets and time per question.

Sets (tests/qa/): `dev_set.yaml` (looked at while tuning; failures printed), `frozen_set.yaml` (never
looked at: only its aggregate figures are printed, never a question or a failure), and the older
`eval_set.yaml` as a further dev set. Each is reported by language and by kind: accuracy,
out-of-scope questions answered (must be 0), false premises corrected, median and p99 ms per question.

Runs against a fresh SQLite database loaded from data/ (so learned answers in a working database do not
flatter the figures). Issue 21's targets: ≥ 95 % right per language, 0 out-of-scope answered, ≥ 90 % of
false premises corrected, median ≤ 5 ms and p99 ≤ 25 ms per question in process.
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

SETS_DIR = Path(__file__).resolve().parents[2] / "tests" / "qa"
EVAL_SET = SETS_DIR / "eval_set.yaml"
DEV_SET = SETS_DIR / "dev_set.yaml"
FROZEN_SET = SETS_DIR / "frozen_set.yaml"
SETS = {"dev": DEV_SET, "frozen": FROZEN_SET, "eval": EVAL_SET}
SHOW_FAILURES = {"dev", "eval"}  # never the frozen set's
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
TARGET_ACCURACY = 0.95
TARGET_FALSE_PREMISE = 0.90
TARGET_MEDIAN_MS = 5.0
TARGET_P99_MS = 25.0
TARGET_HELD_OUT = TARGET_ACCURACY  # the name older callers use


def load_eval_set(path: Path = EVAL_SET) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_set(name: str) -> list[dict[str, Any]]:
    return load_eval_set(SETS[name])


def _norm(text: str) -> str:
    """Lower-case; spaces and thousands separators between digits removed (392 763, 392,763 → 392763)."""
    text = text.lower().replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"(?<=\d)[ ,.](?=\d{3}\b)", "", text)
    return re.sub(r"(?<=\d) (?=\d)", "", text)


def check(item: dict[str, Any], result: dict[str, Any]) -> tuple[bool, str]:
    """Is the answer right for this item? (ok, why not)."""
    answer = _norm(result.get("answer") or "")
    for bad in item.get("must_not") or []:
        if _norm(str(bad)) in answer:
            return False, f"contains forbidden {bad!r}"
    if item.get("answered") is False:
        return (not result["answered"]), "answered an out-of-scope question"
    if not result["answered"]:
        return False, f"not answered ({result.get('reason')})"
    for need in item.get("must") or []:
        options = need if isinstance(need, list) else [need]
        if not any(_norm(str(o)) in answer for o in options):
            return False, f"missing {need!r}"
    return True, ""


def _pct(right: int, total: int) -> float:
    return right / total if total else 0.0


@dataclass
class Report:
    total: dict[str, int] = field(default_factory=dict)  # by split (eval_set.yaml's dev/held_out)
    right: dict[str, int] = field(default_factory=dict)
    by_lang: dict[str, list[int]] = field(default_factory=dict)  # lang → [right, total]
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    out_of_scope_answered: int = 0
    out_of_scope_total: int = 0
    false_premise_corrected: int = 0
    false_premise_total: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)

    def accuracy(self, split: str | None = None) -> float:
        if split is None:
            return _pct(sum(self.right.values()), sum(self.total.values()))
        return _pct(self.right.get(split, 0), self.total.get(split, 0))

    def lang_accuracy(self, lang: str) -> float:
        right, total = self.by_lang.get(lang, [0, 0])
        return _pct(right, total)

    def false_premise_rate(self) -> float:
        return _pct(self.false_premise_corrected, self.false_premise_total) if self.false_premise_total else 1.0

    def median_ms(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else 0.0

    def p99_ms(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] if ordered else 0.0

    def as_json(self, *, failures: bool = True) -> dict[str, Any]:
        return {
            "questions": sum(self.total.values()),
            "accuracy": {split: round(self.accuracy(split), 4) for split in sorted(self.total)},
            "right": self.right, "total": self.total,
            "overall": round(self.accuracy(), 4),
            "by_lang": {k: {"right": r, "total": n, "accuracy": round(_pct(r, n), 4)}
                        for k, (r, n) in sorted(self.by_lang.items())},
            "by_kind": {k: {"right": r, "total": n, "accuracy": round(_pct(r, n), 4)}
                        for k, (r, n) in sorted(self.by_kind.items())},
            "out_of_scope": {"total": self.out_of_scope_total, "answered": self.out_of_scope_answered},
            "false_premises": {"total": self.false_premise_total, "corrected": self.false_premise_corrected},
            "median_ms": round(self.median_ms(), 3),
            "p99_ms": round(self.p99_ms(), 3),
            "failures": self.failures if failures else len(self.failures),
        }


async def evaluate(db, items: list[dict[str, Any]], *, repeat: int = 1, keep_failures: bool = True) -> Report:
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
            split = item.get("split", "all")
            report.total[split] = report.total.get(split, 0) + 1
            report.right[split] = report.right.get(split, 0) + int(ok)
            for table, key in ((report.by_lang, item.get("lang", "?")),
                               (report.by_kind, item.get("kind") or ("out_of_scope" if item.get("answered") is False
                                                                     else "?"))):
                table.setdefault(key, [0, 0])
                table[key][0] += int(ok)
                table[key][1] += 1
            if item.get("answered") is False:
                report.out_of_scope_total += 1
                report.out_of_scope_answered += int(data["answered"])
            if item.get("kind") == "false_premise":
                report.false_premise_total += 1
                report.false_premise_corrected += int(ok)
            if not ok and keep_failures:
                report.failures.append({"id": item.get("id", ""), "split": split, "network": item["network"],
                                        "lang": item.get("lang"), "kind": item.get("kind", ""), "q": item["q"],
                                        "why": why, "answer": data["answer"][:160],
                                        "confidence": data["confidence"], "key": data["key"]})
            elif not ok:
                report.failures.append({})  # counted, never shown
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--repeat", type=int, default=5, help="times each question is asked for timing")
    parser.add_argument("--set", dest="sets", action="append", choices=sorted(SETS),
                        help="which set(s) to run (default: dev and frozen)")
    parser.add_argument("--eval-set", default=None, help="a further set file (failures shown)")
    parser.add_argument("--no-failures", action="store_true", help="do not list the dev set's failures")
    parser.set_defaults(coro=_run)


def _print_report(name: str, report: Report, show_failures: bool) -> None:
    data = report.as_json(failures=False)
    print(f"{name}: {data['questions']} questions, {100 * data['overall']:.1f}% right")
    langs = "  ".join(f"{lang} {v['right']}/{v['total']} {100 * v['accuracy']:.1f}%"
                      for lang, v in data["by_lang"].items())
    print(f"  by language: {langs}")
    for kind, v in data["by_kind"].items():
        print(f"    {kind:16s} {v['right']:3d}/{v['total']:3d}  {100 * v['accuracy']:5.1f}%")
    print(f"  out of scope answered: {report.out_of_scope_answered}/{report.out_of_scope_total} (must be 0)")
    print(f"  false premises corrected: {report.false_premise_corrected}/{report.false_premise_total}"
          f" (target ≥{TARGET_FALSE_PREMISE:.0%})")
    print(f"  time per question: median {data['median_ms']:.2f} ms, p99 {data['p99_ms']:.2f} ms "
          f"({len(report.times_ms)} timed, in process, after warm-up)")
    met = all(report.lang_accuracy(lang) >= TARGET_ACCURACY for lang in report.by_lang)
    print(f"  targets: ≥{TARGET_ACCURACY:.0%} per language: {'met' if met else 'NOT met'}; out of scope never "
          f"answered: {'met' if report.out_of_scope_answered == 0 else 'NOT met'}; false premises: "
          f"{'met' if report.false_premise_rate() >= TARGET_FALSE_PREMISE else 'NOT met'}; median "
          f"≤{TARGET_MEDIAN_MS:g} ms: {'met' if report.median_ms() <= TARGET_MEDIAN_MS else 'NOT met'}; p99 "
          f"≤{TARGET_P99_MS:g} ms: {'met' if report.p99_ms() <= TARGET_P99_MS else 'NOT met'}")
    if show_failures:
        for f in report.failures:
            print(f"  ✗ {f['id']} [{f['lang']} {f['kind']}] {f['network']}: {f['q']!r} – {f['why']} "
                  f"(got {f['key'] or '-'}, {f['confidence']}: {f['answer'][:90]!r})")


async def _run(args: argparse.Namespace) -> int:
    from storage.db import Database

    chosen = [(name, SETS[name]) for name in (args.sets or ["dev", "frozen"])]
    if args.eval_set:
        chosen.append((Path(args.eval_set).stem, Path(args.eval_set)))
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{folder}/bench-qa.db")
        await db.ensure_ready()
        try:
            for name, path in chosen:
                show = name != "frozen"
                report = await evaluate(db, load_eval_set(path), repeat=max(args.repeat, 1), keep_failures=show)
                out[name] = report.as_json(failures=show)
                if not args.json:
                    _print_report(f"{name} ({path.name})", report, show and not args.no_failures)
        finally:
            await db.dispose()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    return 0
