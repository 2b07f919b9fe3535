"""Agreement answers for Q&A, from stored rows: who has joined the adopted (or in-force) version,
whether one municipality has joined, what changes in the new agreement (from the clause diff) and
which version applies when; and the scope of each question: the version valid on the date it is
about (by default today), whose clauses alone answer it."""

from __future__ import annotations

import time
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.agreements import accession, document, validity
from dialogs.agreements.text import period_of
from dialogs.agreements.validity import Asked, VersionInfo
from dialogs.agreements.versions import changes_of, main_agreement
from dialogs.i18n import LANGUAGES, OSLO, format_day, t
from dialogs.qa.sources import QaCitation, QaDocument, QaScope, invalidation_stamp, qa_scope, qa_source
from storage.models import Agreement, AgreementVersion, Clause, Network

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
    "en": ["What changes in the new agreement?", "What is new in the draft agreement?",
           "What changes when the new agreement comes into force?"],
}
_CHANGES_Q["nn"].append("Kva endrar seg når den nye avtalen tek til å gjelde?")
_CHANGES_Q["nb"].append("Hva endres når den nye avtalen trer i kraft?")
_VERSIONS_Q = {
    "nn": ["Kva avtale gjeld?", "Kva versjon av samarbeidsavtalen gjeld?", "Når tek den nye avtalen til å gjelde?",
           "Frå når gjeld den nye avtalen?"],
    "nb": ["Hvilken avtale gjelder?", "Hvilken versjon av samarbeidsavtalen gjelder?",
           "Når trer den nye avtalen i kraft?", "Fra når gjelder den nye avtalen?"],
    "en": ["Which agreement applies?", "Which version of the agreement is in force?",
           "When does the new agreement come into force?", "From when does the new agreement apply?"],
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
        dated = [v for v in agreement.versions if v.clauses]
        if len(dated) > 1:  # which version applies when: only where there is more than one to tell apart
            dated.sort(key=lambda v: (v.valid_from or date.min, v.id))
            answer = {lang: "\n".join(_version_line(v, lang) for v in dated) for lang in LANGUAGES}
            docs.append(QaDocument(
                key="agreements:versions", questions=_VERSIONS_Q, answer=answer, topic="agreement",
                sources=[QaCitation(title=v.label, ref=f"{agreement.key}/{v.key}/") for v in dated],
                keywords=["versjon", "version", "gjeld", "gjelder", "i kraft"]))
    return docs


def _version_line(version: AgreementVersion, lang: str) -> str:
    period = period_of(version, lang)
    return t("agreements.qa_version_line", lang, label=version.label, period=period or "—",
             status=t(f"agreements.version_{version.status}", lang))


# --- the scope of a question: the version valid on the date it is about ------------------------


# Asked on every question: the versions are read at most every VERSIONS_TTL seconds per database and
# network, and at once after `invalidate` (adoption, the switch into force, an import in this process).
VERSIONS_TTL = 5.0
_VERSIONS: dict[tuple[str, int], tuple[tuple[int, int], float, dict[str, list[VersionInfo]]]] = {}


async def _versions(session: AsyncSession, network: Network) -> dict[str, list[VersionInfo]]:
    key = (str(getattr(session.bind, "url", id(session.bind))), network.id)
    stamp, now = invalidation_stamp(network.id), time.monotonic()
    cached = _VERSIONS.get(key)
    if cached is not None and cached[0] == stamp and now - cached[1] < VERSIONS_TTL:
        return cached[2]
    found = await _read_versions(session, network)
    if len(_VERSIONS) > 1000:
        _VERSIONS.clear()
    _VERSIONS[key] = (stamp, now, found)
    return found


async def _read_versions(session: AsyncSession, network: Network) -> dict[str, list[VersionInfo]]:
    """Each agreement's versions that have clauses, in one query."""
    has_clauses = select(Clause.id).where(Clause.version_id == AgreementVersion.id).exists()
    rows = (await session.execute(
        select(Agreement.key, AgreementVersion.key, AgreementVersion.label, AgreementVersion.status,
               AgreementVersion.valid_from, AgreementVersion.valid_to, AgreementVersion.id)
        .join(Agreement, AgreementVersion.agreement_id == Agreement.id)
        .where(Agreement.network_id == network.id, has_clauses))).all()
    out: dict[str, list[VersionInfo]] = {}
    for agreement, key, label, status, valid_from, valid_to, row_id in rows:
        out.setdefault(agreement, []).append(VersionInfo(agreement, key, label, status, valid_from, valid_to, row_id))
    return out


def note(version: VersionInfo, how: str, asked: Asked, today: date, lang: str) -> str:
    """The line above an answer that says which version answered, and why that one."""
    period = period_of(version, lang)
    label = f"{version.label} ({period})" if period else version.label
    if how == "draft":
        return t("agreements.qa_note_draft", lang, label=label)
    if how == "named":
        return t("agreements.qa_note_named", lang, label=label)
    day = asked.day or today
    if how == "none":
        return t("agreements.qa_note_none", lang, label=label,
                 when=str(day.year) if asked.year else format_day(day, lang))
    when = (t("agreements.qa_today", lang) if asked.day is None else
            t("agreements.qa_in_year", lang, year=day.year) if asked.year else
            t("agreements.qa_on_day", lang, day=format_day(day, lang)))
    return t("agreements.qa_note_past" if day < today else "agreements.qa_note_valid", lang, label=label, when=when)


@qa_scope("agreements")
async def agreement_scope(session: AsyncSession, network: Network, question: str, lang: str,
                          now: datetime) -> QaScope | None:
    """Where an agreement has more than one version with clauses and dates, only the version the
    question is about answers it; a date phrase that picked the version is not matched as content."""
    versions = {key: vs for key, vs in (await _versions(session, network)).items()
                if len(vs) > 1 and any(v.valid_from or v.valid_to for v in vs)}
    if not versions:
        return None
    today = now.astimezone(OSLO).date()
    asked = validity.asked_in(question, today)
    hidden: set[str] = set()
    notes: dict[str, dict[str, str]] = {}
    for key, candidates in versions.items():
        chosen, how = validity.version_for(candidates, asked, today)
        hidden |= {v.prefix for v in candidates if v is not chosen}
        if asked.named:
            notes[key] = {code: note(chosen, how, asked, today, code) for code in LANGUAGES}
    return QaScope(question=validity.matched_question(question, asked, lang), hidden=frozenset(hidden), notes=notes)

