"""Who is who in a network: the secretariat.

Every capability asks these questions; they are answered here once, from stored roles and seats
(never from data inside a card).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Body, Network, Person, Seat

SECRETARIAT_ROLES = frozenset({"secretariat", "secretariat_lead"})


def has_secretariat_role(person: Person) -> bool:
    return bool(SECRETARIAT_ROLES & set(person.roles or []))


async def secretariat_of(session: AsyncSession, network_id: int) -> list[Person]:
    """People with a secretariat role in the network, or a seat on its secretariat body (not forgotten ones)."""
    people = (await session.scalars(select(Person).where(Person.network_id == network_id,
                                                         Person.anonymised.is_(False)))).all()
    by_id = {p.id: p for p in people if has_secretariat_role(p)}
    seated = (await session.scalars(
        select(Person).join(Seat, Seat.person_id == Person.id).join(Body, Seat.body_id == Body.id)
        .where(Body.network_id == network_id, Body.kind == "secretariat", Person.anonymised.is_(False)))).all()
    for p in seated:
        by_id.setdefault(p.id, p)
    return sorted(by_id.values(), key=lambda p: p.id)


async def secretariat_names(session: AsyncSession, network: Network, *, most: int = 4) -> str:
    """Who to ask, for a refusal ("only the secretariat can …: Tove Bech, …"); "—" when nobody is stored."""
    names = sorted(p.name for p in await secretariat_of(session, network.id))
    return ", ".join(names[:most]) or "—"


async def is_secretariat(session: AsyncSession, person: Person | None, network_id: int) -> bool:
    """Secretariat of this network: by stored role or by a seat on the network's secretariat body."""
    if person is None or person.anonymised or person.network_id != network_id:
        return False
    if has_secretariat_role(person):
        return True
    seat = await session.scalar(select(Seat.id).join(Body, Body.id == Seat.body_id).where(
        Seat.person_id == person.id, Body.kind == "secretariat", Body.network_id == network_id).limit(1))
    return seat is not None


async def people_of(session: AsyncSession, network_id: int, *, by_name: bool = False) -> list[Person]:
    """The network's people (not forgotten ones), in the order they were stored (or by name)."""
    return list((await session.scalars(select(Person).where(
        Person.network_id == network_id, Person.anonymised.is_(False))
        .order_by(Person.name if by_name else Person.id))).all())


async def network(session: AsyncSession, network_id: int | None) -> Network | None:
    return await session.get(Network, network_id) if network_id is not None else None


async def person(session: AsyncSession, person_id: int | None) -> Person | None:
    return await session.get(Person, person_id) if person_id is not None else None
