"""The steps of the joint procurement routine that read and write: registering a planned procurement,
the members' answers, settling the round (a council case on any Nei, a joint procurement of the Ja's).

Rows come from `storage.routines` (and `storage.directory`); `procurement` (the routine's rules) decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.i18n import t
from dialogs.routines import procurement as rules
from dialogs.routines.common import Routines, members, next_key
from dialogs.routines.council import CouncilCase, open_council_case
from dialogs.services import Services
from storage import directory, jobs
from storage import routines as stored_routines
from storage.models import AuditEntry, Municipality, Network, Person
from storage.models.routines import JointParticipant, JointProcurement, PlannedProcurement, ProcurementAnswer
from storage.queries import by_token, insert_once


async def register(session: AsyncSession, network: Network, draft: rules.Draft, *, person: Person | None, token: str,
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
    await jobs.schedule(session, kind=rules.DEADLINE_JOB, key=f"procurement:{proc.id}:deadline", run_at=proc.deadline,
                        payload={"procurement": proc.id}, network_id=network.id)
    if proc.deadline - rules.REMIND_BEFORE > now + timedelta(hours=1):
        await jobs.schedule(session, kind=rules.REMINDER_JOB, key=f"procurement:{proc.id}:reminder",
                            run_at=proc.deadline - rules.REMIND_BEFORE, payload={"procurement": proc.id},
                            network_id=network.id)
    return proc, True


async def find(session: AsyncSession, network: Network, key: str, *, lock: bool = False) -> PlannedProcurement | None:
    return await stored_routines.procurement_by_key(session, network.id, key.strip().lower(), lock=lock)


async def tally(session: AsyncSession, proc: PlannedProcurement) -> rules.Tally:
    network = await directory.network(session, proc.network_id)
    all_members = await members(session, network)
    initiator = next((m for m in all_members if m.id == proc.municipality_id), None) or await directory.municipality(
        session, proc.municipality_id)
    rows = await stored_routines.answers_to(session, proc.id)
    return rules.Tally(initiator=initiator, asked=[m for m in all_members if m.id != proc.municipality_id],
                 answers={r.municipality_id: r for r in rows})


async def record_answer(session: AsyncSession, proc: PlannedProcurement, muni: Municipality, person: Person,
                        answer: str, *, now: datetime, actor: str) -> bool:
    """Store or change the municipality's answer; the same answer again changes nothing (False)."""
    rules.check_answer(proc, muni, answer, now)
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
                       kind=rules.kind_label(proc.kind, lang).lower(), system=proc.system, ref=proc.key,
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
        proc.outcome = rules.outcome_of(joint=bool(yes), council=bool(proc.case_id))
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

