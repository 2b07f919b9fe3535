"""Plug-in point: other capabilities add question/answer documents that Q&A indexes.

Why: Q&A should answer questions about rows other capabilities own (projects,
expert groups, routines) without Q&A importing their models. A capability
registers an async provider with `@qa_source("name")`; the provider returns
`QaDocument`s built from its own stored rows for one network. Q&A calls every
provider when it (re)builds a network's index and ranks the documents exactly
like stored facts (BM25 over the questions and the answer, per language).

Stable interface (do not rely on anything else in dialogs.qa):

    from dialogs.qa.sources import QaDocument, QaSource, qa_source

    @qa_source("portfolio")
    async def portfolio_documents(session: AsyncSession, network: Network) -> list[QaDocument]:
        return [QaDocument(
            key="project:askoy-lead",
            questions={"nn": ["Kva prosjekt leier Askøy?"], "nb": ["Hvilke prosjekter leder Askøy?"],
                       "en": ["Which projects does Askøy lead?"]},
            answer={"nn": "Askøy leier …", "nb": "Askøy leder …", "en": "Askøy leads …"},
            sources=[QaCitation(title="Prosjektportefølje 2026", ref="portfolio/2026")],
        )]

- `key` must be unique within a network; prefix it with your source name.
- `questions`/`answer` are per language ("nn", "nb", "en"). A missing language falls back to
  the network's language, then to any language given. Answers are shown verbatim.
- `clause_refs` ("<agreement>/<version>/<clause>") are resolved to clause headings and full
  text on the answer card, like Fact.clause_refs; `sources` are extra citations (title + ref).
- `version` is informational (shown nowhere, kept for your own bookkeeping). Q&A re-reads every
  provider when it rebuilds a network's index: when the network's stored data changes (a data load,
  a learned fact), when `dialogs.qa.sources.invalidate(network_id)` is called, and at the latest
  60 seconds after the last build. Call `invalidate(network_id)` after every write to your rows so
  that the next question sees the change at once.
- A provider that raises is logged and skipped: Q&A keeps answering from everything else.

Scopes (`@qa_scope("name")`): a capability may also look at each question before it is ranked and
return a `QaScope` (or None): the question to match instead (a date phrase that only chose a version
cut out), the "<agreement>/<version>" prefixes whose clauses and facts do not answer this question
(a version not valid on the date asked about), and a line to put above an answer that cites a given
agreement (which version answered). The agreements capability uses it so that Q&A answers from the
version valid on the date a question is about (by default today).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import Network

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QaCitation:
    """Something an answer rests on that is not an agreement clause (a decision, a list, a page)."""

    title: str
    ref: str = ""
    url: str = ""


@dataclass
class QaDocument:
    """One answerable entry: alternative phrasings and the answer, per language."""

    key: str
    questions: dict[str, list[str]]
    answer: dict[str, str]
    sources: list[QaCitation] = field(default_factory=list)
    clause_refs: list[str] = field(default_factory=list)
    # extra words that should lead here but are not in the questions (names, abbreviations)
    keywords: list[str] = field(default_factory=list)
    topic: str = ""
    version: str = ""


QaSource = Callable[["AsyncSession", "Network"], Awaitable[list[QaDocument]]]

QA_SOURCES: dict[str, QaSource] = {}
_INVALIDATED: dict[int, int] = {}


def qa_source(name: str) -> Callable[[QaSource], QaSource]:
    """Register a provider of QaDocuments under a unique name (re-registering replaces it)."""
    def register(func: QaSource) -> QaSource:
        QA_SOURCES[name] = func
        return func
    return register


def invalidate(network_id: int | None = None) -> None:
    """Tell Q&A that a network's (or, with None, every network's) documents changed."""
    key = -1 if network_id is None else network_id
    _INVALIDATED[key] = _INVALIDATED.get(key, 0) + 1


def invalidation_stamp(network_id: int) -> tuple[int, int]:
    """Part of the index version: changes whenever `invalidate` is called for this network."""
    return (_INVALIDATED.get(-1, 0), _INVALIDATED.get(network_id, 0))


# --- scopes: what a capability says about one question before it is ranked -----------------------


def _prefix(ref: str) -> str:
    """"agreement/version/clause" → "agreement/version"; "" for a bare clause key or another ref."""
    parts = ref.split("/")
    return "/".join(parts[:2]) if len(parts) >= 3 else ""


@dataclass
class QaScope:
    """One question's scope: rank `question` instead (when set); a hit whose versioned clause refs all
    start with a `hidden` "<agreement>/<version>" does not answer; `notes[agreement][lang]` goes above
    an answer that cites that agreement."""

    question: str | None = None
    hidden: frozenset[str] = frozenset()
    notes: dict[str, dict[str, str]] = field(default_factory=dict)

    def admits(self, cites: Iterable[str]) -> bool:
        """False when, for some agreement, every version the hit cites is hidden."""
        by_agreement: dict[str, list[str]] = {}
        for prefix in filter(None, map(_prefix, cites)):
            by_agreement.setdefault(prefix.split("/")[0], []).append(prefix)
        return not any(all(p in self.hidden for p in ps) for ps in by_agreement.values())

    def note_for(self, refs: Iterable[str], lang: str) -> str:
        for prefix in filter(None, map(_prefix, refs)):
            texts = self.notes.get(prefix.split("/")[0])
            if texts and prefix not in self.hidden:
                return texts.get(lang) or next(iter(texts.values()), "")
        return ""


QaScopeProvider = Callable[["AsyncSession", "Network", str, str, datetime], Awaitable["QaScope | None"]]
QA_SCOPES: dict[str, QaScopeProvider] = {}


def qa_scope(name: str) -> Callable[[QaScopeProvider], QaScopeProvider]:
    """Register a question scope provider (session, network, question, lang, now) → QaScope | None."""
    def register(func: QaScopeProvider) -> QaScopeProvider:
        QA_SCOPES[name] = func
        return func
    return register


async def scope_of(session: AsyncSession, network: Network, question: str, lang: str, now: datetime) -> QaScope:
    """Every provider's scope for this question, merged (a provider that raises is logged and skipped)."""
    merged = QaScope()
    for name, provider in list(QA_SCOPES.items()):
        try:
            scope = await provider(session, network, question, lang, now)
        except Exception:  # noqa: BLE001 - a broken plug-in must not take Q&A down
            log.exception("qa scope %s failed for network %s", name, network.slug)
            continue
        if scope is None:
            continue
        merged.question = merged.question or scope.question
        merged.hidden = merged.hidden | scope.hidden
        merged.notes = {**merged.notes, **scope.notes}
    return merged
