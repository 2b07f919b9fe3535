"""Live status of a consultation: counts by kind, who has not answered, days left.

The answering party is the municipality, not the person: the latest version of
each member municipality's response counts. A joint response through a
regional body is stored once per municipality it covers, so it counts for each.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.i18n import OSLO
from storage import consultations as stored_consultations
from storage import directory
from storage.models import Consultation, ConsultationResponse, Network

KINDS = ("joint", "individual", "no_input")


@dataclass
class MunicipalityState:
    number: str
    name: str
    kind: str | None = None
    on_behalf_of: str | None = None
    version: int | None = None
    submitted_at: datetime | None = None
    own_council_date: date | None = None


@dataclass
class ConsultationStatus:
    network: str
    key: str
    title: str
    deadline: datetime
    closed: bool
    days_left: int
    members: int
    by_kind: dict[str, int] = field(default_factory=dict)
    municipalities: list[MunicipalityState] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(self.by_kind.values())

    @property
    def not_answered(self) -> list[MunicipalityState]:
        return [m for m in self.municipalities if m.kind is None]

    def as_json(self) -> dict:
        return {
            "network": self.network, "consultation": {"key": self.key, "title": self.title},
            "deadline": self.deadline.astimezone(OSLO).isoformat(), "closed": self.closed,
            "days_left": self.days_left, "members": self.members, "answered": self.answered,
            "by_kind": dict(self.by_kind),
            "not_answered": [{"number": m.number, "name": m.name} for m in self.not_answered],
            "responses": [{k: (v.isoformat() if isinstance(v, date | datetime) else v)
                           for k, v in asdict(m).items()} for m in self.municipalities if m.kind],
        }


def days_left(deadline: datetime, now: datetime) -> int:
    """Whole calendar days from today to the deadline day in Oslo; 0 on the day, negative after."""
    return (deadline.astimezone(OSLO).date() - now.astimezone(OSLO).date()).days


def is_closed(consultation: Consultation, now: datetime) -> bool:
    return consultation.status == "closed" or (consultation.status == "open" and now > consultation.deadline)


async def open_consultations(session: AsyncSession, network: Network, now: datetime) -> list[Consultation]:
    """The consultations open for answers now, the nearest deadline first."""
    rows = await stored_consultations.open_in(session, network.id)
    return [c for c in rows if not is_closed(c, now)]


async def current_consultation(session: AsyncSession, network: Network, key: str | None = None) -> Consultation | None:
    """The consultation asked for by key, else the open one, else the most recent one."""
    if key:
        return await stored_consultations.by_key(session, network.id, key)
    rows = await stored_consultations.newest_first(session, network.id)
    return next((c for c in rows if c.status == "open"), rows[0] if rows else None)


async def latest_responses(session: AsyncSession, consultation: Consultation) -> dict[int, ConsultationResponse]:
    """The newest answer of each municipality, by municipality id."""
    return await stored_consultations.latest_responses(session, consultation.id)


async def status_of(session: AsyncSession, network: Network, consultation: Consultation,
                    now: datetime) -> ConsultationStatus:
    members = await directory.members(session, network.id)
    latest = await latest_responses(session, consultation)
    orgs = {o.id: o.name for o in await directory.organisations(session, network.id)}
    states = []
    counts = dict.fromkeys(KINDS, 0)
    for muni in members:
        response = latest.get(muni.id)
        state = MunicipalityState(number=muni.number, name=muni.name)
        if response is not None:
            counts[response.kind] = counts.get(response.kind, 0) + 1
            state.kind, state.version, state.submitted_at = response.kind, response.version, response.submitted_at
            state.on_behalf_of = orgs.get(response.on_behalf_of_id) if response.on_behalf_of_id else None
            state.own_council_date = response.own_council_date
        states.append(state)
    return ConsultationStatus(
        network=network.slug, key=consultation.key, title=consultation.title, deadline=consultation.deadline,
        closed=is_closed(consultation, now), days_left=days_left(consultation.deadline, now),
        members=len(members), by_kind=counts, municipalities=states)
