"""Seed coverage: every sentence of every source document is reachable in data/, with its source cited.

The seed documents (../shared/seeds/*.txt beside the repository, or $SAMARBEIDSBOT_SEEDS) are split
into sentences and list items by `split_seed` (deterministic: one line at a time, list markers
stripped, a line split after . ! ? before a capital letter). tests/qa/seed_coverage.yaml says, for
each sentence, which rows answer it (`to:` keys such as `fact:hoyring-2024` or
`clause:samarbeidsavtale/2020/styringsgruppe`) or why nothing needs to (`skip: <reason>`, for
headers, page furniture, greetings). The test fails when

- a sentence of a seed is not in the mapping (a gap), or the mapping names a sentence no seed has;
- a key does not exist in the data, as `samarbeidsbot data load` reads it;
- none of a sentence's rows cites that seed (a fact's or event's `source`, a clause's version);
- all of a sentence's rows are `illustrative` (a real statement must rest on a real row);
- the rows do not hold the sentence: it is not in a clause/answer/description word for word, and
  either a number in it is missing from the rows or fewer than half of its content words occur.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from storage.data_schema import NetworkFile
from storage.validate import read_all

ROOT = Path(__file__).resolve().parents[3]
MAPPING = ROOT / "tests" / "qa" / "seed_coverage.yaml"
KINDS = ("fact", "clause", "event", "body", "consultation", "municipality", "person", "organisation",
         "network", "version")
MIN_WORD_SHARE = 0.5


def seeds_dir() -> Path | None:
    candidates = [Path(os.environ["SAMARBEIDSBOT_SEEDS"])] if os.environ.get("SAMARBEIDSBOT_SEEDS") else []
    candidates += [ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds"]
    return next((c for c in candidates if c.is_dir() and any(c.glob("*.txt"))), None)


# --- the splitter -----------------------------------------------------------------------------

_LIST_MARKER = re.compile(r"^(?:[-*•]\s+|\d+\.\s+)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«\"])")


def split_seed(text: str) -> list[str]:
    """Sentences and list items, in order; markdown headings/bold lines (#, **) and list markers removed."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.replace("\\*", "*").strip().lstrip("#").strip().strip("*").strip()
        line = re.sub(r"\s+", " ", line).strip()
        if not line:
            continue
        marker = _LIST_MARKER.match(line)
        if marker:
            out.append(line[marker.end():].strip())
            continue
        out.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return out


def norm(text: str) -> str:
    """Words only, lower case, one space between: for word-for-word comparison."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def numbers(text: str) -> set[str]:
    return {str(int(n)) for n in re.findall(r"\d+", text)}


def content_words(text: str) -> set[str]:
    """Words of 4+ letters, cut to 5 letters (a crude stem: «kommunane», «kommunar» → «kommu»)."""
    return {w[:5] for w in re.findall(r"[^\W\d_]{4,}", text.casefold())}


# --- what the data holds, by key ----------------------------------------------------------------


@dataclass
class Target:
    text: str
    cites: set[str] = field(default_factory=set)
    illustrative: bool = False


def _seed_names(source: str) -> set[str]:
    return set(re.findall(r"[0-9]{3}_[0-9a-f]{16}\.txt", source or ""))


def targets_of(doc: NetworkFile) -> dict[str, Target]:
    out: dict[str, Target] = {}
    version_cites: dict[str, set[str]] = {}
    for a in doc.agreements:
        for v in a.versions:
            cites = _seed_names(v.source)
            version_cites[f"{a.key}/{v.key}"] = cites
            out[f"version:{a.key}/{v.key}"] = Target(f"{a.title}\n{v.label}", cites)
            for c in v.clauses:
                out[f"clause:{a.key}/{v.key}/{c.key}"] = Target(f"{c.number} {c.heading}\n{c.text}", cites)

    def clause_cites(refs: list[str]) -> set[str]:
        return set().union(*(version_cites.get(r.rsplit("/", 1)[0], set()) for r in refs)) if refs else set()

    for f in doc.facts:
        text = "\n".join([f.answer.nn, f.answer.nb, f.answer.en, yaml.safe_dump(f.value, allow_unicode=True)])
        out[f"fact:{f.key}"] = Target(text, _seed_names(f.source) | clause_cites(f.clauses), f.illustrative)
    for e in doc.events:
        when = " ".join(d.isoformat() for d in (e.starts_at, e.ends_at) if d)
        text = "\n".join([e.title, e.description, e.audience, e.place, e.online_url, e.organiser, when])
        out[f"event:{e.key}"] = Target(text, _seed_names(e.source), e.illustrative)
    people = {p.key: p for p in doc.people}
    for b in doc.bodies:
        seats = [f"{s.represents} {people[s.person].name if s.person else ''}" for s in b.seats]
        out[f"body:{b.key}"] = Target("\n".join([b.name, b.description, *seats]), clause_cites(b.clauses),
                                      b.illustrative)
    for c in doc.consultations:
        when = " ".join(d.isoformat() for d in (c.sent_at, c.deadline) if d)
        out[f"consultation:{c.key}"] = Target("\n".join([c.title, c.description, c.link, c.contact, when]),
                                              _seed_names(c.source))
    for m in doc.municipalities:
        out[f"municipality:{m.number}"] = Target(f"{m.name} {m.number}", illustrative=m.illustrative)
    for p in doc.people:
        out[f"person:{p.key}"] = Target(f"{p.name}\n{p.title}\n{p.email}", illustrative=p.demo)
    for o in doc.organisations:
        out[f"organisation:{o.key}"] = Target(o.name, illustrative=o.illustrative)
    n = doc.network
    out["network"] = Target(f"{n.name}\n{n.region}\n{n.description}", _seed_names(n.source))
    return out


def problems_with(sentence: str, seed: str, keys: list[str], targets: dict[str, Target]) -> list[str]:
    """Why these keys do not cover this sentence of this seed ([] when they do)."""
    unknown = [k for k in keys if k not in targets]
    bad_kind = [k for k in keys if k.split(":", 1)[0] not in KINDS]
    if bad_kind or unknown:
        return [f"unknown key {k!r}" for k in bad_kind + [u for u in unknown if u not in bad_kind]]
    rows = [targets[k] for k in keys]
    problems = []
    if not any(seed in row.cites for row in rows):
        problems.append(f"none of {keys} cites {seed}")
    if all(row.illustrative for row in rows):
        problems.append(f"all of {keys} are illustrative")
    said = norm(sentence)
    if not any(said and f" {said} " in f" {norm(row.text)} " for row in rows):
        held = "\n".join(row.text for row in rows)
        missing = numbers(sentence) - numbers(held)
        if missing:
            problems.append(f"numbers {sorted(missing)} are not in {keys}")
        words = content_words(sentence)
        if words:
            share = len(words & content_words(held)) / len(words)
            if share < MIN_WORD_SHARE:
                problems.append(f"only {share:.0%} of its words are in {keys}")
    return problems


# --- the test -------------------------------------------------------------------------------------


def load_mapping() -> dict:
    return yaml.safe_load(MAPPING.read_text(encoding="utf-8"))


def coverage_report(seeds: Path, mapping: dict, docs: dict[str, NetworkFile]) -> list[str]:
    """Every problem, one line each: gaps, stale entries, unknown keys, uncited or unheld sentences."""
    problems: list[str] = []
    seed_files = sorted(p.name for p in seeds.glob("*.txt"))
    for name in sorted(set(mapping) - set(seed_files)):
        problems.append(f"{name}: in the mapping but not a seed")
    for name in seed_files:
        entry = mapping.get(name)
        if entry is None:
            problems.append(f"{name}: no mapping for this seed at all")
            continue
        doc = docs.get(entry.get("network", ""))
        if doc is None:
            problems.append(f"{name}: unknown network {entry.get('network')!r}")
            continue
        targets = targets_of(doc)
        sentences = split_seed((seeds / name).read_text(encoding="utf-8"))
        mapped: dict[str, dict] = {}
        for item in entry.get("sentences") or []:
            text = re.sub(r"\s+", " ", str(item.get("s", ""))).strip()
            if text in mapped:
                problems.append(f"{name}: mapped twice: {text!r}")
            mapped[text] = item
        for text in sorted(set(mapped) - set(sentences)):
            problems.append(f"{name}: mapped sentence is not in the seed: {text!r}")
        for sentence in dict.fromkeys(sentences):
            item = mapped.get(sentence)
            if item is None:
                problems.append(f"{name}: not covered: {sentence!r}")
            elif "skip" in item:
                if not str(item["skip"] or "").strip() or item.get("to"):
                    problems.append(f"{name}: a skip needs a reason and no keys: {sentence!r}")
            elif not item.get("to"):
                problems.append(f"{name}: neither `to` nor `skip`: {sentence!r}")
            else:
                for why in problems_with(sentence, name, list(item["to"]), targets):
                    problems.append(f"{name}: {sentence!r}: {why}")
    return problems


@pytest.fixture(scope="module")
def seeds() -> Path:
    found = seeds_dir()
    if found is None:
        pytest.skip("the seed documents (../shared/seeds or $SAMARBEIDSBOT_SEEDS) are not on this machine")
    return found


@pytest.fixture(scope="module")
def docs() -> dict[str, NetworkFile]:
    return {doc.network.slug: doc for _, doc in read_all(ROOT / "data")}


def test_the_splitter_is_simple_and_deterministic():
    text = "## **Tittel**\n\nFørste setning, 5. juni. Andre setning!\n- eit punkt\n  2. Eit nummerert punkt\n\nkr. 3 pr. innbygger"
    assert split_seed(text) == ["Tittel", "Første setning, 5. juni.", "Andre setning!", "eit punkt",
                                "Eit nummerert punkt", "kr. 3 pr. innbygger"]
    assert split_seed(text) == split_seed(text)


def test_every_seed_sentence_is_covered_by_cited_rows(seeds, docs):
    problems = coverage_report(seeds, load_mapping(), docs)
    assert not problems, f"{len(problems)} coverage problems:\n" + "\n".join(problems)


def test_the_check_fails_on_gaps_unknown_keys_and_wrong_rows(seeds, docs):
    mapping = load_mapping()
    name = "001_9e5a0c76600f45b6.txt"
    sentences = mapping[name]["sentences"]
    covered = next(i for i in sentences if i.get("to") and len(i["s"].split()) >= 8
                   and any(k.startswith("clause:") for k in i["to"]))

    def report_with(items: list[dict]) -> list[str]:
        return coverage_report(seeds, {**mapping, name: {**mapping[name], "sentences": items}}, docs)

    # a gap: one sentence left out
    gap = report_with([i for i in sentences if i is not covered])
    assert any("not covered" in p and covered["s"][:30] in p for p in gap)
    # a key that is not in the data
    assert any("unknown key" in p for p in report_with(
        [i if i is not covered else {**i, "to": ["fact:no-such-fact"]} for i in sentences]))
    # an existing row that does not hold the sentence (the DigIT-style wrong clause)
    wrong = [i if i is not covered else {**i, "to": ["clause:samarbeidsavtale/2020/endringar"]} for i in sentences]
    assert any(covered["s"][:30] in p and ("words" in p or "numbers" in p) for p in report_with(wrong))
    # a row that does not cite this seed
    uncited = [i if i is not covered else {**i, "to": ["clause:status-juli-2024/2024-07/status-prosess"]}
               for i in sentences]
    assert any("cites" in p for p in report_with(uncited))


# --- what the issue names: the data answers it (through the matcher, on a loaded database) ---------


async def _ask(db, slug: str, question: str, lang: str | None = None):
    from datetime import UTC, datetime

    from dialogs.qa.answer import answer
    from storage.queries import network_by_slug

    async with db.session() as session:
        network = await network_by_slug(session, slug)
        return await answer(session, network, question, now=datetime(2026, 12, 3, 9, 0, tzinfo=UTC), lang=lang)


@pytest.mark.parametrize("lang", ["nn", "nb", "en"])
async def test_the_welcome_cards_example_question_is_answered_in_every_network(any_db, lang):
    from dialogs.i18n import t

    question = t("core.example_question", lang)
    for slug in ("digivestland", "digit-midt-buskerud"):
        result = await _ask(any_db, slug, question)
        assert result.answered and result.sources, (slug, question, result.reason)
    # Digitale Akershus: the source does not say who chairs the programme board. The reply says so and
    # gives what it does say (fact `leder-styringsgruppen`, kind not_in_sources) – shown as an answer or
    # as an explained refusal, never the illustrative chair in data/.
    akershus = await _ask(any_db, "digitale-akershus", question)
    assert akershus.answered or akershus.reason == "not_in_sources", akershus.reason
    assert "programstyre" in akershus.answer.lower() or "programme board" in akershus.answer.lower()
    assert "Solberg" not in akershus.answer
    digit = await _ask(any_db, "digit-midt-buskerud", question)
    assert any(w in digit.answer.lower() for w in ("digitaliseringssjef", "head of digitalisation"))


async def test_digit_disagreement_cites_the_clause_on_disagreements(any_db):
    result = await _ask(any_db, "digit-midt-buskerud", "Hva skjer hvis kommunene er uenige?")
    assert result.answered
    assert [s.ref for s in result.sources] == ["samarbeidsavtale/2018/uenigheter"]


async def test_the_money_fact_says_up_to_the_years_and_who_sets_it(any_db):
    result = await _ask(any_db, "digitale-akershus", "Hva koster Digitale Akershus per innbygger?")
    assert result.answered and result.kind == "fact"
    for needed in ("inntil kr 3", "2020–23", "årsmøte"):
        assert needed in result.answer, needed


# --- people and memberships the seeds do not give are marked ------------------------------------


def test_real_people_are_named_in_the_seeds_and_demo_holders_make_a_seat_illustrative(seeds, docs):
    seed_text = " ".join(p.read_text(encoding="utf-8") for p in seeds.glob("*.txt"))
    problems = []
    for slug, doc in docs.items():
        people = {p.key: p for p in doc.people}
        for p in doc.people:
            if not p.demo and p.name not in seed_text:
                problems.append(f"{slug}: {p.name} is demo: false but named in no seed")
        for body in doc.bodies:
            for seat in body.seats:
                holder = people.get(seat.person) if seat.person else None
                if holder is not None and holder.demo and not seat.illustrative:
                    problems.append(f"{slug}: {body.key}/{seat.key} is held by demo person {holder.name} "
                                    "but not illustrative")
    assert not problems, "\n".join(problems)
