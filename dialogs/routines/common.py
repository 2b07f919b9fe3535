"""What every routine needs: the network's routine settings, who speaks for which municipality,
and how to reach a person. Roles come only from stored people, seats and settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs import keys
from dialogs.keys import year_start
from dialogs.refusal import Refusal
from dialogs.viewer import Viewer
from storage import directory
from storage import routines as stored_routines
from storage.conversations import personal_conversations
from storage.models import Body, Municipality, Network, Person
from storage.models.routines import RoutineSettings
from storage.queries import keys_like

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
    settings = await stored_routines.settings_of(session, network.id)
    council = await directory.body(session, settings.council_body_id) if settings else None
    if settings is None or council is None:
        raise Refusal("routines.not_in_network", network=network.name)
    lead = await directory.person(session, settings.lead_person_id)
    return Routines(settings=settings, council=council, lead=lead)


async def members(session: AsyncSession, network: Network) -> list[Municipality]:
    return await directory.members(session, network.id)


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
    people = await directory.people_in(session, network.id, municipality_ids)
    return [p for p in people if "director" in (p.roles or [])]


async def body_members(session: AsyncSession, body_id: int | None) -> list[Person]:
    return await directory.body_members(session, body_id)


async def reachable(session: AsyncSession, person_ids: list[int]) -> set[int]:
    """People who have a personal chat with the bot (the others cannot get a card yet)."""
    return set(await personal_conversations(session, person_ids))


async def next_key(session: AsyncSession, model: type, network_id: int, prefix: str, now: datetime) -> str:
    """`<prefix>-YYYY-NNN`, the next free number this year in the network."""
    start = year_start(prefix, now)
    return keys.next_key(start, await keys_like(session, model, network_id, start))


def clean(value: Any, limit: int = MAX_SHORT) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise Refusal("routines.too_long", length=len(text), limit=limit)
    return text
