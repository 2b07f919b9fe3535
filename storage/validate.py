"""Read and check network files before anything touches the database.

Every problem is reported as `file: path: problem` (for example
`data/digivestland.yaml: bodies[0].seats[2].person: unknown person 'x'`), and
all files are checked before the first row is written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import ValidationError

from storage.data_schema import NetworkFile

T = TypeVar("T")


class DataError(Exception):
    """One or more problems in the data files; nothing has been written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _loc(parts: Iterable[object]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top)"


def data_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError([f"{path}: no such file or folder"])
    return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("_"))


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key given twice in one mapping is an error (the last value
    silently won: an edit in the wrong place went unnoticed)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[object, yaml.Node] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                continue  # the base class reports an unhashable key
            if key in seen:
                first = seen[key].start_mark
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"duplicate key {key!r} (first at line {first.line + 1})", key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str):
    """YAML text → data, refusing duplicate keys (yaml.YAMLError with the line)."""
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass


def read_file(path: Path) -> NetworkFile:
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(parse)"
        raise DataError([f"{path}: {where}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    if not isinstance(raw, dict):
        raise DataError([f"{path}: (top): expected a mapping with 'network:' at the top"])
    try:
        parsed = NetworkFile.model_validate(raw)
    except ValidationError as exc:
        raise DataError([f"{path}: {_loc(err['loc'])}: {err['msg']}" for err in exc.errors()]) from exc
    problems = [f"{path}: {p}" for p in cross_reference_problems(parsed)]
    if problems:
        raise DataError(problems)
    return parsed


def _duplicates(keys: Iterable[str]) -> list[str]:
    return [k for k, n in Counter(keys).items() if n > 1]


def cross_reference_problems(doc: NetworkFile) -> list[str]:
    problems: list[str] = []
    numbers = {m.number for m in doc.municipalities}
    orgs = {o.key for o in doc.organisations}
    people = {p.key for p in doc.people}
    bodies = {b.key for b in doc.bodies}
    versions = {f"{a.key}/{v.key}" for a in doc.agreements for v in a.versions}
    clauses = {f"{a.key}/{v.key}/{c.key}" for a in doc.agreements for v in a.versions for c in v.clauses}

    for label, keys in (
        ("municipalities", [m.number for m in doc.municipalities]),
        ("organisations", [o.key for o in doc.organisations]),
        ("people", [p.key for p in doc.people]),
        ("bodies", [b.key for b in doc.bodies]),
        ("facts", [f.key for f in doc.facts]),
        ("events", [e.key for e in doc.events]),
        ("consultations", [c.key for c in doc.consultations]),
    ):
        for dup in _duplicates(keys):
            problems.append(f"{label}: duplicate key {dup!r}")

    def check(ref: str | None, known: set[str], where: str, what: str) -> None:
        if ref is not None and ref not in known:
            problems.append(f"{where}: unknown {what} {ref!r}")

    for i, org in enumerate(doc.organisations):
        for j, number in enumerate(org.covers):
            check(number, numbers, f"organisations[{i}].covers[{j}]", "municipality")
    for i, person in enumerate(doc.people):
        check(person.municipality, numbers, f"people[{i}].municipality", "municipality")
        check(person.organisation, orgs, f"people[{i}].organisation", "organisation")
    for i, body in enumerate(doc.bodies):
        for dup in _duplicates(s.key for s in body.seats):
            problems.append(f"bodies[{i}].seats: duplicate key {dup!r}")
        for j, ref in enumerate(body.clauses):
            check(ref, clauses, f"bodies[{i}].clauses[{j}]", "clause")
        for j, seat in enumerate(body.seats):
            where = f"bodies[{i}].seats[{j}]"
            check(seat.person, people, f"{where}.person", "person")
            check(seat.municipality, numbers, f"{where}.municipality", "municipality")
            check(seat.organisation, orgs, f"{where}.organisation", "organisation")
    for i, agreement in enumerate(doc.agreements):
        for dup in _duplicates(v.key for v in agreement.versions):
            problems.append(f"agreements[{i}].versions: duplicate key {dup!r}")
        for j, version in enumerate(agreement.versions):
            for dup in _duplicates(c.key for c in version.clauses):
                problems.append(f"agreements[{i}].versions[{j}].clauses: duplicate key {dup!r}")
    for i, fact in enumerate(doc.facts):
        for j, ref in enumerate(fact.clauses):
            check(ref, clauses, f"facts[{i}].clauses[{j}]", "clause")
    for i, ev in enumerate(doc.events):
        check(ev.body, bodies, f"events[{i}].body", "body")
    for i, cons in enumerate(doc.consultations):
        check(cons.agreement_version, versions, f"consultations[{i}].agreement_version", "agreement version")
        for dup in _duplicates(q.key for q in cons.questions):
            problems.append(f"consultations[{i}].questions: duplicate key {dup!r}")
        for dup in _duplicates(r.municipality for r in cons.responses):
            problems.append(f"consultations[{i}].responses: more than one response for {dup!r}")
        for j, resp in enumerate(cons.responses):
            where = f"consultations[{i}].responses[{j}]"
            check(resp.municipality, numbers, f"{where}.municipality", "municipality")
            check(resp.on_behalf_of, orgs, f"{where}.on_behalf_of", "organisation")
            check(resp.submitted_by, people, f"{where}.submitted_by", "person")
            if resp.on_behalf_of:
                org = next(o for o in doc.organisations if o.key == resp.on_behalf_of)
                if resp.municipality not in org.covers:
                    problems.append(
                        f"{where}.on_behalf_of: {org.key!r} does not cover municipality {resp.municipality!r}"
                    )
    return problems


def read_all(path: Path) -> list[tuple[Path, NetworkFile]]:
    """Read and check every file; raise one DataError listing every problem in every file."""
    problems: list[str] = []
    docs: list[tuple[Path, NetworkFile]] = []
    for file in data_files(path):
        try:
            docs.append((file, read_file(file)))
        except DataError as exc:
            problems.extend(exc.problems)
    for dup in _duplicates(doc.network.slug for _, doc in docs):
        problems.append(f"{path}: network slug {dup!r} appears in more than one file")
    if problems:
        raise DataError(problems)
    return docs


if __name__ == "__main__":  # python -m storage.validate [PATH]
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "data")
    try:
        for file, doc in read_all(target):
            print(f"{file}: ok ({len(doc.municipalities)} municipalities, {len(doc.people)} people, "
                  f"{len(doc.facts)} facts, {sum(len(v.clauses) for a in doc.agreements for v in a.versions)} clauses)")
    except DataError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)


def side_files(path: Path, folder: str) -> list[Path]:
    """The YAML files of a side folder of the data (data/portfolio/, data/accessions/); `_name` files are skipped."""
    where = path / folder
    if not path.is_dir() or not where.is_dir():
        return []
    return sorted(p for p in where.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("_"))


def read_side_files(files: list[Path], model: type[T], check: Callable[[T], list[str]]
                    ) -> tuple[list[tuple[Path, T]], list[str]]:
    """Parse (duplicate keys refused) and validate each file against `model`, then `check` it against the
    network files: the files that passed, and every problem as 'file: where: what'."""
    problems: list[str] = []
    out: list[tuple[Path, T]] = []
    for file in files:
        try:
            raw = load_yaml(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(parse)"
            problems.append(f"{file}: {where}: not valid YAML: {getattr(exc, 'problem', exc)}")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{file}: (top): expected a mapping with 'network:' at the top")
            continue
        try:
            doc = model.model_validate(raw)
        except ValidationError as exc:
            problems.extend(f"{file}: {_loc(err['loc'])}: {err['msg']}" for err in exc.errors())
            continue
        found = check(doc)
        problems.extend(f"{file}: {p}" for p in found)
        if not found:
            out.append((file, doc))
    return out, problems
