"""Meetings and deadlines: who they are for, creating, changing and cancelling them, RSVPs,
reminders, and the views the cards show. Shared by the Teams dialogs and the job handlers.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cards.meetings import EventView
from dialogs.consultations.manage import slug
from dialogs.dates import When
from dialogs.i18n import OSLO, format_day, format_when, t
from dialogs.meetings import ics
from dialogs.services import Services
from storage import jobs
from storage.calendar_sync import join_url_of, request_sync
from storage.models import AuditEntry, Body, ConversationRef, Event, Network, Person, Rsvp, Seat
from storage.models.meetings import EventDetail

REMINDER_KIND = "meeting.reminder"
JOIN_LINK_JOB = "meeting.join_link"  # Graph made the Teams meeting: the posted invitations get its join link
DEFAULT_DAYS = (7, 1)
DIRECTOR_ROLES = ("director", "mayor")
_STEMS = {
    "steering_group": ("styringsgrupp", "styringsgruppemøt", "steering group", "styremøt", "programstyr"),
    "secretariat": ("sekretariat", "secretariat"),
    "resource_group": ("ressursgrupp", "resource group"),
}
_DIRECTOR_WORDS = ("kommunedirektør", "rådmenn", "rådmann", "rådmennene", "directors", "kommunane", "kommunene")
_ALL_WORDS = ("alle", "everyone", "all members", "heile nettverket", "hele nettverket")


def default_days() -> list[int]:
    raw = os.environ.get("MEETING_REMINDER_DAYS", "")
    try:
        days = sorted({int(p) for p in raw.split(",") if p.strip()}, reverse=True)
    except ValueError:
        days = []
    return [d for d in days if 0 < d <= 60] or list(DEFAULT_DAYS)


def parse_days(raw: str) -> list[int] | None:
    """'7, 1' → [7, 1]; '' or 'ingen'/'none' → []; anything else → None (unreadable)."""
    raw = raw.strip().lower()
    if raw in ("", "0", "ingen", "none", "nei", "no"):
        return []
    numbers = re.findall(r"\d+", raw)
    if not numbers or re.sub(r"[\d,;\s]|dagar|dager|days|dag|day|og|and|før|for|before", "", raw):
        return None
    days = sorted({int(n) for n in numbers}, reverse=True)
    return days if all(0 < d <= 60 for d in days) else None


# --- audiences ----------------------------------------------------------------------------


def _fold(text: str) -> str:
    return text.lower().replace("å", "a").replace("ø", "o").replace("æ", "ae")


async def audience_choices(session: AsyncSession, network: Network, lang: str) -> list[tuple[str, str]]:
    bodies = (await session.scalars(select(Body).where(Body.network_id == network.id).order_by(Body.id))).all()
    return [*[(f"body:{b.key}", b.name) for b in bodies], ("directors", t("meetings.audience_directors", lang)),
            ("secretariat", t("meetings.audience_secretariat", lang)), ("all", t("meetings.audience_all", lang))]


async def guess_audience(session: AsyncSession, network: Network, hint: str) -> str:
    """The audience a title points at: 'Styringsgruppemøte' → the steering group, else the directors."""
    text = _fold(hint)
    bodies = (await session.scalars(select(Body).where(Body.network_id == network.id).order_by(Body.id))).all()
    for body in bodies:
        stems = [_fold(s) for s in _STEMS.get(body.kind, ())]
        key_stem = re.sub(r"(a|en|et|e)$", "", _fold(body.key))
        if len(key_stem) >= 5:
            stems.append(key_stem)
        if any(stem in text for stem in stems):
            return f"body:{body.key}"
    if any(w in text for w in map(_fold, _ALL_WORDS)):
        return "all"
    return "directors"


async def audience_people(session: AsyncSession, network: Network, audience: str) -> list[Person]:
    people = select(Person).where(Person.network_id == network.id, Person.anonymised.is_(False))
    if audience.startswith("body:"):
        body = await session.scalar(select(Body).where(Body.network_id == network.id, Body.key == audience[5:]))
        if body is None:
            return []
        ids = select(Seat.person_id).where(Seat.body_id == body.id, Seat.person_id.is_not(None))
        return list((await session.scalars(people.where(Person.id.in_(ids)).order_by(Person.name))).all())
    everyone = list((await session.scalars(people.order_by(Person.name))).all())
    if audience == "all":
        return everyone
    if audience == "secretariat":
        return [p for p in everyone if {"secretariat", "secretariat_lead"} & set(p.roles or [])]
    return [p for p in everyone if set(DIRECTOR_ROLES) & set(p.roles or [])]


async def audience_label(session: AsyncSession, network: Network, audience: str, lang: str) -> str:
    return dict(await audience_choices(session, network, lang)).get(audience, audience)


async def audience_of(session: AsyncSession, event: Event) -> str:
    detail = await detail_of(session, event)
    if detail is not None and detail.audience.get("code"):
        return str(detail.audience["code"])
    if event.body_id:
        body = await session.get(Body, event.body_id)
        if body is not None:
            return f"body:{body.key}"
    return "all"


async def detail_of(session: AsyncSession, event: Event) -> EventDetail | None:
    return await session.scalar(select(EventDetail).where(EventDetail.event_id == event.id))


async def with_app(session: AsyncSession, people: list[Person]) -> set[int]:
    if not people:
        return set()
    return set((await session.scalars(select(ConversationRef.person_id).where(
        ConversationRef.person_id.in_([p.id for p in people]), ConversationRef.conversation_type == "personal",
        ConversationRef.active.is_(True)))).all())


# --- what a draft holds -------------------------------------------------------------------


@dataclass
class Plan:
    """A meeting or deadline as understood, before (or instead of) being stored."""

    kind: str
    title: str
    audience: str
    starts_at: datetime
    ends_at: datetime | None
    all_day: bool
    place: str
    online_url: str
    agenda: list[str]
    remind_days: list[int]
    when_text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "starts_at": self.starts_at.isoformat(),
                "ends_at": self.ends_at.isoformat() if self.ends_at else None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(**{**data, "starts_at": datetime.fromisoformat(data["starts_at"]),
                      "ends_at": datetime.fromisoformat(data["ends_at"]) if data.get("ends_at") else None})


def times_of(when: When, kind: str) -> tuple[datetime, datetime | None, bool]:
    """Start, end and all-day flag; a deadline given as a day alone ends at 23:59 that day."""
    if when.has_time:
        assert isinstance(when.start, datetime)
        return when.start, when.end, False
    day = when.start if isinstance(when.start, date) else when.start.date()
    if kind == "deadline":
        return datetime.combine(day, time(23, 59), tzinfo=OSLO), None, False
    return datetime.combine(day, time(0), tzinfo=OSLO), None, True


def when_text(starts_at: datetime, ends_at: datetime | None, all_day: bool, lang: str) -> str:
    """'laurdag 28. august 2027 kl. 10:00–12:00': with the weekday, as Teams users expect."""
    if all_day:
        return format_day(starts_at.astimezone(OSLO).date(), lang)
    text = format_when(starts_at, lang)
    if ends_at is not None:
        end = ends_at.astimezone(OSLO)
        same_day = end.date() == starts_at.astimezone(OSLO).date()
        text += f"–{end:%H:%M}" if same_day else f" – {format_when(ends_at, lang)}"
    return text


def day_warning(starts_at: datetime, lang: str) -> str:
    """A warning when a meeting falls on a weekend or a Norwegian public holiday ('' otherwise)."""
    import holidays

    day = starts_at.astimezone(OSLO).date()
    names = holidays.country_holidays("NO", years=day.year, language="en_US" if lang == "en" else "no")
    holiday = names.get(day)
    if holiday and holiday not in ("Søndag", "Sunday"):
        return t("meetings.warning_holiday", lang, day=format_day(day, lang),
                 holiday=holiday)
    if day.weekday() >= 5:
        return t("meetings.warning_weekend", lang, day=format_day(day, lang))
    return ""


# --- storing --------------------------------------------------------------------------------


async def create_event(session: AsyncSession, network: Network, plan: Plan, *, person: Person | None,
                       actor: str, now: datetime) -> Event:
    body_id = None
    if plan.audience.startswith("body:"):
        body_id = await session.scalar(select(Body.id).where(Body.network_id == network.id,
                                                              Body.key == plan.audience[5:]))
    key = f"{slug(plan.title)}-{plan.starts_at.astimezone(OSLO):%Y%m%d}-{uuid.uuid4().hex[:4]}"
    event = Event(network_id=network.id, key=key, kind=plan.kind, title=plan.title, body_id=body_id,
                  audience=plan.audience[:200], starts_at=plan.starts_at, ends_at=plan.ends_at, all_day=plan.all_day,
                  place=plan.place, online_url=plan.online_url, organiser=person.name if person else "",
                  source="teams", status="scheduled", sequence=0)
    session.add(event)
    await session.flush()
    session.add(EventDetail(event_id=event.id, agenda=plan.agenda, audience={"code": plan.audience},
                            remind_days=plan.remind_days, created_by_id=person.id if person else None, updated_at=now))
    session.add(AuditEntry(actor=actor, network_id=network.id, action=f"{plan.kind}.announce", target=key,
                           details={"starts_at": plan.starts_at.isoformat(), "audience": plan.audience}))
    await session.flush()
    await schedule_reminders(session, event, plan.remind_days, now=now)
    await request_sync(session, event, "create")  # the Graph calendar event, when Graph is configured
    return event


async def change_event(session: AsyncSession, event: Event, plan: Plan, *, actor: str, now: datetime) -> None:
    event.title, event.kind, event.starts_at, event.ends_at = plan.title, plan.kind, plan.starts_at, plan.ends_at
    event.all_day, event.place, event.online_url = plan.all_day, plan.place, plan.online_url
    event.audience = plan.audience[:200]
    event.sequence += 1
    detail = await detail_of(session, event)
    if detail is None:
        detail = EventDetail(event_id=event.id)
        session.add(detail)
    detail.agenda, detail.audience, detail.remind_days, detail.updated_at = (
        plan.agenda, {"code": plan.audience}, plan.remind_days, now)
    session.add(AuditEntry(actor=actor, network_id=event.network_id, action=f"{event.kind}.change", target=event.key,
                           details={"sequence": event.sequence, "starts_at": plan.starts_at.isoformat()}))
    await session.flush()
    await jobs.cancel(session, key_prefix=f"event:{event.id}:reminder:")
    await schedule_reminders(session, event, plan.remind_days, now=now)
    await request_sync(session, event, "update")


async def cancel_event(session: AsyncSession, event: Event, *, actor: str) -> None:
    event.status = "cancelled"
    event.sequence += 1
    session.add(AuditEntry(actor=actor, network_id=event.network_id, action=f"{event.kind}.cancel", target=event.key,
                           details={"sequence": event.sequence}))
    await jobs.cancel(session, key_prefix=f"event:{event.id}:reminder:")
    await request_sync(session, event, "cancel")


async def schedule_reminders(session: AsyncSession, event: Event, days: list[int], *, now: datetime) -> int:
    count = 0
    for d in days:
        run_at = event.starts_at - timedelta(days=d)
        if run_at <= now:
            continue  # "7 days before" of a meeting in 3 days: not sent late
        await jobs.schedule(session, kind=REMINDER_KIND, key=f"event:{event.id}:reminder:{d}d", run_at=run_at,
                            network_id=event.network_id,
                            payload={"event_id": event.id, "days": d, "starts_at": event.starts_at.isoformat(),
                                     "expires_at": event.starts_at.isoformat()})
        count += 1
    return count


async def set_rsvp(session: AsyncSession, event: Event, person: Person, response: str, now: datetime) -> bool:
    """Record the answer; returns False when it was already the answer (a double click)."""
    row = await session.scalar(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.person_id == person.id))
    if row is not None and row.response == response:
        return False
    if row is None:
        session.add(Rsvp(event_id=event.id, person_id=person.id, response=response, updated_at=now))
    else:
        row.response, row.updated_at = response, now
    await session.flush()
    return True


async def rsvp_counts(session: AsyncSession, event: Event, invited: int) -> dict[str, int]:
    rows = (await session.execute(select(Rsvp.response, func.count()).where(Rsvp.event_id == event.id)
                                  .group_by(Rsvp.response))).all()
    counts = {"yes": 0, "no": 0, "maybe": 0, **{r: n for r, n in rows}}
    counts["none"] = max(invited - sum(counts[k] for k in ("yes", "no", "maybe")), 0)
    return counts


# --- views ----------------------------------------------------------------------------------


async def view_of(session: AsyncSession, services: Services, event: Event, network: Network, lang: str, *,
                  person: Person | None = None, counts: bool = False) -> EventView:
    audience = await audience_of(session, event)
    people = await audience_people(session, network, audience)
    detail = await detail_of(session, event)
    rsvp = None
    if person is not None:
        rsvp = await session.scalar(select(Rsvp.response).where(Rsvp.event_id == event.id,
                                                                Rsvp.person_id == person.id))
    label = await audience_label(session, network, audience, lang)
    return EventView(
        event_id=event.id, kind=event.kind, title=event.title,
        when=when_text(event.starts_at, event.ends_at, event.all_day, lang),
        audience=f"{label} ({len(people)})", place=event.place,
        # the link the secretariat gave, else the Teams meeting Graph made for it (when Graph is configured)
        online_url=event.online_url or await join_url_of(session, event.id),
        agenda=list(detail.agenda) if detail else [], ics_url=await ics.ics_url(session, services.public_url, event.id),
        sequence=event.sequence, cancelled=event.status == "cancelled", rsvp=rsvp,
        counts=await rsvp_counts(session, event, len(people)) if counts and event.kind == "meeting" else None,
        invited=len(people))


async def upcoming(session: AsyncSession, network: Network, now: datetime, limit: int = 10) -> list[Event]:
    today = datetime.combine(now.astimezone(OSLO).date(), time(0), tzinfo=OSLO)
    return list((await session.scalars(select(Event).where(
        Event.network_id == network.id, Event.status == "scheduled", Event.starts_at >= today)
        .order_by(Event.starts_at, Event.id).limit(limit * 3))).all())


def as_plan(event: Event, detail: EventDetail | None, audience: str) -> Plan:
    return Plan(kind=event.kind, title=event.title, audience=audience, starts_at=event.starts_at,
                ends_at=event.ends_at, all_day=event.all_day, place=event.place, online_url=event.online_url,
                agenda=list(detail.agenda) if detail else [],
                remind_days=list(detail.remind_days) if detail else default_days())
