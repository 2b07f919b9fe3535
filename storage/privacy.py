"""GDPR access (export) and erasure (forget) for one person.

Erasure keeps what the archive duty requires: consultation answers, votes, cases
and the audit log stay, because they are official records of a municipality's or
a body's acts. They keep pointing at the same person row, but that row is
anonymised ("Slettet person": no name, e-mail, UPN, Teams identity or data key),
so the records are attributed to the municipality / seat and no longer to a
person. Everything else that is only about the person (language preference,
conversation references, Q&A feedback and escalated questions they asked, meeting
replies, queued messages) is deleted. Their name, identifiers and own words (an
escalated question) are scrubbed from messages sent or queued to others (the
secretariat's copies of the question) and from the audit log; the audit log keeps
every entry — who did what is the accountability record of official acts (GDPR
art. 17(3)(b)) — but an erased person's entries name `erased:person:<id>`. The
erasure itself is recorded there with a one-way hash of the identifiers so that
running `forget` again is recognised and changes nothing.

Tables other capabilities add later (storage/models_*.py) are found through their
foreign keys to `people.id` and exported generically; on erasure they keep their
rows, which then point at the anonymised person.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AuditEntry,
    Base,
    Body,
    Case,
    Consultation,
    ConsultationResponse,
    ConversationRef,
    EscalatedQuestion,
    Municipality,
    Network,
    Organisation,
    OutboxMessage,
    Person,
    PostedCard,
    ProcessedActivity,
    QaFeedback,
    Rsvp,
    Seat,
    UserPreference,
    Vote,
)

ERASED_NAME = "Slettet person"
# Tables handled explicitly below; any other table with a foreign key to people.id is exported generically.
_KNOWN = {"people", "seats", "consultation_responses", "votes", "cases", "rsvps", "qa_feedback",
          "escalated_questions", "conversation_refs", "posted_cards", "outbox"}


class PersonNotFound(LookupError):
    """No person (or more than one) matches what was asked for."""


@dataclass
class Erasure:
    person_id: int
    already: bool = False
    deleted: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    still_in_data: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"person_id": self.person_id, "already_erased": self.already, "deleted": self.deleted,
                "kept_anonymised": self.kept, "still_in_data_files": self.still_in_data}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def row_dict(row: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.key: _plain(getattr(row, c.key)) for c in row.__table__.columns if c.key not in skip}


def identifier_hash(network_id: int, *identifiers: str | None) -> list[str]:
    """One-way hashes of the ways a person can be named, so erasure is recognised without keeping them."""
    out = []
    for ident in identifiers:
        if ident:
            out.append(hashlib.sha256(f"{network_id}|{ident.strip().lower()}".encode()).hexdigest()[:32])
    return out


async def find(session: AsyncSession, network: Network, who: str) -> Person:
    """A person of `network` by data key, e-mail, UPN, Teams (AAD) object id or numeric id."""
    who = who.strip()
    low = who.lower()
    conditions = [Person.key == who, Person.email == low, Person.upn == low, Person.aad_object_id == low]
    if who.isascii() and who.isdigit() and len(who) <= 18:  # not "²", not beyond a 64-bit id
        conditions.append(Person.id == int(who))
    rows = (await session.scalars(select(Person).where(Person.network_id == network.id, or_(*conditions)))).all()
    if len(rows) > 1:
        raise PersonNotFound(f"{who!r} matches {len(rows)} people in {network.slug}; use the numeric id")
    if not rows:
        raise PersonNotFound(f"no person {who!r} in {network.slug}")
    return rows[0]


async def was_erased(session: AsyncSession, network: Network, who: str) -> AuditEntry | None:
    """The audit entry of an earlier erasure of someone named `who`, if any."""
    wanted = identifier_hash(network.id, who)[0] if who.strip() else ""
    entries = (await session.scalars(select(AuditEntry).where(
        AuditEntry.action == "person.forget", AuditEntry.network_id == network.id))).all()
    return next((e for e in entries if wanted in (e.details or {}).get("identifiers", [])), None)


def _actor(person: Person) -> str | None:
    return f"{person.tenant_id}/{person.aad_object_id}" if person.tenant_id and person.aad_object_id else None


async def export(session: AsyncSession, network: Network, person: Person) -> dict[str, Any]:
    """Everything stored about `person`, as plain JSON-ready data."""
    pid = person.id
    out: dict[str, Any] = {"network": network.slug, "person": row_dict(person)}
    if person.municipality_id:
        muni = await session.get(Municipality, person.municipality_id)
        out["person"]["municipality"] = muni.name if muni else None
    if person.organisation_id:
        org = await session.get(Organisation, person.organisation_id)
        out["person"]["organisation"] = org.name if org else None

    seats = (await session.execute(select(Seat, Body).join(Body, Seat.body_id == Body.id)
                                   .where(Seat.person_id == pid))).all()
    out["seats"] = [{**row_dict(s), "body": b.name, "body_kind": b.kind} for s, b in seats]

    prefs: list[Any] = []
    if person.tenant_id and person.aad_object_id:
        prefs = list((await session.scalars(select(UserPreference).where(
            UserPreference.tenant_id == person.tenant_id,
            UserPreference.aad_object_id == person.aad_object_id))).all())
    out["preferences"] = [row_dict(p) for p in prefs]

    out["conversations"] = [row_dict(c) for c in await _conversations(session, person)]

    answers = (await session.execute(
        select(ConsultationResponse, Consultation.key, Consultation.title, Municipality.name)
        .join(Consultation, ConsultationResponse.consultation_id == Consultation.id)
        .join(Municipality, ConsultationResponse.municipality_id == Municipality.id)
        .where(ConsultationResponse.submitted_by_id == pid).order_by(ConsultationResponse.id))).all()
    out["consultation_answers"] = [{**row_dict(r), "consultation": key, "consultation_title": title,
                                    "municipality": muni} for r, key, title, muni in answers]

    votes = (await session.execute(select(Vote, Case.key, Case.title).join(Case, Vote.case_id == Case.id)
                                   .where(Vote.person_id == pid).order_by(Vote.id))).all()
    out["votes"] = [{**row_dict(v), "case": key, "case_title": title} for v, key, title in votes]
    cases = (await session.scalars(select(Case).where(
        or_(Case.created_by_id == pid, Case.decided_by_id == pid)).order_by(Case.id))).all()
    out["cases_opened_or_decided"] = [{"key": c.key, "title": c.title, "created_by_me": c.created_by_id == pid,
                                       "decided_by_me": c.decided_by_id == pid} for c in cases]
    out["meeting_replies"] = [row_dict(r) for r in (await session.scalars(
        select(Rsvp).where(Rsvp.person_id == pid))).all()]

    feedback_where = [QaFeedback.person_id == pid]
    if person.aad_object_id:
        feedback_where.append(QaFeedback.aad_object_id == person.aad_object_id)
    out["feedback"] = [row_dict(f) for f in (await session.scalars(
        select(QaFeedback).where(or_(*feedback_where)).order_by(QaFeedback.id))).all()]
    out["escalated_questions"] = [row_dict(q) for q in (await session.scalars(
        select(EscalatedQuestion).where(or_(EscalatedQuestion.asker_id == pid,
                                            EscalatedQuestion.answered_by_id == pid))
        .order_by(EscalatedQuestion.id))).all()]
    out["messages_to_me"] = [row_dict(m, skip=("payload",)) for m in (await session.scalars(
        select(OutboxMessage).where(OutboxMessage.person_id == pid).order_by(OutboxMessage.id))).all()]

    audit_where = [AuditEntry.target == f"person:{pid}"]
    if actor := _actor(person):
        audit_where.append(AuditEntry.actor == actor)
    out["audit"] = [row_dict(a) for a in (await session.scalars(
        select(AuditEntry).where(or_(*audit_where)).order_by(AuditEntry.id))).all()]

    out["other"] = {}
    for table, column in _other_person_columns():
        rows = (await session.execute(select(table).where(column == pid))).mappings().all()
        if rows:
            out["other"][table.name] = [{k: _plain(v) for k, v in r.items()} for r in rows]
    return out


def _other_person_columns():
    people_id = Person.__table__.c.id
    for table in Base.metadata.sorted_tables:
        if table.name in _KNOWN:
            continue
        for column in table.columns:
            if any(fk.column is people_id for fk in column.foreign_keys):
                yield table, column


async def _conversations(session: AsyncSession, person: Person) -> list[ConversationRef]:
    where = [ConversationRef.person_id == person.id]
    if person.aad_object_id:
        where.append((ConversationRef.aad_object_id == person.aad_object_id)
                     & (ConversationRef.tenant_id == (person.tenant_id or "")))
    return list((await session.scalars(select(ConversationRef).where(or_(*where)))).all())


_SCRUBBED = "[sletta]"


def _replacements(person: Person, own_words: list[str]) -> list[tuple[str, str]]:
    """(text, what replaces it): the person's free text first (longest first), then their identifiers."""
    pairs = [(w, _SCRUBBED) for w in sorted(set(own_words), key=len, reverse=True) if len(w) >= 4]
    for ident in (person.name, person.email, person.upn, person.aad_object_id):
        if ident and len(ident) >= 4:
            pairs.append((ident, ERASED_NAME if ident == person.name else ""))
    return pairs


