"""Cases (saker) and votes for a body: who may open one, who votes, what counts, when it closes.

Pure rules: values in, values or a Refusal out (no session). The steps that read and write the
database are in `dialogs/votes/service.py`, the queries in `storage/votes.py`. Who may do what
comes only from stored seats and roles; the voter is always the authenticated person, never
anything inside card data.

The agreement: the body seeks consensus; without it, the chair decides.
Voters are the seat holders with role `chair` or `voting_member` (the chair is
one of the steering group's members); observers follow without a vote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from dialogs.carddata import card_id
from dialogs.dates import WhenError, confirmed_instant, parse_when
from dialogs.i18n import OSLO
from dialogs.keys import year_start
from dialogs.refusal import Refusal
from storage.models import Body, Case, ConversationRef, Person, Seat, Vote

VISIBILITIES = ("at_once", "after_vote", "after_close")  # loosest first: may only move to the right
VOTING_ROLES = ("chair", "voting_member")
HOLDER_ROLES = ("chair", "voting_member", "observer")
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


def strongest_seats(rows: list[tuple[Seat, Person]], today: date) -> dict[int, tuple[Seat, Person]]:
    """One valid seat per person, their strongest role kept (chair over voting member over observer)."""
    chosen: dict[int, tuple[Seat, Person]] = {}
    for seat, person in rows:
        if not _seat_valid(seat, today):
            continue
        held = chosen.get(person.id)
        if held is None or _ROLE_RANK[seat.role] < _ROLE_RANK[held[0].role]:
            chosen[person.id] = (seat, person)
    return chosen


def order_holders(holders: list[Holder]) -> list[Holder]:
    """Chair first, then voting members, then observers; within a role, in seat order."""
    return sorted(holders, key=lambda h: (_ROLE_RANK[h.role], h.seat.id))


def strongest_role(seats: list[Seat], today: date) -> str | None:
    """The strongest currently valid role among these seats: chair | voting_member | observer | None."""
    roles = [s.role for s in seats if s.role in _ROLE_RANK and _seat_valid(s, today)]
    return min(roles, key=_ROLE_RANK.__getitem__) if roles else None


def valid_seat(seats: list[Seat], today: date) -> Seat | None:
    """The first of these seats that is valid today."""
    return next((s for s in seats if _seat_valid(s, today)), None)


def teams_id_of(ref: ConversationRef | None) -> str | None:
    """The 29:… id Teams knows the person by (for refresh.userIds), from their stored chat reference."""
    user = (ref.reference or {}).get("user") if ref is not None else None
    value = user.get("id") if isinstance(user, dict) else None
    return str(value) if value else None


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


def key_prefix(now: datetime) -> str:
    return year_start("sak", now)


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
        deadline = confirmed_instant(confirmed)
        if deadline is None:
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





# --- votes ----------------------------------------------------------------------------------






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
    return card_id(data.get("case"))  # ASCII digits within the 64-bit range only: not 2**63, not "²"


# --- closing and deciding -------------------------------------------------------------------


def is_consensus(case: Case, votes: list[Vote]) -> bool:
    """At least one vote, and none of them blocks consensus (Ueinig, Innsigelse)."""
    if not votes:
        return False
    blocking = {o["key"] for o in case.options or [] if o.get("blocks_consensus")}
    return not any(v.option in blocking for v in votes)







def outcome_of(case: Case, votes: list[Vote]) -> str:
    """Consensus adopts the proposal; otherwise the chair decides."""
    return "adopted" if is_consensus(case, votes) else "awaiting_chair"


def of_voters(votes: dict[int, Vote], holders: list[Holder]) -> dict[int, Vote]:
    """Only the votes of people who currently hold a voting seat."""
    voters = {h.person.id for h in holders if h.votes}
    return {pid: v for pid, v in votes.items() if pid in voters}


def everyone_voted(holders: list[Holder], votes: dict[int, Vote]) -> bool:
    """Every current voter has a vote in (and there is at least one voter)."""
    voters = [h for h in holders if h.votes]
    return bool(voters) and all(h.person.id in votes for h in voters)


def visibility_tightened(case: Case, visibility: str) -> bool:
    """Results may be hidden longer, never shown earlier than promised: True when it moves right,
    False when unchanged, a Refusal otherwise."""
    if visibility not in VISIBILITIES:
        raise Refusal("votes.bad_visibility")
    if case.status != "open":
        raise Refusal("votes.closed_no_change")
    current = VISIBILITIES.index(case.visibility) if case.visibility in VISIBILITIES else 0
    wanted = VISIBILITIES.index(visibility)
    if wanted < current:
        raise Refusal("votes.visibility_looser")
    return wanted != current


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


