"""The steps of the votes capability that read and write the database: who holds a seat, opening a
case, casting, closing and deciding.

Shared by the Teams flow (`handlers.py`), the views, the CLI, the scheduler and other capabilities
(routines and agreements open council cases here). Each step asks `storage.votes` (and
`storage.directory`) for rows and lets `rules` decide; every write leaves an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.carddata import card_id
from dialogs.keys import next_key
from dialogs.refusal import Refusal
from dialogs.viewer import language_of
from dialogs.votes import rules
from dialogs.votes.rules import HOLDER_ROLES, VOTING_ROLES, Draft, Holder
from storage import directory
from storage import votes as stored
from storage.conversations import personal_conversations
from storage.models import AuditEntry, Body, Case, Network, Person, Seat, Vote
from storage.queries import insert_once, keys_like

__all__ = ["personal_conversations"]  # the views and the flow reach people's chats through here too


# --- people and seats ---------------------------------------------------------------------


async def seat_holders(session: AsyncSession, body: Body, now: datetime) -> list[Holder]:
    """Chair, voting members and observers of the body (one entry per person, strongest role kept)."""
    network = await directory.network(session, body.network_id)
    chosen = rules.strongest_seats(await stored.holder_seats(session, body.id, HOLDER_ROLES), rules.oslo_today(now))
    refs = await personal_conversations(session, list(chosen))
    holders = []
    for person_id, (seat, person) in chosen.items():
        ref = refs.get(person_id)
        holders.append(Holder(person=person, seat=seat, role=seat.role,
                              conversation_id=ref.conversation_id if ref else None, teams_id=rules.teams_id_of(ref),
                              lang=await language_of(session, person, network)))
    return rules.order_holders(holders)


async def chair_of(session: AsyncSession, body: Body, now: datetime) -> Person | None:
    seat = rules.valid_seat(await stored.chair_seats(session, body.id), rules.oslo_today(now))
    return await directory.person(session, seat.person_id) if seat is not None else None


async def role_in(session: AsyncSession, person: Person | None, body: Body, now: datetime) -> str | None:
    """The person's (strongest, currently valid) role on the body: chair | voting_member | observer | None."""
    if person is None:
        return None
    seats = await stored.seats_of_person(session, body.id, person.id, HOLDER_ROLES)
    return rules.strongest_role(seats, rules.oslo_today(now))


async def voting_bodies(session: AsyncSession, network_id: int) -> list[Body]:
    """Bodies of the network that have at least one seat with a vote."""
    return await stored.voting_bodies(session, network_id, VOTING_ROLES)


async def bodies_person_may_open(session: AsyncSession, person: Person | None, network_id: int,
                                 now: datetime) -> list[Body]:
    """The secretariat may open a case for any voting body of its network; a chair for the body they chair."""
    if person is None or person.network_id != network_id:
        return []
    bodies = await voting_bodies(session, network_id)
    if await directory.is_secretariat(session, person, network_id):
        return bodies
    return [b for b in bodies if await role_in(session, person, b, now) == "chair"]


async def who_may_open(session: AsyncSession, network: Network, body: Body | None, now: datetime) -> dict[str, str]:
    """Names for the refusal: the secretariat contact and the chair(s)."""
    contact = await directory.secretariat_contact(session, network.id)
    bodies = [body] if body is not None else await voting_bodies(session, network.id)
    chairs = []
    for b in bodies:
        chair = await chair_of(session, b, now)
        if chair is not None and chair.name not in chairs:
            chairs.append(chair.name)
    return {"secretariat": contact or network.name, "chairs": ", ".join(chairs) or "—"}


# --- opening a case -----------------------------------------------------------------------


async def open_case(session: AsyncSession, network: Network, draft: Draft, *, creator: Person | None, actor: str,
                    now: datetime, token: str = "", source: str = "teams") -> tuple[Case, bool]:
    """Store a new case (key sak-YYYY-NNN). With a draft token, the same confirmed draft opens one case only."""
    if token and (existing := await stored.opened_with_token(session, network.id, token)) is not None:
        return existing, False
    prefix = rules.key_prefix(now)
    for _attempt in range(5):
        key = next_key(prefix, await keys_like(session, Case, network.id, prefix))
        case = Case(network_id=network.id, body_id=draft.body.id, key=key, title=draft.title,
                    background=draft.background, proposal=draft.proposal, options=draft.options,
                    deadline=draft.deadline, visibility=draft.visibility,
                    close_when_all_voted=draft.close_when_all_voted, status="open", outcome="",
                    created_by_id=creator.id if creator else None, created_at=now, revision=1)
        if not await insert_once(session, case):  # someone else took this key at the same moment
            if token and (existing := await stored.opened_with_token(session, network.id, token)) is not None:
                return existing, False
            continue
        session.add(AuditEntry(actor=actor, network_id=network.id, action="case.open", target=key, at=now,
                               details={"case": case.id, "body": draft.body.key, "title": draft.title,
                                        "deadline": draft.deadline.isoformat(), "visibility": draft.visibility,
                                        "close_when_all_voted": draft.close_when_all_voted,
                                        "options": [o["key"] for o in draft.options], "draft": token,
                                        "source": source}))
        await session.flush()
        return case, True
    raise Refusal("votes.busy")


