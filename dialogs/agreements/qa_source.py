"""Agreement answers for Q&A, from stored rows: who has joined the adopted (or in-force) version,
whether one municipality has joined, and what changes in the new agreement (from the clause diff)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.agreements import accession, document
from dialogs.agreements.versions import changes_of, main_agreement
from dialogs.i18n import LANGUAGES, format_day, t
from dialogs.qa.sources import QaCitation, QaDocument, qa_source
from storage.models import Network

_JOINED_Q = {
    "nn": ["Kva kommunar har tiltredd den nye avtalen?", "Kven har tiltredd samarbeidsavtalen?",
           "Kva kommunar har slutta seg til avtalen?", "Kor mange kommunar har tiltredd?",
           "Kven er partar i avtalen?"],
    "nb": ["Hvilke kommuner har tiltrådt den nye avtalen?", "Hvem har tiltrådt samarbeidsavtalen?",
           "Hvilke kommuner har sluttet seg til avtalen?", "Hvor mange kommuner har tiltrådt?",
           "Hvem er parter i avtalen?"],
    "en": ["Which municipalities have joined the new agreement?", "Who has joined the agreement?",
           "How many municipalities have joined?", "Who are the parties to the agreement?"],
}
_ONE_Q = {
    "nn": ["Har {name} tiltredd den nye avtalen?", "Har {name} vedteke å tiltre avtalen?",
           "Når behandlar {name} avtalen?"],
    "nb": ["Har {name} tiltrådt den nye avtalen?", "Har {name} vedtatt å tiltre avtalen?",
           "Når behandler {name} avtalen?"],
    "en": ["Has {name} joined the new agreement?", "When does {name} decide on the agreement?"],
}
_CHANGES_Q = {
    "nn": ["Kva er endra i den nye avtalen?", "Kva er nytt i utkastet til ny samarbeidsavtale?",
           "Kva endrar seg med ny avtale?"],
    "nb": ["Hva er endret i den nye avtalen?", "Hva er nytt i utkastet til ny samarbeidsavtale?",
           "Hva endrer seg med ny avtale?"],
    "en": ["What changes in the new agreement?", "What is new in the draft agreement?"],
}


def _names(names: list[str], lang: str) -> str:
    if not names:
        return t("agreements.qa_none", lang)
    return ", ".join(names)


def _one(row: accession.StatusRow, label: str, lang: str) -> str:
    if row.status == "not_yet":
        return t("agreements.qa_one_not_yet", lang, name=row.municipality, label=label)
    if row.status == "planned":
        return t("agreements.qa_one_planned", lang, name=row.municipality, label=label,
                 day=format_day(row.planned_date, lang) if row.planned_date else "—")
    text = t(f"agreements.qa_one_{row.status}", lang, name=row.municipality, label=label, body=row.body or "—",
             day=format_day(row.meeting_date, lang) if row.meeting_date else "—", case=row.case_number or "—")
    if row.funding:
        text += " " + t("agreements.qa_funding", lang, funding=row.funding)
    if row.illustrative:
        text += " " + t("agreements.qa_illustrative", lang)
    return text


@qa_source("agreements")
async def agreement_documents(session: AsyncSession, network: Network) -> list[QaDocument]:
    docs: list[QaDocument] = []
    status = await accession.accession_status(session, network)
    if status is not None and status.version_status in ("adopted", "in_force"):
        cite = [QaCitation(title=t("agreements.accession_title", network.language, label=status.version_label),
                           ref=f"accessions/{status.version_key}")]
        joined = [r.municipality for r in status.parties]  # the one rule the status and the text read
        answer = {lang: t("agreements.qa_joined", lang, label=status.version_label, count=len(joined),
                          total=len(status.rows), names=_names(joined, lang),
                          planned=_names(status.named("planned"), lang)) for lang in LANGUAGES}
        docs.append(QaDocument(key="agreements:joined", questions=_JOINED_Q, answer=answer, sources=cite,
                               keywords=["tiltreding", "tiltredd", "tiltrådt", "joined"], topic="agreement"))
        for row in status.rows:
            docs.append(QaDocument(
                key=f"agreements:joined:{row.number}",
                questions={lang: [q.format(name=row.municipality) for q in qs] for lang, qs in _ONE_Q.items()},
                answer={lang: _one(row, status.version_label, lang) for lang in LANGUAGES},
                sources=cite, keywords=[row.municipality, "tiltreding"], topic="agreement"))
    agreement = await main_agreement(session, network)
    if agreement is not None:
        newest = [v for v in agreement.versions if v.clauses and v.status in ("draft", "adopted", "in_force")]
        newest.sort(key=lambda v: v.valid_from.toordinal() if v.valid_from else 0)
        version = newest[-1] if newest else None
        if version is not None:
            base, changes = await changes_of(session, agreement, version)
            if base is not None:
                counted = document.counts(changes)

                def listed(kind: str, lang: str) -> str:
                    names = [f"{c.number} {c.heading}".strip() for c in changes if c.kind == kind]
                    return _names(names, lang)
                answer = {lang: t("agreements.qa_changes", lang, label=version.label, old=base.label,
                                  added=listed("added", lang), removed=listed("removed", lang),
                                  changed=listed("changed", lang), added_count=counted["added"],
                                  removed_count=counted["removed"], changed_count=counted["changed"])
                          for lang in LANGUAGES}
                docs.append(QaDocument(
                    key="agreements:changes", questions=_CHANGES_Q, answer=answer,
                    clause_refs=[f"{agreement.key}/{version.key}/{c.new.key}" for c in changes
                                 if c.kind in ("added", "changed") and c.new is not None][:5],
                    keywords=["endringar", "endringer", "changes"], topic="agreement"))
    return docs

