"""Who is who in a network: its people, municipalities, bodies and seats, and the secretariat.

Every capability asks these questions; they are answered here once, from stored roles and seats
(never from data inside a card).
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage.models import Body, Municipality, Network, Organisation, Person, Seat, UserPreference

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


def contact_of(people: list[Person]) -> str:
    """«Name <e-mail>» of the secretariat lead (else a secretariat member) who has an address; "" if none."""
    for wanted in ("secretariat_lead", "secretariat"):
        match = next((p for p in people if wanted in (p.roles or []) and p.email), None)
        if match:
            return f"{match.name} <{match.email}>"
    return ""


async def secretariat_contact(session: AsyncSession, network_id: int) -> str:
    """Whom to write to in the network's secretariat, for a welcome or a refusal ("" when nobody is stored)."""
    return contact_of(await people_of(session, network_id))


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
    """A network by id (None for None or no such network)."""
    return await session.get(Network, network_id) if network_id is not None else None


async def person(session: AsyncSession, person_id: int | None) -> Person | None:
    """A person by id (None for None or no such person)."""
    return await session.get(Person, person_id) if person_id is not None else None


async def body(session: AsyncSession, body_id: int | None) -> Body | None:
    """A body (steering group, council, secretariat …) by id."""
    return await session.get(Body, body_id) if body_id is not None else None


async def municipality(session: AsyncSession, municipality_id: int | None) -> Municipality | None:
    """A municipality by id."""
    return await session.get(Municipality, municipality_id) if municipality_id is not None else None


async def municipalities(session: AsyncSession, network_id: int) -> list[Municipality]:
    """Every municipality of the network, members or not, by name."""
    return list((await session.scalars(select(Municipality).where(Municipality.network_id == network_id)
                                       .order_by(Municipality.name))).all())


async def members(session: AsyncSession, network_id: int, numbers: list[str] | None = None) -> list[Municipality]:
    """The network's member municipalities (only these kommunenummer, when given), by name."""
    query = select(Municipality).where(Municipality.network_id == network_id, Municipality.member.is_(True))
    if numbers is not None:
        query = query.where(Municipality.number.in_(numbers))
    return list((await session.scalars(query.order_by(Municipality.name))).all())


async def organisations(session: AsyncSession, network_id: int, kind: str | None = None) -> list[Organisation]:
    """The network's organisations (only of this kind, e.g. "regional_body", when given)."""
    query = select(Organisation).where(Organisation.network_id == network_id)
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    return list((await session.scalars(query)).all())


async def organisation(session: AsyncSession, organisation_id: int | None) -> Organisation | None:
    """An organisation by id."""
    return await session.get(Organisation, organisation_id) if organisation_id else None


async def people_in(session: AsyncSession, network_id: int, municipality_ids: list[int]) -> list[Person]:
    """The people (not forgotten ones) of these municipalities, in the order they were stored."""
    return list((await session.scalars(select(Person).where(
        Person.network_id == network_id, Person.municipality_id.in_(municipality_ids),
        Person.anonymised.is_(False)).order_by(Person.id))).all())


async def body_members(session: AsyncSession, body_id: int | None) -> list[Person]:
    """Everyone with a seat on the body (any role; not forgotten ones), in seat order."""
    if body_id is None:
        return []
    return list((await session.scalars(select(Person).join(Seat, Seat.person_id == Person.id).where(
        Seat.body_id == body_id, Person.anonymised.is_(False)).order_by(Seat.id))).unique().all())


# --- who is asking: a Teams identity, their network, seats and chosen language ----------------------------


def _person_with_places():
    return select(Person).options(joinedload(Person.municipality), joinedload(Person.organisation))


async def person_of_identity(session: AsyncSession, tenant_id: str, aad_object_id: str) -> Person | None:
    """The stored (not retired) person behind a Teams identity, with municipality and organisation."""
    return await session.scalar(_person_with_places().where(
        Person.tenant_id == tenant_id, Person.aad_object_id == aad_object_id, Person.retired.is_(False)))


async def identity_at_once(session: AsyncSession, tenant_id: str,
                           aad_object_id: str) -> tuple[Person, Network, str | None] | None:
    """One query for every turn of a known person: (person with places, their network, chosen language)."""
    row = (await session.execute(
        _person_with_places().add_columns(Network, UserPreference.language)
        .where(Person.tenant_id == tenant_id, Person.aad_object_id == aad_object_id, Person.retired.is_(False))
        .join(Network, Network.id == Person.network_id)
        .outerjoin(UserPreference, and_(UserPreference.tenant_id == Person.tenant_id,
                                        UserPreference.aad_object_id == Person.aad_object_id)))).first()
    return (row[0], row[1], row[2]) if row is not None else None


async def unlinked_with_address(session: AsyncSession, addresses: set[str]) -> list[Person]:
    """People not yet linked to a Teams identity whose e-mail or UPN is one of these (lower-case) addresses."""
    return list((await session.scalars(
        select(Person).where(or_(Person.email.in_(addresses), Person.upn.in_(addresses)),
                             Person.aad_object_id.is_(None), Person.anonymised.is_(False),
                             Person.retired.is_(False)))).all())


async def networks(session: AsyncSession) -> list[Network]:
    """Every network (for finding the one a tenant belongs to)."""
    return list((await session.scalars(select(Network))).all())


async def seats_with_bodies(session: AsyncSession, person_id: int) -> list[tuple[str, str, str, str]]:
    """The person's seats as (role, body key, body name, body kind), in body order."""
    rows = (await session.execute(
        select(Seat.role, Body.key, Body.name, Body.kind).join(Body, Seat.body_id == Body.id)
        .where(Seat.person_id == person_id).order_by(Body.id))).all()
    return [(role, key, name, kind) for role, key, name, kind in rows]


async def chosen_language(session: AsyncSession, tenant_id: str, aad_object_id: str) -> str | None:
    """The language a Teams identity chose with `språk …` (None: no choice stored)."""
    pref = await session.scalar(select(UserPreference).where(
        UserPreference.tenant_id == tenant_id, UserPreference.aad_object_id == aad_object_id))
    return pref.language if pref else None


async def choose_language(session: AsyncSession, tenant_id: str, aad_object_id: str, lang: str) -> None:
    """Store the language a Teams identity chose with `språk …` (replacing an earlier choice)."""
    pref = await session.scalar(select(UserPreference).where(
        UserPreference.tenant_id == tenant_id, UserPreference.aad_object_id == aad_object_id))
    if pref is None:
        session.add(UserPreference(tenant_id=tenant_id, aad_object_id=aad_object_id, language=lang))
    else:
        pref.language = lang


async def language_facts(session: AsyncSession, person_ids: list[int]) -> list[tuple[int, str | None, str | None,
                                                                                     str | None]]:
    """What the language rule needs per person, in one query: (person id, own choice in Teams, the language
    the data gives them, their municipality's written standard)."""
    if not person_ids:
        return []
    rows = (await session.execute(
        select(Person.id, UserPreference.language, Person.language, Municipality.written_standard)
        .outerjoin(Municipality, Municipality.id == Person.municipality_id)
        .outerjoin(UserPreference, and_(Person.tenant_id.is_not(None),
                                        UserPreference.tenant_id == func.lower(Person.tenant_id),
                                        UserPreference.aad_object_id == func.lower(Person.aad_object_id)))
        .where(Person.id.in_(person_ids)))).all()
    return [(pid, own, lang, standard) for pid, own, lang, standard in rows]