def _scrub(value: Any, replacements: list[tuple[str, str]]) -> Any:
    """`value` (JSON-like) with every replacement made in its strings."""
    if isinstance(value, str):
        for old, new in replacements:
            if old in value:
                value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, replacements) for v in value]
    return value


async def forget(session: AsyncSession, network: Network, person: Person, *, actor: str = "cli",
                 named_as: str = "", in_data: bool = False) -> Erasure:
    """Erase `person`; idempotent (an anonymised person is reported as already erased)."""
    result = Erasure(person_id=person.id, still_in_data=in_data)
    if person.anonymised:
        result.already = True
        return result
    pid = person.id
    identifiers = identifier_hash(network.id, named_as, person.key, person.email, person.upn,
                                  person.aad_object_id, str(pid))

    def count(bucket: dict[str, int], name: str, n: int) -> None:
        if n:
            bucket[name] = bucket.get(name, 0) + n

    # What only concerns the person: deleted.
    if person.tenant_id and person.aad_object_id:
        res = await session.execute(delete(UserPreference).where(
            UserPreference.tenant_id == person.tenant_id, UserPreference.aad_object_id == person.aad_object_id))
        count(result.deleted, "user_preferences", res.rowcount or 0)
    for ref in await _conversations(session, person):
        if ref.conversation_type == "personal":
            conv = ref.conversation_id
            await session.delete(ref)
            count(result.deleted, "conversation_refs", 1)
            # the personal conversation id is an identifier too: drop what is keyed by it
            res = await session.execute(delete(ProcessedActivity).where(
                ProcessedActivity.activity_key.startswith(f"{conv}|", autoescape=True)))
            count(result.deleted, "processed_activities", res.rowcount or 0)
            res = await session.execute(delete(PostedCard).where(PostedCard.conversation_id == conv))
            count(result.deleted, "posted_cards", res.rowcount or 0)
            for message in (await session.scalars(select(OutboxMessage).where(
                    OutboxMessage.conversation_id == conv))).all():
                message.conversation_id = None
        else:  # a group chat or channel is not theirs: only their link to it goes
            ref.person_id, ref.aad_object_id = None, None
            user = (ref.reference or {}).get("user") or {}
            if str(user.get("aadObjectId") or "").lower() == (person.aad_object_id or "-"):
                ref.reference = {**ref.reference, "user": None}
    # Their words and name in what was sent or queued to others (an escalated question goes to every
    # secretariat member) and in the audit log's entries: scrubbed below, the rows themselves stay.
    own_words = [q for q in (await session.scalars(select(EscalatedQuestion.question).where(
        EscalatedQuestion.asker_id == pid))).all() if q]
    own_words += [q for q in (await session.scalars(select(QaFeedback.question).where(
        QaFeedback.person_id == pid))).all() if q]
    escalations = [f"qa-escalation:{i}" for i in (await session.scalars(select(EscalatedQuestion.id).where(
        EscalatedQuestion.asker_id == pid))).all()]
    feedback_where = [QaFeedback.person_id == pid]
    if person.aad_object_id:
        feedback_where.append(QaFeedback.aad_object_id == person.aad_object_id)
    res = await session.execute(delete(QaFeedback).where(or_(*feedback_where)))
    count(result.deleted, "qa_feedback", res.rowcount or 0)
    res = await session.execute(delete(EscalatedQuestion).where(EscalatedQuestion.asker_id == pid))
    count(result.deleted, "escalated_questions", res.rowcount or 0)
    res = await session.execute(delete(Rsvp).where(Rsvp.person_id == pid))
    count(result.deleted, "rsvps", res.rowcount or 0)
    for message in (await session.scalars(select(OutboxMessage).where(OutboxMessage.person_id == pid))).all():
        message.payload = {}
        if message.status in ("queued", "sending", "failed"):
            message.status = "cancelled"
        count(result.deleted, "outbox_payloads", 1)
    for posted in (await session.scalars(select(PostedCard).where(PostedCard.person_id == pid))).all():
        posted.person_id, posted.active = None, False

    replacements = _replacements(person, own_words)
    for message in (await session.scalars(select(OutboxMessage).where(or_(
            OutboxMessage.batch.in_(escalations), OutboxMessage.network_id == network.id,
            OutboxMessage.network_id.is_(None))))).all():
        scrubbed = _scrub(message.payload, replacements)
        if scrubbed != message.payload:
            message.payload = scrubbed
            count(result.deleted, "outbox_mentions", 1)
    actor_was = _actor(person)
    for entry in (await session.scalars(select(AuditEntry).where(or_(
            AuditEntry.network_id == network.id, AuditEntry.network_id.is_(None))))).all():
        values = {"actor": f"erased:person:{pid}" if actor_was and entry.actor == actor_was else entry.actor,
                  "target": _scrub(entry.target, replacements), "details": _scrub(entry.details, replacements)}
        if values != {"actor": entry.actor, "target": entry.target, "details": entry.details}:
            # the one change the append-only log allows: erasure of a person's identifiers and words (the act
            # itself, its time and target stay); a Core UPDATE, past the ORM guard that refuses edits
            await session.execute(update(AuditEntry.__table__).where(AuditEntry.__table__.c.id == entry.id)
                                  .values(**values))
            count(result.deleted, "audit_mentions", 1)

    # Official records: kept, now attributed to the anonymised person (the municipality / seat stays).
    count(result.kept, "consultation_answers", len((await session.scalars(
        select(ConsultationResponse.id).where(ConsultationResponse.submitted_by_id == pid))).all()))
    count(result.kept, "votes", len((await session.scalars(select(Vote.id).where(Vote.person_id == pid))).all()))
    count(result.kept, "cases", len((await session.scalars(select(Case.id).where(
        or_(Case.created_by_id == pid, Case.decided_by_id == pid)))).all()))
    count(result.kept, "escalated_questions_answered", len((await session.scalars(
        select(EscalatedQuestion.id).where(EscalatedQuestion.answered_by_id == pid))).all()))
    for table, column in _other_person_columns():
        n = len((await session.execute(select(column).where(column == pid))).all())
        count(result.kept, table.name, n)

    # Seats stay (they belong to the body) but are vacated.
    for seat in (await session.scalars(select(Seat).where(Seat.person_id == pid))).all():
        seat.person_id = None
        count(result.deleted, "seat_holdings", 1)

    person.name, person.email, person.upn, person.title = ERASED_NAME, "", "", ""
    person.tenant_id = person.aad_object_id = None
    person.key = None  # detached from data/: a reload no longer writes the name back into this row
    person.language, person.roles, person.demo, person.anonymised = None, [], False, True
    session.add(AuditEntry(actor=actor, network_id=network.id, action="person.forget", target=f"person:{pid}",
                           details={"identifiers": identifiers, "deleted": result.deleted, "kept": result.kept}))
    await session.flush()
    return result
