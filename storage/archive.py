"""Queries the archive export needs: the public-access mark of a record, and a notice's recipients."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ArchiveMark, AuditEntry, Municipality, Organisation, OutboxMessage, Person

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
