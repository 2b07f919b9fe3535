"""The per-network search index: BM25 over fact phrasings, answers, clauses, events, bodies and plug-in
documents, with typo correction against the index's own vocabulary.

Why BM25 per entry (one entry per phrasing or clause paragraph) and the best entry per document:
stored facts carry several alternative questions; a question should match the closest phrasing,
not the average of all of them. The index holds only tokens and row ids; answers are composed from
freshly read rows, so an edited answer shows at once, and an edited phrasing after a data load
(the index is rebuilt when the network's data stamp changes).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from dialogs.qa import sources as plugin_sources
from dialogs.qa.text import (
    PHRASES,
    STOPWORDS,
    WORDS,
    answer_fits,
    apply_phrases,
    fold,
    guess_language,
    is_real_word,
    question_type,
    raw_words,
    strip_preamble,
    term,
    terms,
    word_terms,
)
from storage.models import (
    Agreement,
    AgreementVersion,
    AuditEntry,
    Body,
    Clause,
    Event,
    Fact,
    Municipality,
    Network,
)

log = logging.getLogger(__name__)

K1, B = 1.2, 0.75
# How much an entry of each field counts relative to a stored alternative phrasing.
FIELD_WEIGHT = {"question": 1.0, "keyword": 0.9, "answer": 0.8, "heading": 0.8, "clause": 0.7,
                "sentence": 0.72, "event": 0.85, "body": 0.8}
# a hit whose text has the kind of content the question asks for (a date for "when") is preferred
TYPE_FIT, TYPE_MISFIT = 1.12, 0.8
# a word no stored text holds weighs this much of the rarest stored word's weight
UNKNOWN_WEIGHT = 1.0
# a runner-up within this share of the top score whose best entry alone covers ENTRY_LEAD more goes first
CLOSE_SCORE, ENTRY_LEAD = 0.85, 0.15
# how much the whole document's coverage (all its phrasings and its answer) counts against its best entry's
UNION_BLEND = 1.0
# fields stored in Norwegian only, which get the learnt English words of their words
TRANSLATED_FIELDS = frozenset(["heading", "clause", "sentence", "event", "body"])
TRANSLATION_MIN_COUNT, TRANSLATION_MIN_DICE = 2, 0.6
_SENTENCE = re.compile(r"(?<=[.!?:])\s+(?=[A-ZÆØÅ0-9«\"(-])|\n+")
SOURCES_TTL_SECONDS = 60.0
# the working translations indexed (data/translations/): English only — Nynorsk and Bokmål already meet
# through lemmas and the lexicon, and a second Norwegian copy of every clause would halve its words' weight
INDEXED_TRANSLATIONS = frozenset(["en"])
# audit actions after which stored data may have changed in place
DATA_ACTIONS = ("data.load", "qa.learned", "qa.data_changed")
# How long a checked data stamp is trusted without asking the database again. Writes through this
# process are seen at once (see _note_indexed_writes); another process's write within this time.
STAMP_TTL_SECONDS = 1.0


@dataclass(frozen=True)
class ClauseInfo:
    ref: str
    number: str
    heading: str
    text: str
    version: str


@dataclass
class Doc:
    key: str  # "fact:<key>", "clause:<id>", "event:<id>", "body:<id>", "doc:<source>:<key>"
    kind: str  # fact | clause | event | body | document
    row_id: int | None = None
    topic: str = ""
    fact_kind: str = ""
    questions: dict[str, list[str]] = field(default_factory=dict)
    document: plugin_sources.QaDocument | None = None
    cites: frozenset[str] = frozenset()  # clause refs ("agreement/version/clause") a fact rests on; a clause's own


@dataclass
class Entry:
    doc: int
    field: str
    tf: Counter
    length: int
    text: str = ""  # the paragraph or sentence, for clause entries
    translated: str = ""  # the language of a working translation this entry was made from (data/translations/)


@dataclass
class Hit:
    doc: Doc
    score: float
    coverage: float
    entry: Entry
    entry_coverage: float = 0.0  # the share of the question's weight its best entry alone holds


@dataclass
class Ranking:
    hits: list[Hit]
    query_terms: list[str]
    unknown: list[str]
    corrected: dict[str, str]
    qtype: str = "what"


@dataclass
class NetworkIndex:
    network_id: int
    stamp: tuple
    docs: list[Doc] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    postings: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    avg_len: float = 1.0
    vocabulary: set[str] = field(default_factory=set)
    vocab_list: list[str] = field(default_factory=list)
    municipalities: dict[str, int] = field(default_factory=dict)  # folded name → municipality id
    other_networks: set[str] = field(default_factory=set)  # folded names of other networks
    own_names: set[str] = field(default_factory=set)  # folded spellings of this network's name: no weight
    language: str = "nn"
    # "agreement/version/clause" and clause id → (number, heading, text, version label, ref)
    clauses: dict[str, ClauseInfo] = field(default_factory=dict)
    built_at: float = 0.0
    checked_at: float = 0.0  # when `stamp` was last confirmed against the database
    checked_generation: int = -1  # _WRITES[0] at that moment
    _corrections: dict[str, str | None] = field(default_factory=dict)
    answer_texts: dict[int, str] = field(default_factory=dict)  # doc number → all its answer texts
    _fits: dict[tuple, bool | None] = field(default_factory=dict)
    _prepared: dict[tuple[str, str], tuple] = field(default_factory=dict)
    reverse_translation: dict[str, list[str]] = field(default_factory=dict)  # nn/nb token → English tokens
    _doc_tokens: dict[int, set[str]] | None = None
    clause_languages: dict[int, str] = field(default_factory=dict)  # clause id → its written language
    clause_translations: dict[int, dict] = field(default_factory=dict)  # clause id → its working translations

    # --- building -------------------------------------------------------------------------

    def add(self, doc: Doc, parts: list[tuple]) -> None:
        """Entries for one document: (field, text), (field, text, lang) or (field, text, lang, translated)."""
        index = len(self.docs)
        self.docs.append(doc)
        for part in parts:
            field_name, text = part[0], part[1]
            lang = part[2] if len(part) > 2 and part[2] else guess_language(text, self.language)
            translated = lang if len(part) > 3 and part[3] else ""
            words = raw_words(text)
            self.vocabulary.update(w for w in words if len(w) > 2)
            self.vocabulary.update(w for w in fold(text).split() if len(w) > 2)
            toks = [t for t in terms(words, lang == "en") if t not in self.name_terms]
            if toks and lang != "en" and field_name in TRANSLATED_FIELDS and self.reverse_translation:
                # text stored in Norwegian only: the English words learnt for its words (see learn_translation)
                toks += [en for t in toks for en in self.reverse_translation.get(t, ())]
            if toks:
                self.entries.append(Entry(index, field_name, Counter(toks), len(toks), text, translated))

    def learn_translation(self, pairs: list[tuple[list[str], list[str]]]) -> None:
        """English ↔ Norwegian tokens learnt from the stored facts' parallel answers (Dice coefficient over
        the facts both words occur in), so that an English question reaches a clause stored only in
        Nynorsk or Bokmål. A token shared by both sides (a lexicon canonical) needs no translation."""
        c_en: Counter = Counter()
        c_no: Counter = Counter()
        c_pair: Counter = Counter()
        for en_toks, no_toks in pairs:
            en_set, no_set = set(en_toks), set(no_toks)  # counted per fact; ties broken by sorted order
            shared = en_set & no_set
            en_set, no_set = en_set - shared, no_set - shared
            c_en.update(en_set)
            c_no.update(no_set)
            c_pair.update((e, n) for e in en_set for n in no_set)
        best: dict[str, tuple[float, str]] = {}
        canonical = set(WORDS.values())
        for (e, n), both in sorted(c_pair.items()):
            if both < TRANSLATION_MIN_COUNT or e in canonical or len(e) < 3 or e.isdigit() or e[0].isupper():
                continue
            dice = 2 * both / (c_en[e] + c_no[n])
            if dice >= TRANSLATION_MIN_DICE and dice > best.get(e, (0.0, ""))[0]:
                best[e] = (dice, n)
        reverse: dict[str, list[str]] = defaultdict(list)
        for e, (_dice, n) in best.items():
            reverse[n].append(e)
        self.reverse_translation = dict(reverse)

    @property
    def name_terms(self) -> set[str]:
        cached = getattr(self, "_name_terms", None)
        if cached is None:
            cached = {t for name in self.own_names for t in terms(name.split()) if t}
            self._name_terms = cached
        return cached

    def finish(self) -> None:
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for number, entry in enumerate(self.entries):
            for tok, tf in entry.tf.items():
                postings[tok].append((number, tf))
        self.postings = dict(postings)
        self._doc_postings = {tok: sorted({self.entries[n].doc for n, _tf in p}) for tok, p in postings.items()}
        self._entry_doc = [e.doc for e in self.entries]
        self._entry_translated = [e.translated for e in self.entries]
        self._field_weight = [FIELD_WEIGHT.get(e.field, 1.0) for e in self.entries]
        n = max(len(self.entries), 1)
        self.idf = {tok: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for tok, p in postings.items()}
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self.avg_len = sum(e.length for e in self.entries) / n if self.entries else 1.0
        self._norm = [K1 * (1 - B + B * e.length / self.avg_len) for e in self.entries]
        self.vocabulary.update(w for w in WORDS if len(w) > 2)
        self.vocabulary.update(w for p in list(PHRASES) + list(PHRASES.values()) for w in p.split())
        self.vocabulary.update(self.municipalities)
        self.vocabulary -= STOPWORDS
        self.vocab_list = sorted(self.vocabulary)

    # --- querying -------------------------------------------------------------------------

    def correct(self, word: str) -> str | None:
        """The vocabulary word a misspelt word most likely means, or None."""
        if word in self._corrections:
            return self._corrections[word]
        best = None
        if len(word) >= 4 and not word.isdigit():
            cutoff = 85 if len(word) == 4 else 80
            found = process.extractOne(word, self.vocab_list, scorer=fuzz.ratio, score_cutoff=cutoff)
            if found:
                best = found[0]
        if len(self._corrections) < 20_000:
            self._corrections[word] = best
        return best

    def without_names(self, folded: str) -> str:
        """The folded text without this network's own name (any spelling): it carries no weight."""
        padded = f" {folded} "
        for name in sorted(self.own_names, key=len, reverse=True):
            if f" {name} " in padded:
                padded = padded.replace(f" {name} ", " ")
        return " ".join(padded.split())

    def prepare(self, question: str, lang: str = "nn") -> tuple[list[str], list[str], dict[str, str]]:
        """Query words after typo correction: (words, unknown words, corrections made).

        Only a word that is not a word is corrected (no dictionary, no frequency list and not the
        index's own vocabulary knows it): komme, overfor, weather, manager and spend stay as written."""
        cached = self._prepared.get((question, lang))
        if cached is not None:
            return cached
        if len(self._prepared) > 2_000:
            self._prepared.clear()
        result = self._prepare(question, lang)
        self._prepared[(question, lang)] = result
        return result

    def _prepare(self, question: str, lang: str) -> tuple[list[str], list[str], dict[str, str]]:
        en = lang == "en"
        words, unknown, corrected = [], [], {}
        for word in self.without_names(apply_phrases(fold(strip_preamble(question)))).split():
            if word in STOPWORDS or word in self.vocabulary or word.isdigit() or term(word, en) in self.idf:
                words.append(word)
                continue
            fixed = None if is_real_word(word) else self.correct(word)
            if fixed:
                corrected[word] = fixed
                words.append(fixed)
            else:
                words.append(word)
                whole, parts = word_terms(word, en)
                if not (parts and all(p in self.idf for p in parts)):
                    unknown.append(word)
        return self.without_names(apply_phrases(" ".join(words))).split(), unknown, corrected

    def query_terms(self, words: list[str], en: bool) -> list[str]:
        """Tokens of a question: a compound the index does not hold as a whole counts as its parts."""
        out: list[str] = []
        for w in words:
            whole, parts = word_terms(w, en)
            if whole is None or whole in self.name_terms:
                continue
            if whole in self.idf or not parts:
                out.append(whole)
            else:
                out.extend(parts)
        return list(dict.fromkeys(out))

    def rank(self, question: str, limit: int = 8, lang: str = "nn") -> Ranking:
        words, unknown, corrected = self.prepare(question, lang)
        query = self.query_terms(words, lang == "en")
        qtype = question_type(words)
        weights = {tok: self.idf.get(tok, self.unknown_idf * UNKNOWN_WEIGHT) for tok in query}
        total = sum(weights.values()) or 1.0
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, float] = defaultdict(float)
        doc_weight: dict[int, float] = defaultdict(float)  # weight of the query words a whole document holds
        norm, k1 = self._norm, K1 + 1
        for tok in query:
            plist = self.postings.get(tok)
            if not plist:
                continue
            idf = weights[tok]
            for number, tf in plist:
                scores[number] += idf * tf * k1 / (tf + norm[number])
                matched[number] += idf
            for doc in self._doc_postings[tok]:
                doc_weight[doc] += idf
        best: dict[int, tuple[float, int]] = {}
        entry_doc, field_weight = self._entry_doc, self._field_weight
        entry_translated = self._entry_translated
        for number, raw in scores.items():
            if entry_translated[number] and entry_translated[number] != lang:
                continue  # a working translation answers only a question asked in its language
            score = raw * field_weight[number]
            doc = entry_doc[number]
            current = best.get(doc)
            if current is None or score > current[0]:
                best[doc] = (score, number)
        ranked = sorted(best.items(), key=lambda item: item[1][0] * (0.6 + 0.4 * doc_weight[item[0]] / total),
                        reverse=True)[:max(limit * 3, 20)]
        hit_list = []
        for doc, (score, number) in ranked:
            # the document as a whole (all phrasings, the answer) covers the question this much
            union = doc_weight[doc] / total
            entry = self.entries[number]
            hit = Hit(self.docs[doc], score * (0.6 + 0.4 * union), matched[number] / total, entry,
                      matched[number] / total)
            hit.coverage = max(hit.coverage, UNION_BLEND * union + (1 - UNION_BLEND) * hit.coverage)
            fits = self.fits(qtype, hit)
            if fits is not None:
                hit.score *= TYPE_FIT if fits else TYPE_MISFIT
            hit_list.append(hit)
        best = {i: h for i, h in enumerate(hit_list)}
        hits = sorted(best.values(), key=lambda h: h.score, reverse=True)[:limit]
        if len(hits) > 1:
            # a close runner-up whose one entry holds clearly more of the question (its most specific word,
            # "Nordfjord") answers it better than a top hit that only covers it over several phrasings
            close = [h for h in hits[1:4] if h.score >= CLOSE_SCORE * hits[0].score
                     and h.entry_coverage >= hits[0].entry_coverage + ENTRY_LEAD]
            if close:
                better = max(close, key=lambda h: h.entry_coverage)
                hits.remove(better)
                better.score = max(better.score, hits[0].score * 1.01)
                hits.insert(0, better)
        return Ranking(hits=hits, query_terms=query, unknown=unknown, corrected=corrected, qtype=qtype)

    def doc_tokens(self, hit: Hit) -> set[str]:
        """Every token any entry of the hit's document holds."""
        if self._doc_tokens is None:
            tokens: dict[int, set[str]] = defaultdict(set)
            for entry in self.entries:
                tokens[entry.doc].update(entry.tf)
            self._doc_tokens = dict(tokens)
        return self._doc_tokens.get(hit.entry.doc, set())

    def fits(self, qtype: str, hit: Hit) -> bool | None:
        if qtype in ("what", "yes_no", "why", "what_happens_if"):
            return None
        key = (qtype, hit.entry.doc if hit.entry.field not in ("clause", "sentence") else -id(hit.entry))
        if key not in self._fits:
            self._fits[key] = answer_fits(qtype, self.answer_text(hit))
        return self._fits[key]

    def answer_text(self, hit: Hit) -> str:
        """The text the hit would answer with, as far as the index knows it (for the question-type check)."""
        if hit.entry.field in ("clause", "sentence"):
            return hit.entry.text
        return self.answer_texts.get(hit.entry.doc, "")

    def mentions_other_network(self, question: str) -> bool:
        words = set(fold(question).split())
        joined = fold(question).replace(" ", "")
        return any(name in words or (len(name) > 6 and name in joined) for name in self.other_networks)

    def municipality_in(self, question: str) -> int | None:
        """The id of a member municipality named in the question (typos forgiven)."""
        words = fold(question).split()
        candidates = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
        for cand in candidates:
            for form in (cand, cand[:-1] if cand.endswith("s") else cand):
                if form in self.municipalities:
                    return self.municipalities[form]
        names = list(self.municipalities)
        for cand in candidates:
            if len(cand) < 5 or cand in STOPWORDS or term(cand) in self.idf and cand not in names:
                continue
            found = process.extractOne(cand, names, scorer=fuzz.ratio, score_cutoff=80)
            if found:
                return self.municipalities[found[0]]
        return None


