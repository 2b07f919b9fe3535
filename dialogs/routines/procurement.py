"""The joint procurement routine (DigIT §6): its rules, as plain functions over values.

A member municipality registers a planned purchase, change or renegotiation; the other members
answer Ja / Nei / Vurderer until the deadline (one current answer per municipality). Any Nei
puts the matter before the council, proposed by the digitalisation lead; members that say Ja
form a joint procurement with the initiator. The steps that read and write the round (register,
answer, settle) are in `dialogs/routines/service.py`, shared by the Teams dialogs, the CLI and the
deadline job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dialogs.dates import WhenError, confirmed_instant, parse_when
from dialogs.i18n import OSLO, t
from dialogs.routines.common import MAX_TEXT, Refusal, clean
from storage.models import Municipality
from storage.models.routines import PlannedProcurement, ProcurementAnswer

KINDS = ("purchase", "change", "renegotiation")
VALUE_RANGES = ("lt100k", "100k-1m", "1m-5m", "gt5m", "unknown")
ANSWERS = ("ja", "nei", "vurderer")
DEADLINE_JOB = "procurement.deadline"
REMINDER_JOB = "procurement.reminder"
REMIND_BEFORE = timedelta(days=2)


@dataclass
class Draft:
    municipality: Municipality
    kind: str
    system: str
    area: str
    contract_end: date | None
    value_range: str
    contact: str
    description: str
    deadline: datetime


def _day_end(value: date) -> datetime:
    return datetime.combine(value, time(23, 59), tzinfo=OSLO)


def read_deadline(raw: str, lang: str, now: datetime) -> datetime:
    try:
        when = parse_when(raw, lang, now=now, allow_past=False)
    except WhenError as err:
        raise Refusal("routines.deadline_unreadable", message=err.message(lang)) from None
    start = when.start
    deadline = start if isinstance(start, datetime) else _day_end(start)
    if deadline <= now:
        raise Refusal("routines.deadline_past")
    return deadline


def parse_form(data: dict, lang: str, now: datetime, municipalities: list[Municipality],
               fixed: Municipality | None) -> Draft:
    """Validate the registration form; a Refusal names the first problem. Card data never decides
    who registers: a municipality user always registers for their own municipality."""
    if fixed is not None:
        muni = fixed
    else:
        number = str(data.get("municipality") or "").strip()
        if not number:
            raise Refusal("routines.missing_municipality")
        muni = next((m for m in municipalities if m.number == number), None)
        if muni is None:
            raise Refusal("routines.unknown_municipality", value=number)
    kind = str(data.get("kind") or "")
    if kind not in KINDS:
        raise Refusal("routines.missing_kind")
    system = clean(data.get("system"))
    if not system:
        raise Refusal("routines.missing_system")
    value_range = str(data.get("value_range") or "unknown")
    if value_range not in VALUE_RANGES:
        value_range = "unknown"
    contract_end = None
    if raw_end := str(data.get("contract_end") or "").strip():
        try:
            contract_end = date.fromisoformat(raw_end)
        except ValueError:
            try:
                contract_end = parse_when(raw_end, lang, now=now).start
                contract_end = contract_end.date() if isinstance(contract_end, datetime) else contract_end
            except WhenError as err:
                raise Refusal("routines.contract_end_unreadable", message=err.message(lang)) from None
    raw_deadline = str(data.get("deadline_at") or "").strip()
    if raw_deadline:  # the confirmed preview carries the exact instant
        deadline = confirmed_instant(raw_deadline)
        if deadline is None:
            raise Refusal("routines.deadline_unreadable", message=raw_deadline)
        if deadline <= now:
            raise Refusal("routines.deadline_past")
    else:
        phrase = str(data.get("deadline") or "").strip()
        if not phrase:
            raise Refusal("routines.missing_deadline")
        deadline = read_deadline(phrase, lang, now)
    return Draft(municipality=muni, kind=kind, system=system, area=clean(data.get("area")),
                 contract_end=contract_end, value_range=value_range, contact=clean(data.get("contact"), 300),
                 description=clean(data.get("description"), MAX_TEXT), deadline=deadline)


@dataclass
class Tally:
    initiator: Municipality
    asked: list[Municipality]
    answers: dict[int, ProcurementAnswer] = field(default_factory=dict)

    def having(self, answer: str) -> list[Municipality]:
        return [m for m in self.asked if m.id in self.answers and self.answers[m.id].answer == answer]

    @property
    def missing(self) -> list[Municipality]:
        return [m for m in self.asked if m.id not in self.answers]

    @property
    def settled(self) -> bool:
        """Everyone asked has given a definite answer (no one is still considering)."""
        return not self.missing and not self.having("vurderer")


def check_open(proc: PlannedProcurement, now: datetime) -> None:
    if proc.status != "open" or now >= proc.deadline:
        raise Refusal("routines.proc_closed", ref=proc.key)


def check_answer(proc: PlannedProcurement, muni: Municipality, answer: str, now: datetime) -> None:
    """A Refusal unless `muni` may give this answer now: Ja, Nei or Vurderer, while the round is open, and
    not to its own registration."""
    if answer not in ANSWERS:
        raise Refusal("routines.bad_answer")
    check_open(proc, now)
    if muni.id == proc.municipality_id:
        raise Refusal("routines.proc_own", ref=proc.key)


def outcome_of(*, joint: bool, council: bool) -> str:
    """What came of a closed round: members joined (joint), a Nei took it to the council, both, or neither."""
    if joint and council:
        return "joint_and_council"
    if joint:
        return "joint"
    return "council" if council else "no_answer"


def kind_label(kind: str, lang: str) -> str:
    return t(f"routines.kind_{kind}", lang)


