"""Opening a case (sak) for the directors' council, as DigIT §6 and §7 prescribe.

Why one narrow function: the routines only need "put this before the council, proposed by the
digitalisation lead". Cases, votes and their cards belong to the votes capability, so this
imports it lazily and uses its case-opening function and distribution when they are there;
without them it stores the Case row directly, so the routine never loses the case.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.services import Services
from dialogs.turn import Reply
from storage.models import AuditEntry, Body, Case, Event, Network, Person

log = logging.getLogger("samarbeidsbot.routines")
DEFAULT_DAYS = 14
_LATEST_MEETING = timedelta(days=60)
_OPTIONS = [
    {"key": "einig", "label": {"nn": "Einig", "nb": "Enig", "en": "Agree"},
     "needs_reason": False, "blocks_consensus": False},
    {"key": "avstar", "label": {"nn": "Avstår", "nb": "Avstår", "en": "Abstain"},
     "needs_reason": False, "blocks_consensus": False},
    {"key": "ueinig", "label": {"nn": "Ueinig", "nb": "Uenig", "en": "Disagree"},
     "needs_reason": True, "blocks_consensus": True},
]


@dataclass
class CouncilCase:
    case: Case
    new: bool
    via_votes: bool  # opened through the votes capability (else stored directly)
    replies: list[Reply] = field(default_factory=list)  # the case cards for the council members


async def _deadline(session: AsyncSession, council: Body, now: datetime) -> datetime:
    """The council's next meeting when it is close enough, else two weeks ahead."""
    meeting = await session.scalar(select(Event.starts_at).where(
        Event.body_id == council.id, Event.kind == "meeting", Event.status == "scheduled",
        Event.starts_at > now + timedelta(days=1), Event.starts_at < now + _LATEST_MEETING)
        .order_by(Event.starts_at).limit(1))
    return meeting or now + timedelta(days=DEFAULT_DAYS)


async def open_council_case(session: AsyncSession, services: Services, network: Network, *, council: Body,
                            proposer: Person | None, title: str, proposal: str, background: str, token: str,
                            actor: str) -> CouncilCase:
    """Open (once per `token`) a case for `council` with `proposer` as the one who put it forward."""
    now = services.now()
    deadline = await _deadline(session, council, now)
    try:
        from dialogs.votes import rules as votes
        open_case, draft_type = votes.open_case, votes.Draft
        options = votes.default_options() if hasattr(votes, "default_options") else list(_OPTIONS)
    except (ImportError, AttributeError) as exc:
        log.info("votes capability not usable (%s): storing the council case directly", exc)
    else:
        draft = draft_type(body=council, title=title[:300], proposal=proposal, deadline=deadline,
                           background=background, options=options)
        case, new = await open_case(session, network, draft, creator=proposer, actor=actor, now=now, token=token,
                                    source="routines")
        replies = await _distribute(session, services, case, now) if new else []
        return CouncilCase(case=case, new=new, via_votes=True, replies=replies)
    return await _store_directly(session, network, council, proposer, title, proposal, background, deadline,
                                 token, actor, now)


async def _distribute(session: AsyncSession, services: Services, case: Case, now: datetime) -> list[Reply]:
    """The votes capability's case cards and deadline jobs, when it offers them."""
    try:
        from dialogs.votes import handlers as votes_handlers
        distribution = votes_handlers.distribution
    except (ImportError, AttributeError):
        return []
    replies, _reachable, _unreachable = await distribution(session, services, case)
    schedule_jobs = getattr(votes_handlers, "schedule_jobs", None)
    if schedule_jobs is not None:
        await schedule_jobs(session, case, now)
    return replies


async def _store_directly(session: AsyncSession, network: Network, council: Body, proposer: Person | None,
                          title: str, proposal: str, background: str, deadline: datetime, token: str, actor: str,
                          now: datetime) -> CouncilCase:
    key = f"radsak-{token}"[:80]
    existing = await session.scalar(select(Case).where(Case.network_id == network.id, Case.key == key))
    if existing is not None:
        return CouncilCase(case=existing, new=False, via_votes=False)
    case = Case(network_id=network.id, body_id=council.id, key=key, title=title[:300], background=background,
                proposal=proposal, options=list(_OPTIONS), deadline=deadline, status="open",
                created_by_id=proposer.id if proposer else None, created_at=now)
    try:
        async with session.begin_nested():
            session.add(case)
            await session.flush()
    except IntegrityError:  # opened at the same moment by a concurrent answer
        existing = await session.scalar(select(Case).where(Case.network_id == network.id, Case.key == key))
        return CouncilCase(case=existing, new=False, via_votes=False)
    session.add(AuditEntry(actor=actor, network_id=network.id, action="case.open", target=key, at=now,
                           details={"case": case.id, "body": council.key, "title": title, "draft": token,
                                    "source": "routines"}))
    return CouncilCase(case=case, new=True, via_votes=False)
