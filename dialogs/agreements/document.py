"""Reading an agreement draft into numbered clauses, checking it, and diffing two versions clause by clause.

Pure functions: text or a .docx in, plain data out. No database, no Teams.

A clause starts at a heading whose text begins with its number ("## 5.2 Styringsgruppe",
"### 4.1. Ansvar …", a Word paragraph styled "Heading 2" reading "5.2 Styringsgruppe").
Text before the first numbered heading is the preamble (number ""). Numbered list items
inside a clause ("1. Erfaringsutveksling") are text, not clauses: only headings count.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERED = re.compile(r"^(?:§\s*)?(\d{1,3}(?:\.\d{1,3})*)\.?\s+(.+)$")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3})(.+?)\1")


@dataclass
class ParsedClause:
    number: str
    heading: str
    text: str
    line: int = 0  # where the heading is (1-based line or paragraph), for error messages
    key: str = ""


@dataclass
class ParsedDocument:
    title: str
    clauses: list[ParsedClause]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class DocumentError(Exception):
    """The draft cannot be imported; `problems` lists every reason (nothing is written)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _plain(text: str) -> str:
    """A heading without Markdown emphasis (`***Sekretariat***` → `Sekretariat`)."""
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return text.strip().strip("*_").strip()


def _blocks_from_markdown(text: str) -> list[tuple[int, str | None, str]]:
    """(line, heading or None, body line) in order."""
    out: list[tuple[int, str | None, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MD_HEADING.match(line)
        if match:
            out.append((number, _plain(match.group(2)), ""))
        else:
            out.append((number, None, line.rstrip()))
    return out


def _blocks_from_docx(path: Path) -> list[tuple[int, str | None, str]]:
    import docx  # python-docx

    document = docx.Document(str(path))
    out: list[tuple[int, str | None, str]] = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        text = paragraph.text.strip()
        if style.lower().startswith(("heading", "overskrift", "title", "tittel")):
            out.append((number, text, ""))
        else:
            bullet = "- " if "list" in style.lower() and text else ""
            out.append((number, None, bullet + text))
            out.append((number, None, ""))  # a paragraph ends a Markdown paragraph
    return out


def _assemble(blocks: list[tuple[int, str | None, str]]) -> ParsedDocument:
    title = ""
    preamble: list[str] = []
    clauses: list[ParsedClause] = []
    bodies: list[list[str]] = []
    for line, heading, body in blocks:
        target = bodies[-1] if bodies else preamble
        if heading is not None:
            match = _NUMBERED.match(heading)
            if match:
                clauses.append(ParsedClause(number=match.group(1), heading=_plain(match.group(2)), text="", line=line))
                bodies.append([])
            elif not clauses and not title:
                title = heading
            else:
                target.append(heading)
            continue
        target.append(body)
    for clause, lines in zip(clauses, bodies, strict=True):
        clause.text = _tidy(lines)
    doc = ParsedDocument(title=title, clauses=clauses)
    intro = _tidy(preamble)
    if intro:
        doc.clauses.insert(0, ParsedClause(number="", heading=title or "Innleiing", text=intro, line=1))
    return doc


def _tidy(lines: list[str]) -> str:
    text = "\n".join(lines)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _as_tuple(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def check(doc: ParsedDocument) -> list[str]:
    """Every problem in the clauses: broken numbering, duplicate numbers, empty clauses."""
    problems: list[str] = []
    numbered = [c for c in doc.clauses if c.number]
    if not numbered:
        return ["no numbered clauses found (a clause starts at a heading like '## 1 Bakgrunn')"]
    seen: dict[str, ParsedClause] = {}
    previous: tuple[int, ...] = ()
    for index, clause in enumerate(numbered):
        if clause.number in seen:
            problems.append(f"line {clause.line}: clause {clause.number} appears twice "
                            f"(first at line {seen[clause.number].line})")
            continue
        seen[clause.number] = clause
        number = _as_tuple(clause.number)
        expected = [previous + (1,)] if previous else [(1,)]
        for depth in range(len(previous), 0, -1):
            expected.append(previous[:depth - 1] + (previous[depth - 1] + 1,))
        if number not in expected:
            after = ".".join(map(str, previous)) if previous else "the start"
            wanted = " or ".join(".".join(map(str, e)) for e in expected)
            problems.append(f"line {clause.line}: clause {clause.number} follows {after}; expected {wanted}")
        previous = number
        has_children = index + 1 < len(numbered) and numbered[index + 1].number.startswith(clause.number + ".")
        if not clause.text.strip() and not has_children:
            problems.append(f"line {clause.line}: clause {clause.number} {clause.heading!r} has no text")
    return problems


def slug(text: str) -> str:
    folded = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:50] or "punkt"


def assign_keys(clauses: list[ParsedClause], reuse: dict[int, str] | None = None) -> None:
    """Stable keys: a clause matched to one of the earlier version keeps its key (index → key in
    `reuse`); the others get a slug of their heading, unique within the version."""
    reuse = reuse or {}
    used: set[str] = set()
    for index, clause in enumerate(clauses):
        key = reuse.get(index) or ("innleiing" if not clause.number else slug(clause.heading))
        base, n = key, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        clause.key = key


def parse_text(text: str) -> ParsedDocument:
    doc = _assemble(_blocks_from_markdown(text))
    doc.problems = check(doc)
    return doc


def parse_file(path: Path) -> ParsedDocument:
    """A .md/.markdown/.txt or .docx draft; a DocumentError when it cannot be read at all."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DocumentError([f"{path}: no such file"])
    if suffix == ".docx":
        try:
            doc = _assemble(_blocks_from_docx(path))
        except Exception as exc:  # noqa: BLE001 - a damaged or mislabelled file
            raise DocumentError([f"{path.name}: not a readable Word document ({exc.__class__.__name__})"]) from None
        doc.problems = check(doc)
        return doc
    if suffix in (".md", ".markdown", ".txt"):
        try:
            return parse_text(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise DocumentError([f"{path.name}: not UTF-8 text"]) from None
    raise DocumentError([f"{path.name}: unsupported file type {suffix or '(none)'}; use .md or .docx"])


# --- the diff ---------------------------------------------------------------------------------


@dataclass
class ClauseLike:
    key: str
    number: str
    heading: str
    text: str


@dataclass
class WordOp:
    op: str  # equal | insert | delete
    text: str


@dataclass
class ClauseChange:
    kind: str  # added | removed | changed | unchanged
    old: ClauseLike | None
    new: ClauseLike | None
    words: list[WordOp] = field(default_factory=list)

    @property
    def number(self) -> str:
        return (self.new or self.old).number  # type: ignore[union-attr]

    @property
    def heading(self) -> str:
        return (self.new or self.old).heading  # type: ignore[union-attr]

    @property
    def renumbered(self) -> bool:
        return bool(self.old and self.new and self.old.number != self.new.number)

    def inserted(self) -> list[str]:
        return [w.text for w in self.words if w.op == "insert"]

    def deleted(self) -> list[str]:
        return [w.text for w in self.words if w.op == "delete"]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", _plain(text)).strip().casefold()


def word_diff(old: str, new: str) -> list[WordOp]:
    a, b = old.split(), new.split()
    ops: list[WordOp] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(WordOp("equal", " ".join(a[i1:i2])))
        if tag in ("delete", "replace"):
            ops.append(WordOp("delete", " ".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append(WordOp("insert", " ".join(b[j1:j2])))
    return ops


def match(old: list[ClauseLike], new: list[ClauseLike]) -> dict[int, int]:
    """new index → old index: the same heading first, then the same number, then similar text."""
    pairs: dict[int, int] = {}
    free = set(range(len(old)))
    by_heading: dict[str, list[int]] = {}
    for i, clause in enumerate(old):
        by_heading.setdefault(_norm(clause.heading), []).append(i)
    for j, clause in enumerate(new):
        for i in by_heading.get(_norm(clause.heading), []):
            if i in free:
                pairs[j] = i
                free.discard(i)
                break
    for j, clause in enumerate(new):
        if j in pairs:
            continue
        for i in sorted(free):
            if old[i].number == clause.number and (
                    difflib.SequenceMatcher(a=old[i].text.split(), b=clause.text.split()).ratio() >= 0.5):
                pairs[j] = i
                free.discard(i)
                break
    return pairs


def diff(old: list[ClauseLike], new: list[ClauseLike]) -> list[ClauseChange]:
    """Clause-level changes in the new version's order; removed clauses after the clause they followed."""
    pairs = match(old, new)
    matched_old = set(pairs.values())
    changes: list[ClauseChange] = []
    removed_after: dict[int, list[int]] = {}
    for i in range(len(old)):
        if i not in matched_old:
            # place a removed clause after the new clause that matches the old clause before it
            before = next((j for j, k in pairs.items() if k == i - 1), -1)
            removed_after.setdefault(before, []).append(i)
    for i in removed_after.get(-1, []):
        changes.append(ClauseChange("removed", old[i], None))
    for j, clause in enumerate(new):
        if j in pairs:
            previous = old[pairs[j]]
            if _norm(previous.text) == _norm(clause.text) and _norm(previous.heading) == _norm(clause.heading):
                changes.append(ClauseChange("unchanged", previous, clause))
            else:
                changes.append(ClauseChange("changed", previous, clause, word_diff(previous.text, clause.text)))
        else:
            changes.append(ClauseChange("added", None, clause))
        for i in removed_after.get(j, []):
            changes.append(ClauseChange("removed", old[i], None))
    return changes


def counts(changes: list[ClauseChange]) -> dict[str, int]:
    out = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
    for change in changes:
        out[change.kind] += 1
    return out


def _label(clause: ClauseLike) -> str:
    return f"{clause.number} {clause.heading}".strip()


def marked_words(change: ClauseChange, *, markdown: bool = True) -> str:
    """The new text with deletions struck through and insertions in bold (or [-…-] / {+…+})."""
    parts = []
    for w in change.words:
        if w.op == "equal":
            parts.append(w.text)
        elif w.op == "delete":
            parts.append(f"~~{w.text}~~" if markdown else f"[-{w.text}-]")
        else:
            parts.append(f"**{w.text}**" if markdown else f"{{+{w.text}+}}")
    return " ".join(parts)


def changed_excerpt(change: ClauseChange, *, context: int = 6) -> str:
    """Only the changed words with a few words around them ("… møtest ~~kvartalsvis~~ **minst …** og …"):
    what a card shows of a long clause."""
    parts: list[str] = []
    ops = change.words
    for index, w in enumerate(ops):
        if w.op == "delete":
            parts.append(f"~~{w.text}~~")
        elif w.op == "insert":
            parts.append(f"**{w.text}**")
        else:
            words = w.text.split()
            first, last = index == 0, index == len(ops) - 1
            if len(words) <= 2 * context or (first and len(words) <= context) or (last and len(words) <= context):
                parts.append(w.text)
                continue
            head = [] if first else words[:context]
            tail = [] if last else words[-context:]
            parts.append(" ".join([*head, "…", *tail]).strip())
    return " ".join(p for p in parts if p)


def diff_markdown(changes: list[ClauseChange], *, old_label: str, new_label: str, lang: str = "nn") -> str:
    """The diff as a Markdown document (the file the secretariat keeps beside the draft)."""
    words = {
        "nn": ("Endringar frå", "til", "Lagt til", "Teke ut", "Endra", "Uendra", "tidlegare punkt", "Ingen endringar."),
        "nb": ("Endringer fra", "til", "Lagt til", "Tatt ut", "Endret", "Uendret", "tidligere punkt", "Ingen endringer."),
        "en": ("Changes from", "to", "Added", "Removed", "Changed", "Unchanged", "formerly clause", "No changes."),
    }.get(lang) or ()
    frm, to, added, removed, changed, unchanged, formerly, none = words
    c = counts(changes)
    out = [f"# {frm} {old_label} {to} {new_label}", "",
           f"{added}: {c['added']} · {removed}: {c['removed']} · {changed}: {c['changed']} · "
           f"{unchanged}: {c['unchanged']}", ""]
    if not (c["added"] or c["removed"] or c["changed"]):
        out.append(none)
    for change in changes:
        if change.kind == "added":
            out += [f"## {added}: {_label(change.new)}", "", change.new.text, ""]  # type: ignore[arg-type]
        elif change.kind == "removed":
            out += [f"## {removed}: {_label(change.old)}", "", change.old.text, ""]  # type: ignore[arg-type]
        elif change.kind == "changed":
            note = f" ({formerly} {change.old.number})" if change.renumbered else ""  # type: ignore[union-attr]
            out += [f"## {changed}: {_label(change.new)}{note}", "", marked_words(change), ""]  # type: ignore[arg-type]
    return "\n".join(out).rstrip() + "\n"
