"""What every routine needs: the network's routine settings, who speaks for which municipality,
and how to reach a person. Roles come only from stored people, seats and settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.i18n import OSLO
from dialogs.language import language_of as proactive_language
from dialogs.refusal import Refusal
from dialogs.viewer import Viewer
from storage.models import Body, ConversationRef, Municipality, Network, Person, Seat
from storage.models.routines import RoutineSettings

MAX_SHORT = 200
MAX_TEXT = 4000
# Who may answer for a municipality: its chief executive, or its DigIT representative, who
# "has full mandate to decide on behalf of their own chief executive" (DigIT §3).
SPEAKS_FOR = ("director", "representative")



@dataclass
class Routines:
    settings: RoutineSettings
    council: Body
    lead: Person | None


async def routines_for(session: AsyncSession, viewer: Viewer) -> Routines:
    """The routines of a known viewer's network (an unknown sender is refused first)."""
    if not viewer.known:
        raise Refusal("routines.unknown_person")
    return await routines_of(session, viewer.network)


async def routines_of(session: AsyncSession, network: Network | None) -> Routines:
    """The network's routine settings, or a Refusal when its agreement prescribes none."""
    if network is None:
        raise Refusal("routines.no_network")
    settings = await session.scalar(select(RoutineSettings).where(RoutineSettings.network_id == network.id))
    council = await session.get(Body, settings.council_body_id) if settings and settings.council_body_id else None
    if settings is None or council is None:
        raise Refusal("routines.not_in_network", network=network.name)
    lead = await session.get(Person, settings.lead_person_id) if settings.lead_person_id else None
    return Routines(settings=settings, council=council, lead=lead)


async def members(session: AsyncSession, network: Network) -> list[Municipality]:
    return list((await session.scalars(select(Municipality).where(
        Municipality.network_id == network.id, Municipality.member.is_(True)).order_by(Municipality.name))).all())


def own_municipality(viewer: Viewer) -> Municipality | None:
    """The member municipality the viewer belongs to (None for the lead, the secretariat, others)."""
    person = viewer.person
    if person is None or person.municipality is None or viewer.network is None:
        return None
    muni = person.municipality
    return muni if muni.network_id == viewer.network.id and muni.member else None


def speaks_for(viewer: Viewer) -> Municipality | None:
    """The municipality the viewer may answer for (director or DigIT representative)."""
    muni = own_municipality(viewer)
    return muni if muni is not None and viewer.has_role(*SPEAKS_FOR) else None


def is_lead(viewer: Viewer, routines: Routines) -> bool:
    return viewer.person is not None and (
        (routines.lead is not None and viewer.person.id == routines.lead.id) or viewer.is_secretariat)


async def directors(session: AsyncSession, network: Network, municipality_ids: list[int]) -> list[Person]:
    """The chief executives (role director) of the given municipalities."""
    people = (await session.scalars(select(Person).where(
        Person.network_id == network.id, Person.municipality_id.in_(municipality_ids),
        Person.anonymised.is_(False)).order_by(Person.id))).all()
    return [p for p in people if "director" in (p.roles or [])]


async def body_members(session: AsyncSession, body_id: int | None) -> list[Person]:
    if body_id is None:
        return []
    return list((await session.scalars(select(Person).join(Seat, Seat.person_id == Person.id).where(
        Seat.body_id == body_id, Person.anonymised.is_(False)).order_by(Seat.id))).unique().all())


async def language_of(session: AsyncSession, person: Person, network: Network) -> str:
    """The language a person reads: their own choice, else their municipality's, else the network's."""
    return await proactive_language(session, person, network)


async def reachable(session: AsyncSession, person_ids: list[int]) -> set[int]:
    """People who have a personal chat with the bot (the others cannot get a card yet)."""
    if not person_ids:
        return set()
    rows = (await session.scalars(select(ConversationRef.person_id).where(
        ConversationRef.person_id.in_(person_ids), ConversationRef.conversation_type == "personal",
        ConversationRef.active.is_(True)))).all()
    return {r for r in rows if r is not None}


async def next_key(session: AsyncSession, model: type, network_id: int, prefix: str, now: datetime) -> str:
    """`<prefix>-YYYY-NNN`, the next free number this year in the network."""
    start = f"{prefix}-{now.astimezone(OSLO).year}-"
    keys = (await session.scalars(select(model.key).where(model.network_id == network_id,
                                                          model.key.like(start + "%")))).all()
    numbers = [int(m.group(1)) for k in keys if (m := re.fullmatch(re.escape(start) + r"(\d+)", k))]
    return f"{start}{max(numbers, default=0) + 1:03d}"


def clean(value: Any, limit: int = MAX_SHORT) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise Refusal("routines.too_long", length=len(text), limit=limit)
    return text