# --- building from the database ------------------------------------------------------------------


async def data_stamp(session: AsyncSession, network_id: int) -> tuple:
    """Cheap version of a network's indexed rows, in one query: changes when data is loaded (the loader
    writes an audit entry), when a fact or an event is added or removed, or when a plug-in invalidates."""
    stamp = select(
        select(func.count(Fact.id)).where(Fact.network_id == network_id).scalar_subquery(),
        select(func.max(Fact.id)).where(Fact.network_id == network_id).scalar_subquery(),
        select(func.count(Event.id)).where(Event.network_id == network_id).scalar_subquery(),
        select(func.max(Event.id)).where(Event.network_id == network_id).scalar_subquery(),
        select(func.max(AuditEntry.id)).where(AuditEntry.action.in_(DATA_ACTIONS)).scalar_subquery(),
    )
    row = (await session.execute(stamp)).one()
    return (tuple(row), plugin_sources.invalidation_stamp(network_id))


def _clause_parts(heading: str, text: str, lang: str, translated: bool) -> list[tuple]:
    """Index parts of a clause text: its heading, each paragraph, and each sentence of a longer paragraph
    (passage retrieval quotes the sentence that answers)."""
    parts: list[tuple] = [("heading", heading, lang, translated)] if heading else []
    paragraphs: list[str] = []
    for para in (p.strip() for p in text.split("\n\n")):
        if para and paragraphs and paragraphs[-1].endswith((":", ";")):
            paragraphs[-1] = f"{paragraphs[-1]}\n{para}"  # "Møter etter behov/ønske;" leads into the list it names
        elif para:
            paragraphs.append(para)
    parts += [("clause", para, lang, translated) for para in paragraphs]
    for para in paragraphs:
        pieces: list[str] = []
        for piece in (x.strip() for x in _SENTENCE.split(para)):
            if piece and pieces and pieces[-1].endswith((":", ";")):
                pieces[-1] = f"{pieces[-1]}\n{piece}"  # a line that leads into what follows is quoted with it
            elif piece:
                pieces.append(piece)
        sentences = [x for x in pieces if len(x) > 20]
        if len(sentences) > 1:
            parts += [("sentence", x, lang, translated) for x in sentences]
    return parts


