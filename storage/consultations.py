"""Queries of the consultations capability: consultations, the answers stored per municipality and
version, the members who answer, and each consultation's reminder days.

Session in, rows or values out; who may answer and what a valid answer is are decided in
`dialogs/consultations/rules.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from storage.models import Consultation, ConsultationResponse, Municipality, Organisation, Person
from storage.models.consultations import ConsultationReminderSetting

# --- consultations ----------------------------------------------------------------------------


async def by_id(session: AsyncSession, consultation_id: int) -> Consultation | None:
    """A consultation by id (None when there is none)."""
    return await session.get(Consultation, consultation_id)


async def by_key(session: AsyncSession, network_id: int, key: str) -> Consultation | None:
    """The network's consultation with this key (a key from another network finds nothing)."""
    return await session.scalar(select(Consultation).where(Consultation.network_id == network_id,
                                                           Consultation.key == key))


async def key_taken(session: AsyncSession, network_id: int, key: str) -> bool:
    """Whether the network already has a consultation with this key."""
    return await session.scalar(select(Consultation.id).where(Consultation.network_id == network_id,
                                                              Consultation.key == key)) is not None


async def open_in(session: AsyncSession, network_id: int) -> list[Consultation]:
    """The network's consultations with status open (past their deadline or not), nearest deadline first."""
    return list((await session.scalars(select(Consultation).where(
        Consultation.network_id == network_id, Consultation.status == "open")
        .order_by(Consultation.deadline))).all())


async def newest_first(session: AsyncSession, network_id: int) -> list[Consultation]:
    """All the network's consultations, the latest deadline first."""
    return list((await session.scalars(select(Consultation).where(Consultation.network_id == network_id)
                                       .order_by(Consultation.deadline.desc()))).all())


async def open_before(session: AsyncSession, now: datetime) -> list[Consultation]:
    """Open consultations in every network whose deadline has not passed."""
    return list((await session.scalars(select(Consultation).where(
        Consultation.status == "open", Consultation.deadline > now))).all())


# --- who answers ------------------------------------------------------------------------------


async def people_with_places(session: AsyncSession, *, network_id: int | None = None,
                             municipality_ids: set[int] | None = None,
                             person_id: int | None = None) -> list[Person]:
    """People (not forgotten ones) with their municipality and organisation loaded, by name."""
    query = select(Person).options(selectinload(Person.municipality), selectinload(Person.organisation))
    if person_id is not None:
        return list((await session.scalars(query.where(Person.id == person_id))).all())
    query = query.where(Person.network_id == network_id, Person.anonymised.is_(False))
    if municipality_ids is not None:
        query = query.where(Person.municipality_id.in_(municipality_ids))
    return list((await session.scalars(query.order_by(Person.name))).all())


# --- answers ----------------------------------------------------------------------------------


async def latest_response(session: AsyncSession, consultation_id: int, municipality_id: int) -> ConsultationResponse | None:
    """The municipality's newest answer version to the consultation, if it has answered."""
    return await session.scalar(
        select(ConsultationResponse).where(ConsultationResponse.consultation_id == consultation_id,
                                           ConsultationResponse.municipality_id == municipality_id)
        .order_by(ConsultationResponse.version.desc()).limit(1))


async def highest_version(session: AsyncSession, consultation_id: int, municipality_id: int) -> int:
    """The highest answer version stored for the municipality (0: none yet)."""
    return (await session.scalar(select(func.max(ConsultationResponse.version)).where(
        ConsultationResponse.consultation_id == consultation_id,
        ConsultationResponse.municipality_id == municipality_id)) or 0)


async def latest_responses(session: AsyncSession, consultation_id: int) -> dict[int, ConsultationResponse]:
    """The newest answer of each municipality, by municipality id."""
    newest = (select(ConsultationResponse.municipality_id, func.max(ConsultationResponse.version).label("v"))
              .where(ConsultationResponse.consultation_id == consultation_id)
              .group_by(ConsultationResponse.municipality_id).subquery())
    rows = (await session.scalars(select(ConsultationResponse).join(
        newest, (ConsultationResponse.municipality_id == newest.c.municipality_id)
        & (ConsultationResponse.version == newest.c.v))
        .where(ConsultationResponse.consultation_id == consultation_id))).all()
    return {r.municipality_id: r for r in rows}


async def every_version(session: AsyncSession, consultation_id: int) -> list[tuple[Any, ...]]:
    """Every stored answer version with (response, municipality, on-behalf-of name, submitter name and e-mail),
    by municipality name and version."""
    submitter = aliased(Person)
    rows = (await session.execute(
        select(ConsultationResponse, Municipality, Organisation.name, submitter.name, submitter.email)
        .join(Municipality, Municipality.id == ConsultationResponse.municipality_id)
        .outerjoin(Organisation, Organisation.id == ConsultationResponse.on_behalf_of_id)
        .outerjoin(submitter, submitter.id == ConsultationResponse.submitted_by_id)
        .where(ConsultationResponse.consultation_id == consultation_id)
        .order_by(Municipality.name, ConsultationResponse.version))).all()
    return [tuple(row) for row in rows]


# --- reminder days ----------------------------------------------------------------------------


async def reminder_days(session: AsyncSession, consultation_id: int) -> list[int] | None:
    """The reminder days chosen for this consultation; None when none were chosen (the default applies)."""
    setting = await session.scalar(select(ConsultationReminderSetting).where(
        ConsultationReminderSetting.consultation_id == consultation_id))
    return [int(d) for d in setting.days] if setting is not None else None


async def set_reminder_days(session: AsyncSession, consultation_id: int, days: list[int]) -> None:
    """Store the reminder days chosen for one consultation (replacing an earlier choice)."""
    setting = await session.scalar(select(ConsultationReminderSetting).where(
        ConsultationReminderSetting.consultation_id == consultation_id))
    if setting is None:
        session.add(ConsultationReminderSetting(consultation_id=consultation_id, days=days))
    else:
        setting.days = days
    await session.flush()
