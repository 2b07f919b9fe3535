"""Queries of the routines capability: each network's routine settings, planned procurements and the
members' answers, joint procurements, innovation projects and their checks, and the portfolio.

Session in, rows or values out. (Loading the portfolio from data files is `storage/routines_data.py`.)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event, Municipality, Person
from storage.models.routines import (
    InnovationProject,
    JointParticipant,
    JointProcurement,
    PlannedProcurement,
    PortfolioItem,
    ProcurementAnswer,
    ProjectCheck,
    RoutineSettings,
)


async def settings_of(session: AsyncSession, network_id: int) -> RoutineSettings | None:
    """The network's routine settings (council, lead, check body), None where the agreement prescribes none."""
    return await session.scalar(select(RoutineSettings).where(RoutineSettings.network_id == network_id))


async def next_meeting(session: AsyncSession, body_id: int, after: datetime, before: datetime) -> datetime | None:
    """When the body's next scheduled meeting between `after` and `before` starts, if it has one."""
    return await session.scalar(select(Event.starts_at).where(
        Event.body_id == body_id, Event.kind == "meeting", Event.status == "scheduled",
        Event.starts_at > after, Event.starts_at < before).order_by(Event.starts_at).limit(1))


# --- planned procurements ---------------------------------------------------------------------------


async def procurement(session: AsyncSession, procurement_id: int) -> PlannedProcurement | None:
    """A planned procurement by id."""
    return await session.get(PlannedProcurement, procurement_id)


async def procurement_by_key(session: AsyncSession, network_id: int, key: str, *,
                             lock: bool = False) -> PlannedProcurement | None:
    """The network's planned procurement with this key (held until the turn commits when `lock`)."""
    query = select(PlannedProcurement).where(PlannedProcurement.network_id == network_id,
                                             PlannedProcurement.key == key)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def latest_procurements(session: AsyncSession, network_id: int, most: int = 10) -> list[PlannedProcurement]:
    """The network's most recently registered planned procurements, newest first."""
    return list((await session.scalars(select(PlannedProcurement).where(
        PlannedProcurement.network_id == network_id).order_by(PlannedProcurement.id.desc()).limit(most))).all())


async def answers_to(session: AsyncSession, procurement_id: int) -> list[ProcurementAnswer]:
    """Every member's current answer to the planned procurement."""
    return list((await session.scalars(select(ProcurementAnswer).where(
        ProcurementAnswer.procurement_id == procurement_id))).all())


async def answer_of(session: AsyncSession, procurement_id: int, municipality_id: int) -> ProcurementAnswer | None:
    """The municipality's current answer to the planned procurement, if it has answered."""
    return await session.scalar(select(ProcurementAnswer).where(
        ProcurementAnswer.procurement_id == procurement_id, ProcurementAnswer.municipality_id == municipality_id))


async def joint_participants(session: AsyncSession, procurement_id: int) -> list[Municipality]:
    """The municipalities of the joint procurement that came of it, the initiator first; [] when none did."""
    joint = await session.scalar(select(JointProcurement).where(JointProcurement.procurement_id == procurement_id))
    if joint is None:
        return []
    return list((await session.scalars(select(Municipality).join(
        JointParticipant, JointParticipant.municipality_id == Municipality.id).where(
        JointParticipant.joint_id == joint.id).order_by(JointParticipant.initiator.desc(), Municipality.name))).all())


# --- innovation projects ---------------------------------------------------------------------------


async def project(session: AsyncSession, project_id: int) -> InnovationProject | None:
    """An innovation project by id."""
    return await session.get(InnovationProject, project_id)


async def project_by_key(session: AsyncSession, network_id: int, key: str) -> InnovationProject | None:
    """The network's innovation project with this key."""
    return await session.scalar(select(InnovationProject).where(InnovationProject.network_id == network_id,
                                                                InnovationProject.key == key))


async def checks_of(session: AsyncSession, project_id: int) -> list[tuple[ProjectCheck, Person]]:
    """Every check given on the project, with the person who gave it, in the order given."""
    rows = (await session.execute(select(ProjectCheck, Person).join(Person, Person.id == ProjectCheck.person_id)
                                  .where(ProjectCheck.project_id == project_id).order_by(ProjectCheck.id))).all()
    return [(check, person) for check, person in rows]


async def check_by(session: AsyncSession, project_id: int, person_id: int) -> ProjectCheck | None:
    """The check this person gave on the project, if any."""
    return await session.scalar(select(ProjectCheck).where(ProjectCheck.project_id == project_id,
                                                           ProjectCheck.person_id == person_id))


# --- the portfolio ---------------------------------------------------------------------------------


async def portfolio_items(session: AsyncSession, network_id: int) -> list[PortfolioItem]:
    """By kind (descending, as the portfolio card lists them), then by name."""
    return list((await session.scalars(select(PortfolioItem).where(PortfolioItem.network_id == network_id)
                                       .order_by(PortfolioItem.kind.desc(), PortfolioItem.name))).all())


async def portfolio_item(session: AsyncSession, network_id: int, key: str) -> PortfolioItem | None:
    """The network's portfolio item with this key."""
    return await session.scalar(select(PortfolioItem).where(PortfolioItem.network_id == network_id,
                                                            PortfolioItem.key == key))


async def portfolio_stamp(session: AsyncSession, network_id: int) -> str:
    """Changes whenever an item is added, removed or edited (count, highest id, last edit)."""
    count, top, edited = (await session.execute(select(
        func.count(PortfolioItem.id), func.max(PortfolioItem.id), func.max(PortfolioItem.edited_at)).where(
        PortfolioItem.network_id == network_id))).one()
    return f"{count}:{top}:{edited.isoformat() if edited else ''}"
