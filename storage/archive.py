"""Queries the archive export needs: the record asked for, its public-access mark, a notice's recipients,
the secretariat unit that keeps the records, and the agreement draft a consultation was about."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AgreementVersion,
    ArchiveMark,
    AuditEntry,
    Body,
    Case,
    Clause,
    Consultation,
    Municipality,
    Organisation,
    OutboxMessage,
    Person,
)
from storage.models.notices import Notice

KINDS = ("consultation", "case", "notice")


async def mark_of(session: AsyncSession, network_id: int, kind: str, subject_id: int) -> ArchiveMark | None:
    return await session.scalar(select(ArchiveMark).where(
        ArchiveMark.network_id == network_id, ArchiveMark.kind == kind, ArchiveMark.subject_id == subject_id))


async def set_mark(session: AsyncSession, network_id: int, kind: str, subject_id: int, access: str,
                   legal_basis: str, *, actor: str) -> ArchiveMark:
    """Store the secretariat's mark (one per record; setting it again replaces it), with an audit entry."""
    mark = await mark_of(session, network_id, kind, subject_id)
    if mark is None:
        mark = ArchiveMark(network_id=network_id, kind=kind, subject_id=subject_id)
        session.add(mark)
    mark.access, mark.legal_basis, mark.set_by = access, legal_basis if access == "unnateke" else "", actor
    session.add(AuditEntry(actor=actor, network_id=network_id, action="archive.mark", target=f"{kind}:{subject_id}",
                           details={"access": access, "legal_basis": mark.legal_basis}))
    await session.flush()
    return mark


async def notice_recipients(session: AsyncSession, batch: str) -> list[tuple[Person, str, str, str]]:
    """Everyone a notice was addressed to (not the cancelled rows): (person, their municipality's name,
    their organisation's name, delivery status), by name."""
    rows = (await session.execute(
        select(Person, Municipality.name, Organisation.name, OutboxMessage.status)
        .join(OutboxMessage, OutboxMessage.person_id == Person.id)
        .outerjoin(Municipality, Municipality.id == Person.municipality_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .where(OutboxMessage.batch == batch, OutboxMessage.status != "cancelled")
        .order_by(Person.name, Person.id))).all()
    out, seen = [], set()
    for person, muni, org, status in rows:
        if person.id in seen:
            continue
        seen.add(person.id)
        out.append((person, muni or "", org or "", status))
    return out


MODELS = {"consultation": Consultation, "case": Case, "notice": Notice}


async def record(session: AsyncSession, kind: str, subject_id: int) -> Consultation | Case | Notice | None:
    """A consultation, case or notice by id (None for another kind or no such row)."""
    model = MODELS.get(kind)
    return await session.get(model, subject_id) if model else None


async def consultation_by_id_or_key(session: AsyncSession, network_id: int, text: str) -> Consultation | None:
    """The network's consultation with this key, or this id when the text is digits."""
    conditions = [Consultation.key == text]
    if text.isdigit():
        conditions.append(Consultation.id == int(text))
    return await session.scalar(select(Consultation).where(Consultation.network_id == network_id,
                                                           or_(*conditions)).limit(1))


async def secretariat_unit(session: AsyncSession, network_id: int) -> str:
    """The name of the network's secretariat body, the unit named as the records' keeper ("" if none)."""
    return await session.scalar(select(Body.name).where(Body.network_id == network_id,
                                                        Body.kind == "secretariat")) or ""


async def agreement_draft(session: AsyncSession, version_id: int) -> tuple[AgreementVersion | None, list[Clause]]:
    """An agreement version and its clauses in order (the draft a consultation was about)."""
    version = await session.get(AgreementVersion, version_id)
    if version is None:
        return None, []
    clauses = (await session.scalars(select(Clause).where(Clause.version_id == version.id)
                                     .order_by(Clause.position, Clause.id))).all()
    return version, list(clauses)


async def people_by_id(session: AsyncSession, person_ids: list[int]) -> dict[int, Person]:
    """These people, by id (for the names on stored answers)."""
    if not person_ids:
        return {}
    return {p.id: p for p in (await session.scalars(select(Person).where(Person.id.in_(person_ids)))).all()}
