"""Cases (saker) and votes for a body: who may open one, who votes, what counts, when it closes.

Plain functions over stored data, shared by the Teams dialogs, the CLI and the
scheduler. Who may do what comes only from stored seats and roles; the voter
is always the authenticated person, never anything inside card data.

The agreement: the body seeks consensus; without it, the chair decides.
Voters are the seat holders with role `chair` or `voting_member` (the chair is
one of the steering group's members); observers follow without a vote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.dates import WhenError, parse_when
from dialogs.i18n import OSLO
from dialogs.language import language_of as proactive_language
from dialogs.refusal import Refusal
from storage.models import (
    AuditEntry,
    Body,
    Case,
    ConversationRef,
    Network,
    Person,
    Seat,
    Vote,
)

VISIBILITIES = ("at_once", "after_vote", "after_close")  # loosest first: may only move to the right
VOTING_ROLES = ("chair", "voting_member")
HOLDER_ROLES = ("chair", "voting_member", "observer")
SECRETARIAT_ROLES = ("secretariat", "secretariat_lead")
MAX_TITLE = 300
MAX_TEXT = 4000
MAX_REASON = 2000
MAX_DECISION = 4000
MAX_REFRESH_USERS = 60
REMIND_BEFORE = timedelta(days=1)
_ROLE_RANK = {"chair": 0, "voting_member": 1, "observer": 2}



# --- options ------------------------------------------------------------------------------


def default_options(consent: bool = False) -> list[dict[str, Any]]:
    """Einig / Avstår / Ueinig (and Innsigelse for a consent round), labelled in nn, nb and en."""
    options: list[dict[str, Any]] = [
        {"key": "einig", "label": {"nn": "Einig", "nb": "Enig", "en": "Agree"},
         "needs_reason": False, "blocks_consensus": False},
        {"key": "avstar", "label": {"nn": "Avstår", "nb": "Avstår", "en": "Abstain"},
         "needs_reason": False, "blocks_consensus": False},
        {"key": "ueinig", "label": {"nn": "Ueinig", "nb": "Uenig", "en": "Disagree"},
         "needs_reason": True, "blocks_consensus": True},
    ]
    if consent:
        options.append({"key": "innsigelse", "label": {"nn": "Innsigelse", "nb": "Innsigelse", "en": "Objection"},
                        "needs_reason": True, "blocks_consensus": True})
    return options


def option_label(option: dict[str, Any], lang: str) -> str:
    labels = option.get("label") or {}
    return labels.get(lang) or labels.get("nb") or labels.get("en") or option.get("key", "")


def find_option(case: Case, key: str) -> dict[str, Any] | None:
    return next((o for o in case.options or [] if o.get("key") == key), None)


def label_of(case: Case, key: str, lang: str) -> str:
    option = find_option(case, key)
    return option_label(option, lang) if option else key


# --- people, seats and conversations ------------------------------------------------------


@dataclass
class Holder:
    """Someone holding a seat on the body, and how to reach them."""

    person: Person
    seat: Seat
    role: str  # chair | voting_member | observer
    conversation_id: str | None = None  # their active personal chat with the bot
    teams_id: str | None = None  # the 29:… id Teams uses in refresh.userIds
    lang: str = "nb"

    @property
    def votes(self) -> bool:
        return self.role in VOTING_ROLES


def _seat_valid(seat: Seat, today: date) -> bool:
    return (seat.valid_from is None or seat.valid_from <= today) and (seat.valid_to is None or seat.valid_to >= today)


def oslo_today(now: datetime) -> date:
    return now.astimezone(OSLO).date()


async def personal_conversations(session: AsyncSession, person_ids: list[int]) -> dict[int, ConversationRef]:
    """The newest active personal conversation of each person (with the stored Teams reference)."""
    if not person_ids:
        return {}
    refs = (await session.scalars(select(ConversationRef).where(
        ConversationRef.person_id.in_(person_ids), ConversationRef.conversation_type == "personal",
        ConversationRef.active.is_(True)).order_by(ConversationRef.updated_at))).all()
    return {ref.person_id: ref for ref in refs if ref.person_id is not None}


def teams_id_of(ref: ConversationRef | None) -> str | None:
    user = (ref.reference or {}).get("user") if ref is not None else None
    value = user.get("id") if isinstance(user, dict) else None
    return str(value) if value else None


async def language_of(session: AsyncSession, person: Person, network: Network) -> str:
    """The language a person reads: their own choice, else their municipality's, else the network's."""
    return await proactive_language(session, person, network)


async def seat_holders(session: AsyncSession, body: Body, now: datetime) -> list[Holder]:
    """Chair, voting members and observers of the body (one entry per person, strongest role kept)."""
    network = await session.get(Network, body.network_id)
    today = oslo_today(now)
    rows = (await session.execute(
        select(Seat, Person).join(Person, Person.id == Seat.person_id)
        .where(Seat.body_id == body.id, Seat.role.in_(HOLDER_ROLES), Person.anonymised.is_(False))
        .order_by(Seat.id))).all()
    chosen: dict[int, tuple[Seat, Person]] = {}
    for seat, person in rows:
        if not _seat_valid(seat, today):
            continue
        held = chosen.get(person.id)
        if held is None or _ROLE_RANK[seat.role] < _ROLE_RANK[held[0].role]:
            chosen[person.id] = (seat, person)
    refs = await personal_conversations(session, list(chosen))
    holders = []
    for person_id, (seat, person) in chosen.items():
        ref = refs.get(person_id)
        holders.append(Holder(person=person, seat=seat, role=seat.role,
                              conversation_id=ref.conversation_id if ref else None, teams_id=teams_id_of(ref),
                              lang=await language_of(session, person, network)))
    holders.sort(key=lambda h: (_ROLE_RANK[h.role], h.seat.id))
    return holders


async def is_secretariat(session: AsyncSession, person: Person | None, network_id: int) -> bool:
    """Secretariat of this network: by stored role or by a seat on the network's secretariat body."""
    if person is None or person.network_id != network_id:
        return False
    if set(person.roles or []) & set(SECRETARIAT_ROLES):
        return True
    seat = await session.scalar(select(Seat.id).join(Body, Body.id == Seat.body_id).where(
        Seat.person_id == person.id, Body.kind == "secretariat", Body.network_id == network_id).limit(1))
    return seat is not None