async def find_case(session: AsyncSession, ident: str, network_id: int | None = None) -> list[Case]:
    """Cases matching an id or a key (case-insensitive), optionally within one network."""
    # ASCII digits within the 64-bit range only: not 2**63, not "²"
    return await stored.find_cases(session, ident, card_id(ident), network_id)


# --- votes ----------------------------------------------------------------------------------


async def current_votes(session: AsyncSession, case: Case) -> dict[int, Vote]:
    """The newest version of each person's vote."""
    return await stored.current_votes(session, case.id)


async def vote_history(session: AsyncSession, case: Case) -> list[Vote]:
    return await stored.vote_history(session, case.id)


@dataclass
class Cast:
    vote: Vote
    new: bool


async def cast_vote(session: AsyncSession, case: Case, person: Person, seat: Seat | None, option: str, reason: str,
                    *, now: datetime, actor: str) -> Cast:
    """Append a new version of the person's vote; the same vote again (a double click) adds nothing."""
    latest = await stored.latest_vote(session, case.id, person.id)
    if latest is not None and latest.option == option and (latest.reason or "") == reason:
        return Cast(latest, new=False)
    version = (latest.version if latest else 0) + 1
    vote = Vote(case_id=case.id, person_id=person.id, seat_id=seat.id if seat else None, option=option,
                reason=reason, version=version, cast_at=now)
    session.add(vote)
    await session.flush()
    session.add(AuditEntry(actor=actor, network_id=case.network_id, action="vote.cast", target=case.key, at=now,
                           details={"case": case.id, "person": person.id, "option": option, "version": version,
                                    "previous": latest.option if latest else None, "reason": reason[:200]}))
    return Cast(vote, new=True)


async def voters_votes(session: AsyncSession, case: Case, holders: list[Holder]) -> dict[int, Vote]:
    """Current votes of the people who currently hold a voting seat."""
    return rules.of_voters(await current_votes(session, case), holders)


# --- closing and deciding -------------------------------------------------------------------


async def close_case(session: AsyncSession, case: Case, *, reason: str, now: datetime, actor: str) -> bool:
    """Close once: consensus adopts the proposal, otherwise the chair decides. False if already closed."""
    holders = await seat_holders(session, await stored.body_of(session, case), now)
    votes = list((await voters_votes(session, case, holders)).values())
    outcome = rules.outcome_of(case, votes)
    if not await stored.mark_closed(session, case, reason=reason, outcome=outcome, now=now):
        return False
    counts: dict[str, int] = {}
    for vote in votes:
        counts[vote.option] = counts.get(vote.option, 0) + 1
    session.add(AuditEntry(actor=actor, network_id=case.network_id, action="case.close", target=case.key, at=now,
                           details={"case": case.id, "reason": reason, "outcome": outcome, "counts": counts}))
    return True


async def all_voted(session: AsyncSession, case: Case, now: datetime) -> bool:
    holders = await seat_holders(session, await stored.body_of(session, case), now)
    return rules.everyone_voted(holders, await voters_votes(session, case, holders))


async def decide(session: AsyncSession, case: Case, person: Person, text: str, *, now: datetime,
                 actor: str) -> bool:
    """Record the chair's decision once; False when it was already recorded (or not awaited)."""
    if not await stored.mark_decided(session, case, person.id, text):
        return False
    session.add(AuditEntry(actor=actor, network_id=case.network_id, action="case.decide", target=case.key, at=now,
                           details={"case": case.id, "person": person.id, "text": text[:500]}))
    return True


async def tighten_visibility(session: AsyncSession, case: Case, visibility: str, *, now: datetime,
                             actor: str) -> bool:
    """Results may be hidden longer, never shown earlier than promised. False when unchanged."""
    if not rules.visibility_tightened(case, visibility):
        return False
    before = case.visibility
    case.visibility = visibility
    case.revision += 1
    session.add(AuditEntry(actor=actor, network_id=case.network_id, action="case.visibility", target=case.key,
                           at=now, details={"case": case.id, "from": before, "to": visibility}))
    await session.flush()
    return True
