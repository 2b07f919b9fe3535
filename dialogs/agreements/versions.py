"""Agreement versions in the database: which one is in force on a date, the baseline a draft is
compared with, importing a draft, and the clause diff between two stored versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from dialogs.agreements import document
from dialogs.agreements.document import ClauseChange, ClauseLike, DocumentError, ParsedDocument
from dialogs.qa.sources import invalidate
from storage.loader import IMPORTED
from storage.models import Agreement, AgreementVersion, AuditEntry, Clause, Consultation, Network


def as_like(clauses: list[Clause]) -> list[ClauseLike]:
    return [ClauseLike(key=c.key, number=c.number, heading=c.heading, text=c.text)
            for c in sorted(clauses, key=lambda c: c.position)]


async def agreements_of(session: AsyncSession, network: Network) -> list[Agreement]:
    return list((await session.scalars(
        select(Agreement).where(Agreement.network_id == network.id)
        .options(selectinload(Agreement.versions).selectinload(AgreementVersion.clauses))
        .order_by(Agreement.id))).all())


async def main_agreement(session: AsyncSession, network: Network, key: str | None = None) -> Agreement | None:
    agreements = await agreements_of(session, network)
    if key:
        return next((a for a in agreements if a.key == key), None)
    return agreements[0] if agreements else None


def in_force(agreement: Agreement) -> AgreementVersion | None:
    return next((v for v in agreement.versions if v.status == "in_force"), None)


def baseline(agreement: Agreement, exclude: AgreementVersion | None = None) -> AgreementVersion | None:
    """What a draft is compared with: the version in force, else the latest earlier version with clauses."""
    current = in_force(agreement)
    if current is not None and current is not exclude:
        return current
    earlier = [v for v in agreement.versions if v is not exclude and v.clauses and v.status != "draft"]
    earlier.sort(key=lambda v: (v.valid_to or v.valid_from or date.min), reverse=True)
    return earlier[0] if earlier else None


@dataclass
class Imported:
    agreement: Agreement
    version: AgreementVersion
    base: AgreementVersion | None
    changes: list[ClauseChange]
    replaced: bool


async def import_draft(session: AsyncSession, network: Network, parsed: ParsedDocument, *, version_key: str,
                       agreement_key: str | None = None, label: str = "", effective_from: date | None = None,
                       source: str = "", actor: str = "cli") -> Imported:
    """Store a checked draft as a `draft` version (a new one, or a draft without clauses or comments yet).

    Raises DocumentError (nothing written) when the draft has problems or the version may not be replaced."""
    problems = list(parsed.problems)
    agreement = await main_agreement(session, network, agreement_key)
    if agreement is None:
        problems.append(f"network {network.slug!r} has no agreement {agreement_key or ''}".rstrip())
        raise DocumentError(problems)
    version = next((v for v in agreement.versions if v.key == version_key), None)
    if version is not None and version.status != "draft":
        problems.append(f"version {version_key!r} is {version.status}; only a draft can be replaced")
    if version is not None and version.clauses:
        in_consultation = await session.scalar(select(Consultation.id).where(
            Consultation.agreement_version_id == version.id, Consultation.status != "draft"))
        if in_consultation is not None:
            problems.append(f"version {version_key!r} is already out for consultation; import it under a new key")
    if problems:
        raise DocumentError(problems)
    base = baseline(agreement, exclude=version)
    old = as_like(base.clauses) if base else []
    new = [ClauseLike(key="", number=c.number, heading=c.heading, text=c.text) for c in parsed.clauses]
    pairs = document.match(old, new)
    document.assign_keys(parsed.clauses, {j: old[i].key for j, i in pairs.items()})
    replaced = version is not None
    if version is None:
        version = AgreementVersion(agreement_id=agreement.id, key=version_key, status="draft",
                                   label=label or parsed.title or version_key, language=network.language)
        session.add(version)
        await session.flush()
    else:
        for clause in list(version.clauses):
            await session.delete(clause)
        await session.flush()
    if label:
        version.label = label
    if effective_from:
        version.valid_from = effective_from
    version.source = f"{IMPORTED}{source}"[:200]
    for position, clause in enumerate(parsed.clauses):
        session.add(Clause(version_id=version.id, key=clause.key, number=clause.number, heading=clause.heading,
                           text=clause.text, language=version.language, position=position))
    await session.flush()
    await session.refresh(version, ["clauses"])
    changes = document.diff(old, as_like(version.clauses))
    session.add(AuditEntry(actor=actor, network_id=network.id, action="agreement.import",
                           target=f"{agreement.key}/{version_key}",
                           details={"clauses": len(parsed.clauses), "source": source,
                                    "against": base.key if base else None, **document.counts(changes)}))
    invalidate(network.id)  # Q&A: the new version's clauses and dates count from the next question
    return Imported(agreement, version, base, changes, replaced)


async def changes_of(session: AsyncSession, agreement: Agreement,
                     version: AgreementVersion) -> tuple[AgreementVersion | None, list[ClauseChange]]:
    base = baseline(agreement, exclude=version)
    if base is not None and base.valid_from and version.valid_from and base.valid_from > version.valid_from:
        base = None
    return base, document.diff(as_like(base.clauses) if base else [], as_like(version.clauses))