async def chair_of(session: AsyncSession, body: Body, now: datetime) -> Person | None:
    today = oslo_today(now)
    for seat in (await session.scalars(select(Seat).where(Seat.body_id == body.id, Seat.role == "chair",
                                                          Seat.person_id.is_not(None)))).all():
        if _seat_valid(seat, today):
            return await session.get(Person, seat.person_id)
    return None


async def role_in(session: AsyncSession, person: Person | None, body: Body, now: datetime) -> str | None:
    """The person's (strongest, currently valid) role on the body: chair | voting_member | observer | None."""
    if person is None:
        return None
    today = oslo_today(now)
    seats = (await session.scalars(select(Seat).where(Seat.body_id == body.id, Seat.person_id == person.id,
                                                      Seat.role.in_(HOLDER_ROLES)))).all()
    roles = [s.role for s in seats if _seat_valid(s, today)]
    return min(roles, key=_ROLE_RANK.__getitem__) if roles else None


async def voting_bodies(session: AsyncSession, network_id: int) -> list[Body]:
    """Bodies of the network that have at least one seat with a vote."""
    return list((await session.scalars(select(Body).where(
        Body.network_id == network_id,
        Body.id.in_(select(Seat.body_id).where(Seat.role.in_(VOTING_ROLES), Seat.person_id.is_not(None))))
        .order_by(Body.id))).all())


async def bodies_person_may_open(session: AsyncSession, person: Person | None, network_id: int,
                                 now: datetime) -> list[Body]:
    """The secretariat may open a case for any voting body of its network; a chair for the body they chair."""
    if person is None or person.network_id != network_id:
        return []
    bodies = await voting_bodies(session, network_id)
    if await is_secretariat(session, person, network_id):
        return bodies
    return [b for b in bodies if await role_in(session, person, b, now) == "chair"]