def _translated_parts(field_name: str, translations: dict | None, title: str, description: str) -> list[tuple]:
    """One entry per language a body's or an event's working translation gives."""
    got = translations or {}
    langs = {*(got.get(title) or {}), *(got.get(description) or {})}
    return [(field_name, f"{(got.get(title) or {}).get(lang, '')}. {(got.get(description) or {}).get(lang, '')}",
             lang, True) for lang in sorted(langs) if lang in INDEXED_TRANSLATIONS]


async def build_index(session: AsyncSession, network: Network) -> NetworkIndex:
    is_real_word("qxzvk")  # load the word lists now, not in the first question that needs them
    stamp = await data_stamp(session, network.id)
    index = NetworkIndex(network_id=network.id, stamp=stamp, built_at=time.monotonic())

    munis = (await session.scalars(select(Municipality).where(Municipality.network_id == network.id))).all()
    for m in munis:
        index.municipalities[fold(m.name)] = m.id
    others = (await session.scalars(select(Network).where(Network.id != network.id))).all()
    own = {fold(network.name), fold(network.slug).replace(" ", ""), fold(network.name).replace(" ", ""),
           fold(network.slug)}
    camel = fold(re.sub(r"(?<=[a-zæøå])(?=[A-ZÆØÅ])", " ", network.name))  # DigiVestland → digi vestland
    own |= {camel, *(f"{n}s" for n in list(own) + [camel] if n)}
    index.own_names = {n for n in own if n}
    index.language = network.language or "nn"
    for other in others:
        for name in (fold(other.name), fold(other.slug).replace(" ", ""), fold(other.name).replace(" ", "")):
            if name and name not in own:
                index.other_networks.add(name)

    facts = (await session.scalars(select(Fact).where(Fact.network_id == network.id).order_by(Fact.id))).all()
    pairs = []
    for fact in facts:
        answers = fact.answer or {}
        if answers.get("en") and (answers.get("nn") or answers.get("nb")):
            pairs.append((terms(raw_words(answers["en"]), True),
                          terms(raw_words(f"{answers.get('nn', '')} {answers.get('nb', '')}"))))
    index.learn_translation(pairs)
    for fact in facts:
        if fact.illustrative:
            continue  # a made-up value is never an answer (it stays in the data for the demo's other flows)
        parts = [("question", q, lang) for lang, qs in (fact.questions or {}).items() for q in qs]
        if fact.kind != "not_in_sources":  # a refusal's text ("… does not say who; it says …") is not content
            parts += [("answer", a, lang) for lang, a in (fact.answer or {}).items() if a]
        index.answer_texts[len(index.docs)] = "\n".join(a for a in (fact.answer or {}).values() if a)
        index.add(Doc(key=f"fact:{fact.key}", kind="fact", row_id=fact.id, topic=fact.topic,
                      fact_kind=fact.kind, questions=dict(fact.questions or {}),
                      cites=frozenset(fact.clause_refs or [])), parts)

    clauses = (await session.execute(
        select(Clause, AgreementVersion).join(AgreementVersion, Clause.version_id == AgreementVersion.id)
        .join(Agreement, AgreementVersion.agreement_id == Agreement.id)
        .where(Agreement.network_id == network.id).order_by(Clause.id))).all()
    agreements = {a.id: a.key for a in (await session.scalars(
        select(Agreement).where(Agreement.network_id == network.id))).all()}
    for clause, version in clauses:
        ref = f"{agreements.get(version.agreement_id, '')}/{version.key}/{clause.key}"
        info = ClauseInfo(ref, clause.number, clause.heading, clause.text, version.label)
        index.clauses[ref] = info
        index.clauses[f"id:{clause.id}"] = info
        index.clauses.setdefault(f"key:{clause.key}", info)
        index.clause_languages[clause.id] = clause.language or index.language
        index.clause_translations[clause.id] = dict(clause.translations or {})
        parts = _clause_parts(clause.heading, clause.text, clause.language, False)
        for lang, heading in ((clause.translations or {}).get("heading") or {}).items():
            if lang in INDEXED_TRANSLATIONS:
                parts.append(("heading", heading, lang, True))
        for lang, text in ((clause.translations or {}).get("text") or {}).items():
            if lang in INDEXED_TRANSLATIONS:
                parts += _clause_parts("", text, lang, True)
        index.add(Doc(key=f"clause:{clause.id}", kind="clause", row_id=clause.id, topic=clause.key,
                      cites=frozenset([ref, clause.key])), parts)

    events = (await session.scalars(select(Event).where(Event.network_id == network.id))).all()
    for ev in events:
        if ev.illustrative:
            continue  # a made-up meeting is never an answer
        index.answer_texts[len(index.docs)] = f"{ev.title} {ev.starts_at:%Y-%m-%d %H:%M} {ev.description}"
        parts = [("event", f"{ev.title}. {ev.description}")]
        parts += _translated_parts("event", ev.translations, "title", "description")
        index.add(Doc(key=f"event:{ev.id}", kind="event", row_id=ev.id, topic=ev.kind), parts)

    bodies = (await session.scalars(select(Body).where(Body.network_id == network.id))).all()
    for body in bodies:
        if body.illustrative:
            continue  # a made-up body (its name is invented) is never an answer
        index.answer_texts[len(index.docs)] = f"{body.name}. {body.description}"
        parts = [("body", f"{body.name}. {body.description}")]
        parts += _translated_parts("body", body.translations, "name", "description")
        index.add(Doc(key=f"body:{body.id}", kind="body", row_id=body.id, topic=body.kind), parts)

    for name, provider in list(plugin_sources.QA_SOURCES.items()):
        try:
            documents = await provider(session, network)
        except Exception:  # noqa: BLE001 - a broken plug-in must not take Q&A down
            log.exception("qa source %s failed for network %s", name, network.slug)
            continue
        for document in documents:
            parts = [("question", q, lang) for lang, qs in document.questions.items() for q in qs]
            parts += [("answer", a, lang) for lang, a in document.answer.items() if a]
            parts += [("keyword", k) for k in document.keywords]
            index.answer_texts[len(index.docs)] = "\n".join(a for a in document.answer.values() if a)
            index.add(Doc(key=f"doc:{name}:{document.key}", kind="document", topic=document.topic,
                          questions=dict(document.questions), document=document), parts)
    index.finish()
    return index


