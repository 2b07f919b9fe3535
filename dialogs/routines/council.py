"""Opening a case (sak) for the directors' council, as DigIT §6 and §7 prescribe.

The routines only need "put this before the council, proposed by the digitalisation lead"; the
case, its votes, cards and deadline jobs belong to the votes capability, whose functions this
calls — one way to write a case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.services import Services
from dialogs.turn import Reply
from dialogs.votes import handlers as votes_flow
from dialogs.votes import rules as votes_rules
from dialogs.votes import service
from storage import routines as stored_routines
from storage.models import Body, Case, Network, Person

DEFAULT_DAYS = 14
_LATEST_MEETING = timedelta(days=60)


@dataclass
class CouncilCase:
    case: Case
    new: bool
    replies: list[Reply] = field(default_factory=list)  # the case cards for the council members


async def _deadline(session: AsyncSession, council: Body, now: datetime) -> datetime:
    """The council's next meeting when it is close enough, else two weeks ahead."""
    meeting = await stored_routines.next_meeting(session, council.id, now + timedelta(days=1),
                                                 now + _LATEST_MEETING)
    return meeting or now + timedelta(days=DEFAULT_DAYS)


async def open_council_case(session: AsyncSession, services: Services, network: Network, *, council: Body,
                            proposer: Person | None, title: str, proposal: str, background: str, token: str,
                            actor: str) -> CouncilCase:
    """Open (once per `token`) a case for `council` with `proposer` as the one who put it forward."""
    now = services.now()
    deadline = await _deadline(session, council, now)
    draft = votes_rules.Draft(body=council, title=title[:300], proposal=proposal, deadline=deadline,
                              background=background, options=votes_rules.default_options())
    case, new = await service.open_case(session, network, draft, creator=proposer, actor=actor, now=now,
                                            token=token, source="routines")
    replies: list[Reply] = []
    if new:
        replies, _reachable, _unreachable = await votes_flow.distribution(session, services, case)
        await votes_flow.schedule_jobs(session, case, now)
    return CouncilCase(case=case, new=new, replies=replies)