async def who_may_open(session: AsyncSession, network: Network, body: Body | None, now: datetime) -> dict[str, str]:
    """Names for the refusal: the secretariat contact and the chair(s)."""
    people = (await session.scalars(select(Person).where(Person.network_id == network.id,
                                                         Person.anonymised.is_(False)).order_by(Person.id))).all()
    contact = ""
    for wanted in ("secretariat_lead", "secretariat"):
        match = next((p for p in people if wanted in (p.roles or []) and p.email), None)
        if match:
            contact = f"{match.name} <{match.email}>"
            break
    bodies = [body] if body is not None else await voting_bodies(session, network.id)
    chairs = []
    for b in bodies:
        chair = await chair_of(session, b, now)
        if chair is not None and chair.name not in chairs:
            chairs.append(chair.name)
    return {"secretariat": contact or network.name, "chairs": ", ".join(chairs) or "—"}


# --- drafting and opening a case ----------------------------------------------------------


@dataclass
class Draft:
    body: Body
    title: str
    proposal: str
    deadline: datetime
    background: str = ""
    visibility: str = "after_vote"
    close_when_all_voted: bool = False
    consent: bool = False
    options: list[dict[str, Any]] = field(default_factory=list)


def truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "ja", "on")


def read_deadline(text: str, lang: str, now: datetime) -> datetime:
    """A deadline from a date phrase in the user's language; a whole day means 23:59 that day (Oslo)."""
    try:
        when = parse_when(text, lang, now)
    except WhenError as error:
        raise Refusal("votes.deadline_unreadable", message=error.message(lang)) from None
    start = when.start
    if isinstance(start, datetime):
        deadline = start if start.tzinfo else start.replace(tzinfo=OSLO)
    else:
        deadline = datetime.combine(start, time(23, 59), tzinfo=OSLO)
    return deadline


def check_deadline(deadline: datetime, now: datetime) -> None:
    if deadline <= now:
        raise Refusal("votes.deadline_past")


def parse_draft(data: dict[str, Any], lang: str, now: datetime, bodies: list[Body]) -> Draft:
    """Validate the form (or the confirmed draft); a Refusal names the first problem."""
    body_key = str(data.get("body") or "")
    body = next((b for b in bodies if b.key == body_key), None)
    if body is None and len(bodies) == 1 and not body_key:
        body = bodies[0]
    if body is None:
        raise Refusal("votes.missing_body")
    title = str(data.get("title") or "").strip()
    proposal = str(data.get("proposal") or "").strip()
    background = str(data.get("background") or "").strip()
    if not title:
        raise Refusal("votes.missing_title")
    if not proposal:
        raise Refusal("votes.missing_proposal")
    if len(title) > MAX_TITLE:
        raise Refusal("votes.too_long", length=len(title), limit=MAX_TITLE)
    for text in (proposal, background):
        if len(text) > MAX_TEXT:
            raise Refusal("votes.too_long", length=len(text), limit=MAX_TEXT)
    confirmed = str(data.get("deadline_at") or "")
    if confirmed:
        try:
            deadline = datetime.fromisoformat(confirmed)
        except ValueError:
            raise Refusal("votes.deadline_unreadable", message=confirmed) from None
        if deadline.tzinfo is None:
            raise Refusal("votes.deadline_unreadable", message=confirmed)
    else:
        phrase = str(data.get("deadline") or "").strip()
        if not phrase:
            raise Refusal("votes.missing_deadline")
        deadline = read_deadline(phrase, lang, now)
    check_deadline(deadline, now)
    visibility = str(data.get("visibility") or "after_vote")
    if visibility not in VISIBILITIES:
        raise Refusal("votes.bad_visibility")
    consent = truthy(data.get("consent"))
    return Draft(body=body, title=title, proposal=proposal, background=background, deadline=deadline,
                 visibility=visibility, close_when_all_voted=truthy(data.get("close_all")), consent=consent,
                 options=default_options(consent))


async def _opened_with_token(session: AsyncSession, network_id: int, token: str) -> Case | None:
    entries = (await session.scalars(select(AuditEntry).where(
        AuditEntry.action == "case.open", AuditEntry.network_id == network_id))).all()
    for entry in entries:
        if (entry.details or {}).get("draft") == token:
            return await session.scalar(select(Case).where(Case.network_id == network_id,
                                                           Case.key == entry.target))
    return None