_CACHE: dict[tuple[str, int], NetworkIndex] = {}
_INDEXED = (Fact, Event, Clause, Body, Municipality, Network, Agreement, AgreementVersion)
_WRITES = [0]  # bumped by every commit in this process that wrote rows the index is built from


@event.listens_for(Session, "after_flush")
def _note_indexed_writes(session: Session, _context) -> None:
    if session.info.get("qa_indexed_write"):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _INDEXED) or (isinstance(obj, AuditEntry) and obj.action in DATA_ACTIONS):
            session.info["qa_indexed_write"] = True
            return


@event.listens_for(Session, "after_commit")
def _count_indexed_commit(session: Session) -> None:
    if session.info.pop("qa_indexed_write", False):
        _WRITES[0] += 1


@event.listens_for(Session, "after_rollback")
def _forget_indexed_write(session: Session) -> None:
    session.info.pop("qa_indexed_write", None)


async def index_for(session: AsyncSession, network: Network) -> NetworkIndex:
    """The network's index, rebuilt lazily when its data stamp changes (or plug-ins may have).

    Asked on every question, so the stamp query is skipped when this process has committed no
    indexed write since the stamp was confirmed less than STAMP_TTL_SECONDS ago."""
    bind = session.bind
    db_key = str(getattr(bind, "url", id(bind)))
    cached = _CACHE.get((db_key, network.id))
    now, generation = time.monotonic(), _WRITES[0]
    if cached is not None:
        expired = plugin_sources.QA_SOURCES and now - cached.built_at > SOURCES_TTL_SECONDS
        if not expired and not session.info.get("qa_indexed_write") and (
                cached.stamp[1] == plugin_sources.invalidation_stamp(network.id)) and (
                cached.checked_generation == generation and now - cached.checked_at < STAMP_TTL_SECONDS):
            return cached
        if not expired and cached.stamp == await data_stamp(session, network.id):
            cached.checked_at, cached.checked_generation = now, generation
            return cached
    index = await build_index(session, network)
    index.checked_at, index.checked_generation = now, generation
    _CACHE[(db_key, network.id)] = index
    return index


def forget(network_id: int | None = None) -> None:
    """Drop cached indexes (all, or one network's): the next question rebuilds."""
    for key in [k for k in _CACHE if network_id is None or k[1] == network_id]:
        _CACHE.pop(key, None)
