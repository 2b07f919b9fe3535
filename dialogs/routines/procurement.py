"""The joint procurement routine (DigIT §6) as plain functions over stored data.

A member municipality registers a planned purchase, change or renegotiation; the other members
answer Ja / Nei / Vurderer until the deadline (one current answer per municipality). Any Nei
puts the matter before the council, proposed by the digitalisation lead; members that say Ja
form a joint procurement with the initiator. Shared by the Teams dialogs, the CLI and the
deadline job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.dates import WhenError, confirmed_instant, parse_when
from dialogs.i18n import OSLO, t
from dialogs.routines.common import MAX_TEXT, Refusal, Routines, clean, members, next_key
from dialogs.routines.council import CouncilCase, open_council_case
from dialogs.services import Services
from storage import directory, jobs
from storage import routines as stored_routines
from storage.models import AuditEntry, Municipality, Network, Person
from storage.models.routines import JointParticipant, JointProcurement, PlannedProcurement, ProcurementAnswer
from storage.queries import by_token, insert_once

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


async def register(session: AsyncSession, network: Network, draft: Draft, *, person: Person | None, token: str,
                   now: datetime, actor: str) -> tuple[PlannedProcurement, bool]:
    """Store the planned procurement once per confirmed draft and schedule its deadline."""
    existing = await by_token(session, PlannedProcurement, token)
    if existing is not None:
        return existing, False
    proc = PlannedProcurement(
        network_id=network.id, key=await next_key(session, PlannedProcurement, network.id, "ansk", now), token=token,
        municipality_id=draft.municipality.id, registered_by_id=person.id if person else None, kind=draft.kind,
        system=draft.system, area=draft.area, contract_end=draft.contract_end, value_range=draft.value_range,
        contact=draft.contact, description=draft.description, deadline=draft.deadline, status="open",
        created_at=now)
    if not await insert_once(session, proc):  # the same confirmation arrived twice at once
        existing = await by_token(session, PlannedProcurement, token)
        if existing is None:
            raise RuntimeError(f"procurement {proc.key}: the key was taken, but not by this confirmation")
        return existing, False
    session.add(AuditEntry(actor=actor, network_id=network.id, action="procurement.register", target=proc.key,
                           at=now, details={"municipality": draft.municipality.number, "system": draft.system,
                                            "kind": draft.kind, "deadline": draft.deadline.isoformat()}))
    await jobs.schedule(session, kind=DEADLINE_JOB, key=f"procurement:{proc.id}:deadline", run_at=proc.deadline,
                        payload={"procurement": proc.id}, network_id=network.id)
    if proc.deadline - REMIND_BEFORE > now + timedelta(hours=1):
        await jobs.schedule(session, kind=REMINDER_JOB, key=f"procurement:{proc.id}:reminder",
                            run_at=proc.deadline - REMIND_BEFORE, payload={"procurement": proc.id},
                            network_id=network.id)
    return proc, True


async def find(session: AsyncSession, network: Network, key: str, *, lock: bool = False) -> PlannedProcurement | None:
    return await stored_routines.procurement_by_key(session, network.id, key.strip().lower(), lock=lock)


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


async def tally(session: AsyncSession, proc: PlannedProcurement) -> Tally:
    network = await directory.network(session, proc.network_id)
    all_members = await members(session, network)
    initiator = next((m for m in all_members if m.id == proc.municipality_id), None) or await directory.municipality(
        session, proc.municipality_id)
    rows = await stored_routines.answers_to(session, proc.id)
    return Tally(initiator=initiator, asked=[m for m in all_members if m.id != proc.municipality_id],
                 answers={r.municipality_id: r for r in rows})


def check_open(proc: PlannedProcurement, now: datetime) -> None:
    if proc.status != "open" or now >= proc.deadline:
        raise Refusal("routines.proc_closed", ref=proc.key)


async def record_answer(session: AsyncSession, proc: PlannedProcurement, muni: Municipality, person: Person,
                        answer: str, *, now: datetime, actor: str) -> bool:
    """Store or change the municipality's answer; the same answer again changes nothing (False)."""
    if answer not in ANSWERS:
        raise Refusal("routines.bad_answer")
    check_open(proc, now)
    if muni.id == proc.municipality_id:
        raise Refusal("routines.proc_own", ref=proc.key)
    row = await stored_routines.answer_of(session, proc.id, muni.id)
    if row is not None and row.answer == answer:
        return False
    if row is None:
        row = ProcurementAnswer(procurement_id=proc.id, municipality_id=muni.id, answer=answer,
                                answered_by_id=person.id, answered_at=now)
        if not await insert_once(session, row):  # a double click that raced: the other click stored it
            row = await stored_routines.answer_of(session, proc.id, muni.id)
            if row.answer == answer:
                return False
            row.answer, row.answered_by_id, row.answered_at, row.changes = answer, person.id, now, row.changes + 1
    else:
        row.answer, row.answered_by_id, row.answered_at, row.changes = answer, person.id, now, row.changes + 1
    session.add(AuditEntry(actor=actor, network_id=proc.network_id, action="procurement.answer", target=proc.key,
                           at=now, details={"municipality": muni.number, "answer": answer}))
    await session.flush()
    return True


