"""Portfolio answers for Q&A: "kva prosjekt leier Askøy?", "hvilke faggrupper finnes?".

Why a provider: Q&A answers only from stored rows and must not import our models; it asks
every registered `@qa_source` for documents. The documents are rebuilt from the stored portfolio,
so an edit by the secretariat is answered at once (the version changes with every edit).
"""

from __future__ import annotations

import logging
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.i18n import LANGUAGES, t
from dialogs.routines.portfolio import items_of, milestone, money, owner_name
from storage import directory
from storage import routines as stored_routines
from storage.models import Network
from storage.models.routines import PortfolioItem

log = logging.getLogger("samarbeidsbot.routines")

try:
    from dialogs.qa.sources import QaCitation, QaDocument, qa_source
except ImportError:  # Q&A not installed: the portfolio is still listed with the "portefølje" command
    qa_source = None  # type: ignore[assignment]


def _per_lang(key: str, **values) -> dict[str, str]:
    return {lang: t(key, lang, **{k: (v(lang) if callable(v) else v) for k, v in values.items()})
            for lang in LANGUAGES}


def _item_answer(item: PortfolioItem, owner: str, names: dict[str, str], lang: str) -> str:
    parts = [t("routines.qa_item_answer", lang, name=item.name, kind=t(f"routines.qa_kind_{item.kind}", lang),
               owner=owner, status=t(f"routines.status_{item.status}", lang).lower())]
    if item.participants:
        parts.append(t("routines.qa_item_participants", lang,
                       names=", ".join(names.get(n, n) for n in item.participants)))
    if item.budget_nok is not None:
        parts.append(t("routines.qa_item_budget", lang, budget=money(item.budget_nok, lang)))
    if text := milestone(item, lang):
        parts.append(t("routines.qa_item_milestone", lang, milestone=text))
    if item.illustrative:
        parts.append(t("routines.qa_illustrative", lang))
    return " ".join(parts)


_ITEM_QUESTIONS = {
    "nn": ["Kven leiar {name}?", "Kva er status for {name}?", "Kva er budsjettet til {name}?",
           "Når er neste milepæl for {name}?", "Kven er med i {name}?"],
    "nb": ["Hvem leder {name}?", "Hva er status for {name}?", "Hva er budsjettet til {name}?",
           "Når er neste milepæl for {name}?", "Hvem er med i {name}?"],
    "en": ["Who leads {name}?", "What is the status of {name}?", "What is the budget of {name}?",
           "When is the next milestone for {name}?", "Who takes part in {name}?"],
}


async def portfolio_documents(session: AsyncSession, network: Network) -> list[QaDocument]:
    items = await items_of(session, network)
    if not items:
        return []
    munis = await directory.municipalities(session, network.id)
    by_id = {m.id: m.name for m in munis}
    names = {m.number: m.name for m in munis}
    version = await stored_routines.portfolio_stamp(session, network.id)
    cite = [QaCitation(title=t("routines.qa_source", network.language, network=network.name),
                       ref=f"portfolio/{network.slug}")]
    docs: list[QaDocument] = []

    def listing(kind: str) -> list[PortfolioItem]:
        return [i for i in items if i.kind == kind]

    def described(rows: list[PortfolioItem], lang: str) -> str:
        return "; ".join(f"{i.name} ({owner_name(i, by_id)}, {t(f'routines.status_{i.status}', lang).lower()})"
                         for i in rows)

    projects, groups = listing("project"), listing("expert_group")
    if projects:
        docs.append(QaDocument(
            key="portfolio:projects", topic="portefolje", version=version, sources=cite,
            questions={"nn": ["Kva prosjekt er i porteføljen?", "Kva regionale prosjekt har vi?",
                              "Kva prosjekt held samarbeidet på med?", "Vis prosjektporteføljen"],
                       "nb": ["Hvilke prosjekter er i porteføljen?", "Hvilke regionale prosjekter har vi?",
                              "Hvilke prosjekter jobber samarbeidet med?", "Vis prosjektporteføljen"],
                       "en": ["Which projects are in the portfolio?", "What regional projects do we have?",
                              "Show the project portfolio"]},
            answer=_per_lang("routines.qa_projects_answer", network=network.name,
                             items=lambda lang: described(projects, lang)),
            keywords=["prosjekt", "prosjekter", "portefølje", "projects", "portfolio"]))
    if groups:
        docs.append(QaDocument(
            key="portfolio:expert-groups", topic="faggrupper", version=version, sources=cite,
            questions={"nn": ["Kva faggrupper finst?", "Kva faggrupper har vi?", "Vis faggruppene"],
                       "nb": ["Hvilke faggrupper finnes?", "Hvilke faggrupper har vi?", "Vis faggruppene"],
                       "en": ["Which expert groups are there?", "What expert groups exist?",
                              "List the expert groups"]},
            answer=_per_lang("routines.qa_groups_answer", network=network.name, count=len(groups),
                             items=lambda lang: described(groups, lang)),
            keywords=["faggrupper", "faggruppe", "expert groups"]))
    owned: dict[int, list[PortfolioItem]] = defaultdict(list)
    joined: dict[str, list[PortfolioItem]] = defaultdict(list)
    for item in items:
        if item.owner_municipality_id:
            owned[item.owner_municipality_id].append(item)
        for number in item.participants or []:
            joined[number].append(item)
    for muni_id, rows in owned.items():
        name = by_id.get(muni_id, "")
        docs.append(QaDocument(
            key=f"portfolio:owner:{muni_id}", topic="portefolje", version=version, sources=cite,
            questions={"nn": [f"Kva prosjekt leiar {name}?", f"Kva prosjekt leier {name}?",
                              f"Kva er {name} prosjekteigar for?", f"Kva faggrupper leiar {name}?"],
                       "nb": [f"Hvilke prosjekter leder {name}?", f"Hva er {name} prosjekteier for?",
                              f"Hvilke faggrupper leder {name}?"],
                       "en": [f"Which projects does {name} lead?", f"What does {name} own in the portfolio?"]},
            answer=_per_lang("routines.qa_owner_answer", municipality=name, count=len(rows),
                             items=lambda lang, rows=rows: "; ".join(
                                 f"{i.name} ({t(f'routines.qa_kind_{i.kind}', lang)}, "
                                 f"{t(f'routines.status_{i.status}', lang).lower()})" for i in rows)),
            ))
    for number, rows in joined.items():
        name = names.get(number, number)
        docs.append(QaDocument(
            key=f"portfolio:participant:{number}", topic="portefolje", version=version, sources=cite,
            questions={"nn": [f"Kva prosjekt er {name} med i?", f"Kva deltek {name} i?"],
                       "nb": [f"Hvilke prosjekter er {name} med i?", f"Hva deltar {name} i?"],
                       "en": [f"Which projects does {name} take part in?"]},
            answer=_per_lang("routines.qa_participant_answer", municipality=name,
                             items=lambda lang, rows=rows: ", ".join(i.name for i in rows)),
            ))
    for item in projects:  # expert groups are bodies, which Q&A already answers about
        owner = owner_name(item, by_id)
        docs.append(QaDocument(
            key=f"portfolio:item:{item.key}", topic="portefolje", version=version, sources=cite,
            questions={lang: [q.format(name=item.name) for q in qs] for lang, qs in _ITEM_QUESTIONS.items()},
            answer={lang: _item_answer(item, owner, names, lang) for lang in LANGUAGES},
            keywords=[item.name, item.key]))
    return docs


if qa_source is not None:
    qa_source("portfolio")(portfolio_documents)
