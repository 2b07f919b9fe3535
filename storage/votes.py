"""Queries of the votes capability: cases, the votes cast on them and the seats of the bodies that vote.

Session in, rows or values out; what the rows mean (who votes, what counts, when a case closes) is
decided in `dialogs/votes/rules.py`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Body, Case, ConversationRef, Person, Seat, Vote
from storage.models.votes import BodyChannel


async def holder_seats(session: AsyncSession, body_id: int, roles: tuple[str, ...]) -> list[tuple[Seat, Person]]:
    """Seats on the body with one of these roles, with their (not forgotten) holder, in seat order."""
    rows = (await session.execute(
        select(Seat, Person).join(Person, Person.id == Seat.person_id)
        .where(Seat.body_id == body_id, Seat.role.in_(roles), Person.anonymised.is_(False))
        .order_by(Seat.id))).all()
    return [(seat, person) for seat, person in rows]


async def chair_seats(session: AsyncSession, body_id: int) -> list[Seat]:
    """The body's chair seats that someone holds (valid or not: the caller checks the dates)."""
    return list((await session.scalars(select(Seat).where(
        Seat.body_id == body_id, Seat.role == "chair", Seat.person_id.is_not(None)))).all())


async def seats_of_person(session: AsyncSession, body_id: int, person_id: int, roles: tuple[str, ...]) -> list[Seat]:
    """The person's seats on the body with one of these roles (valid or not: the caller checks the dates)."""
    return list((await session.scalars(select(Seat).where(
        Seat.body_id == body_id, Seat.person_id == person_id, Seat.role.in_(roles)))).all())


async def voting_bodies(session: AsyncSession, network_id: int, roles: tuple[str, ...]) -> list[Body]:
    """Bodies of the network with at least one held seat of these (voting) roles."""
    return list((await session.scalars(select(Body).where(
        Body.network_id == network_id,
        Body.id.in_(select(Seat.body_id).where(Seat.role.in_(roles), Seat.person_id.is_not(None))))
        .order_by(Body.id))).all())


async def body_of(session: AsyncSession, case: Case) -> Body:
    """The body a case was opened for."""
    return await session.get(Body, case.body_id)


async def opened_with_token(session: AsyncSession, network_id: int, token: str) -> Case | None:
    """The case a confirmed draft (its token, kept in the audit entry) already opened, if any."""
    entries = (await session.scalars(select(AuditEntry).where(
        AuditEntry.action == "case.open", AuditEntry.network_id == network_id))).all()
    for entry in entries:
        if (entry.details or {}).get("draft") == token:
            return await session.scalar(select(Case).where(Case.network_id == network_id,
                                                           Case.key == entry.target))
    return None


async def current_votes(session: AsyncSession, case_id: int) -> dict[int, Vote]:
    """The newest version of each person's vote."""
    newest = (select(Vote.person_id, func.max(Vote.version).label("v")).where(Vote.case_id == case_id)
              .group_by(Vote.person_id).subquery())
    rows = (await session.scalars(select(Vote).join(
        newest, (Vote.person_id == newest.c.person_id) & (Vote.version == newest.c.v))
        .where(Vote.case_id == case_id))).all()
    return {v.person_id: v for v in rows if v.person_id is not None}


async def vote_history(session: AsyncSession, case_id: int) -> list[Vote]:
    """Every version of every vote, oldest first."""
    return list((await session.scalars(select(Vote).where(Vote.case_id == case_id)
                                       .order_by(Vote.cast_at, Vote.id))).all())


async def latest_vote(session: AsyncSession, case_id: int, person_id: int) -> Vote | None:
    """The newest version of the person's vote on the case, if they have voted."""
    return await session.scalar(select(Vote).where(Vote.case_id == case_id, Vote.person_id == person_id)
                                .order_by(Vote.version.desc()).limit(1))


async def mark_closed(session: AsyncSession, case: Case, *, reason: str, outcome: str, now: datetime) -> bool:
    """Close the case if it is still open (one writer wins a race); False when it was already closed."""
    result = await session.execute(
        update(Case).where(Case.id == case.id, Case.status == "open")
        .values(status="closed", closed_at=now, closed_reason=reason, outcome=outcome, revision=Case.revision + 1)
        .execution_options(synchronize_session=False))
    await session.refresh(case)
    return result.rowcount == 1


async def mark_decided(session: AsyncSession, case: Case, person_id: int, text: str) -> bool:
    """Record the chair's decision if one is awaited; False when it was already recorded (or not awaited)."""
    result = await session.execute(
        update(Case).where(Case.id == case.id, Case.outcome == "awaiting_chair")
        .values(outcome="decided_by_chair", outcome_text=text, decided_by_id=person_id, revision=Case.revision + 1)
        .execution_options(synchronize_session=False))
    await session.refresh(case)
    return result.rowcount == 1


async def find_cases(session: AsyncSession, key: str, number: int | None, network_id: int | None = None) -> list[Case]:
    """Cases with this key (case-insensitive) or id, optionally within one network."""
    query = select(Case)
    if network_id is not None:
        query = query.where(Case.network_id == network_id)
    conditions = [func.lower(Case.key) == key.strip().lower()]
    if number is not None:
        conditions.append(Case.id == number)
    return list((await session.scalars(query.where(or_(*conditions)).order_by(Case.id))).all())


async def case(session: AsyncSession, case_id: int) -> Case | None:
    """A case by id (None when there is none)."""
    return await session.get(Case, case_id)


async def first_seat(session: AsyncSession, body_id: int, person_id: int, role: str) -> Seat | None:
    """The person's seat on the body in this role (the one a vote is cast from)."""
    return await session.scalar(select(Seat).where(Seat.body_id == body_id, Seat.person_id == person_id,
                                                   Seat.role == role).limit(1))


async def live_cases(session: AsyncSession, network_id: int) -> list[Case]:
    """The network's open cases and those awaiting the chair's decision, soonest deadline first."""
    return list((await session.scalars(select(Case).where(
        Case.network_id == network_id,
        (Case.status == "open") | (Case.outcome == "awaiting_chair")).order_by(Case.deadline))).all())


async def body_channel(session: AsyncSession, body_id: int) -> str | None:
    """The team channel configured for the body's cases, if any and still active."""
    row = await session.scalar(select(BodyChannel).where(BodyChannel.body_id == body_id))
    if row is None:
        return None
    active = await session.scalar(select(ConversationRef.id).where(
        ConversationRef.conversation_id == row.conversation_id, ConversationRef.active.is_(True)))
    return row.conversation_id if active is not None else None