@dataclass
class Settlement:
    council: CouncilCase | None = None  # set when this call opened (or found) the council case
    closed: bool = False  # this call closed the procurement
    joint: list[Municipality] = field(default_factory=list)  # participants recorded now


def kind_label(kind: str, lang: str) -> str:
    return t(f"routines.kind_{kind}", lang)


async def settle(session: AsyncSession, services: Services, routines: Routines, proc: PlannedProcurement, *,
                 at_deadline: bool = False) -> Settlement:
    """Apply the routine to the answers so far: Nei → a council case; settled or due → close."""
    network = await directory.network(session, proc.network_id)
    state = await tally(session, proc)
    out = Settlement()
    lang = network.language
    if state.having("nei") and proc.case_id is None:
        noes = ", ".join(m.name for m in state.having("nei"))
        title = t("routines.case_title", lang, system=proc.system, municipality=state.initiator.name)
        proposal = t("routines.case_proposal", lang, municipalities=noes)
        background = t("routines.case_background", lang, municipality=state.initiator.name,
                       kind=kind_label(proc.kind, lang).lower(), system=proc.system, ref=proc.key,
                       noes=noes, yeses=", ".join(m.name for m in state.having("ja")) or "–")
        out.council = await open_council_case(
            session, services, network, council=routines.council, proposer=routines.lead, title=title,
            proposal=proposal, background=background, token=f"procurement-{proc.id}", actor="routine:procurement")
        proc.case_id = out.council.case.id
    if proc.status == "open" and (state.settled or at_deadline):
        yes = state.having("ja")
        proc.status, proc.closed_at = "closed", services.now()
        proc.closed_reason = "deadline" if at_deadline and not state.settled else "all_answered"
        if yes:
            joint = JointProcurement(network_id=proc.network_id, procurement_id=proc.id, title=proc.system,
                                     created_at=services.now())
            session.add(joint)
            await session.flush()
            session.add(JointParticipant(joint_id=joint.id, municipality_id=state.initiator.id, initiator=True))
            for muni in yes:
                session.add(JointParticipant(joint_id=joint.id, municipality_id=muni.id))
            out.joint = [state.initiator, *yes]
        if yes and proc.case_id:
            proc.outcome = "joint_and_council"
        elif yes:
            proc.outcome = "joint"
        elif proc.case_id:
            proc.outcome = "council"
        else:
            proc.outcome = "no_answer"
        out.closed = True
        session.add(AuditEntry(actor="routine:procurement", network_id=proc.network_id, action="procurement.close",
                               target=proc.key, at=services.now(),
                               details={"outcome": proc.outcome, "reason": proc.closed_reason,
                                        "missing": [m.number for m in state.missing],
                                        "joint": [m.number for m in out.joint]}))
        await jobs.cancel(session, key_prefix=f"procurement:{proc.id}:")
    await session.flush()
    return out


async def participants(session: AsyncSession, proc: PlannedProcurement) -> list[Municipality]:
    return await stored_routines.joint_participants(session, proc.id)