async def _next_key(session: AsyncSession, network_id: int, now: datetime) -> str:
    prefix = f"sak-{now.astimezone(OSLO).year}-"
    keys = (await session.scalars(select(Case.key).where(Case.network_id == network_id,
                                                         Case.key.like(prefix + "%")))).all()
    numbers = [int(m.group(1)) for k in keys if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", k))]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


async def open_case(session: AsyncSession, network: Network, draft: Draft, *, creator: Person | None, actor: str,
                    now: datetime, token: str = "", source: str = "teams") -> tuple[Case, bool]:
    """Store a new case (key sak-YYYY-NNN). With a draft token, the same confirmed draft opens one case only."""
    if token and (existing := await _opened_with_token(session, network.id, token)) is not None:
        return existing, False
    for _attempt in range(5):
        key = await _next_key(session, network.id, now)
        case = Case(network_id=network.id, body_id=draft.body.id, key=key, title=draft.title,
                    background=draft.background, proposal=draft.proposal, options=draft.options,
                    deadline=draft.deadline, visibility=draft.visibility,
                    close_when_all_voted=draft.close_when_all_voted, status="open", outcome="",
                    created_by_id=creator.id if creator else None, created_at=now, revision=1)
        try:
            async with session.begin_nested():
                session.add(case)
                await session.flush()
        except IntegrityError:  # someone else took this key at the same moment
            if token and (existing := await _opened_with_token(session, network.id, token)) is not None:
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


# --- votes ----------------------------------------------------------------------------------


async def current_votes(session: AsyncSession, case: Case) -> dict[int, Vote]:
    """The newest version of each person's vote."""
    newest = (select(Vote.person_id, func.max(Vote.version).label("v")).where(Vote.case_id == case.id)
              .group_by(Vote.person_id).subquery())
    rows = (await session.scalars(select(Vote).join(
        newest, (Vote.person_id == newest.c.person_id) & (Vote.version == newest.c.v))
        .where(Vote.case_id == case.id))).all()
    return {v.person_id: v for v in rows if v.person_id is not None}


async def vote_history(session: AsyncSession, case: Case) -> list[Vote]:
    return list((await session.scalars(select(Vote).where(Vote.case_id == case.id)
                                       .order_by(Vote.cast_at, Vote.id))).all())


@dataclass
class Cast:
    vote: Vote
    new: bool


async def cast_vote(session: AsyncSession, case: Case, person: Person, seat: Seat | None, option: str, reason: str,
                    *, now: datetime, actor: str) -> Cast:
    """Append a new version of the person's vote; the same vote again (a double click) adds nothing."""
    latest = await session.scalar(select(Vote).where(Vote.case_id == case.id, Vote.person_id == person.id)
                                  .order_by(Vote.version.desc()).limit(1))
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


def validate_vote(case: Case, option_key: str, reason: str, lang: str) -> dict[str, Any]:
    option = find_option(case, option_key)
    if option is None:
        raise Refusal("votes.unknown_option")
    if len(reason) > MAX_REASON:
        raise Refusal("votes.too_long", length=len(reason), limit=MAX_REASON)
    if option.get("needs_reason") and not reason:
        raise Refusal("votes.reason_required", option=option_label(option, lang))
    return option


# Keys our cards never carry: a voter identity inside card data is tampering, whatever its value.
FORGED_KEYS = ("person", "person_id", "voter", "voter_id", "user", "user_id", "aad", "aad_object_id", "from",
               "seat", "seat_id", "on_behalf_of")


def forged_keys(data: dict[str, Any]) -> list[str]:
    return [k for k in FORGED_KEYS if k in data]


def case_id_of(data: dict[str, Any]) -> int | None:
    """The case id a card carries (an int, or digits); anything else is not a case reference."""
    raw = data.get("case")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 12:
        return int(raw.strip())
    return None


# --- closing and deciding -------------------------------------------------------------------


def is_consensus(case: Case, votes: list[Vote]) -> bool:
    """At least one vote, and none of them blocks consensus (Ueinig, Innsigelse)."""
    if not votes:
        return False
    blocking = {o["key"] for o in case.options or [] if o.get("blocks_consensus")}
    return not any(v.option in blocking for v in votes)


async def voters_votes(session: AsyncSession, case: Case, holders: list[Holder]) -> dict[int, Vote]:
    """Current votes of the people who currently hold a voting seat."""
    votes = await current_votes(session, case)
    voters = {h.person.id for h in holders if h.votes}
    return {pid: v for pid, v in votes.items() if pid in voters}


async def close_case(session: AsyncSession, case: Case, *, reason: str, now: datetime, actor: str) -> bool:
    """Close once: consensus adopts the proposal, otherwise the chair decides. False if already closed."""
    body = await session.get(Body, case.body_id)
    holders = await seat_holders(session, body, now)
    votes = list((await voters_votes(session, case, holders)).values())
    outcome = "adopted" if is_consensus(case, votes) else "awaiting_chair"
    result = await session.execute(
        update(Case).where(Case.id == case.id, Case.status == "open")
        .values(status="closed", closed_at=now, closed_reason=reason, outcome=outcome, revision=Case.revision + 1)
        .execution_options(synchronize_session=False))
    await session.refresh(case)
    if result.rowcount != 1:
        return False
    counts: dict[str, int] = {}
    for vote in votes:
        counts[vote.option] = counts.get(vote.option, 0) + 1
    session.add(AuditEntry(actor=actor, network_id=case.network_id, action="case.close", target=case.key, at=now,
                           details={"case": case.id, "reason": reason, "outcome": outcome, "counts": counts}))
    return True


async def all_voted(session: AsyncSession, case: Case, now: datetime) -> bool:
    body = await session.get(Body, case.body_id)
    holders = await seat_holders(session, body, now)
    voters = [h for h in holders if h.votes]
    votes = await voters_votes(session, case, holders)
    return bool(voters) and all(h.person.id in votes for h in voters)


async def decide(session: AsyncSession, case: Case, person: Person, text: str, *, now: datetime,
                 actor: str) -> bool:
    """Record the chair's decision once; False when it was already recorded (or not awaited)."""
    result = await session.execute(
        update(Case).where(Case.id == case.id, Case.outcome == "awaiting_chair")
        .values(outcome="decided_by_chair", outcome_text=text, decided_by_id=person.id, revision=Case.revision + 1)
        .execution_options(synchronize_session=False))
    await session.refresh(case)
    if result.rowcount != 1:
        return False
    session.add(AuditEntry(actor=actor, network_id=case.network_id, action="case.decide", target=case.key, at=now,
                           details={"case": case.id, "person": person.id, "text": text[:500]}))
    return True


async def tighten_visibility(session: AsyncSession, case: Case, visibility: str, *, now: datetime,
                             actor: str) -> bool:
    """Results may be hidden longer, never shown earlier than promised. False when unchanged."""
    if visibility not in VISIBILITIES:
        raise Refusal("votes.bad_visibility")
    if case.status != "open":
        raise Refusal("votes.closed_no_change")
    current = VISIBILITIES.index(case.visibility) if case.visibility in VISIBILITIES else 0
    wanted = VISIBILITIES.index(visibility)
    if wanted < current:
        raise Refusal("votes.visibility_looser")
    if wanted == current:
        return False
    before = case.visibility
    case.visibility = visibility
    case.revision += 1
    session.add(AuditEntry(actor=actor, network_id=case.network_id, action="case.visibility", target=case.key,
                           at=now, details={"case": case.id, "from": before, "to": visibility}))
    await session.flush()
    return True


def due(case: Case, now: datetime) -> bool:
    return case.status == "open" and now >= case.deadline


def counts_of(case: Case, votes: list[Vote]) -> dict[str, int]:
    """Votes per option key, every option listed (zero included), in the case's order."""
    counts = {o["key"]: 0 for o in case.options or []}
    for vote in votes:
        counts[vote.option] = counts.get(vote.option, 0) + 1
    return counts


def blocking(case: Case) -> set[str]:
    return {o["key"] for o in case.options or [] if o.get("blocks_consensus")}


def results_visible(case: Case, *, has_voted: bool) -> bool:
    """Counts are shown at once, after the reader has voted, or only after close."""
    if case.status == "closed" or case.visibility == "at_once":
        return True
    return case.visibility == "after_vote" and has_voted


async def find_case(session: AsyncSession, ident: str, network_id: int | None = None) -> list[Case]:
    """Cases matching an id or a key (case-insensitive), optionally within one network."""
    query = select(Case)
    if network_id is not None:
        query = query.where(Case.network_id == network_id)
    conditions = [func.lower(Case.key) == ident.strip().lower()]
    if ident.strip().isdigit():
        conditions.append(Case.id == int(ident.strip()))
    return list((await session.scalars(query.where(or_(*conditions)).order_by(Case.id))).all())
