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
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import Network


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
