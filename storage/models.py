"""SQLAlchemy 2 models: the one schema shared by SQLite and PostgreSQL.

Rows loaded from `data/` carry a stable `key` so that reloading a file updates
them in place (ids stay the same); rows created at run time (conversation
references, audit entries, answers) never come from files and are never touched
by the loader.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always hands back aware UTC datetimes.

    SQLite drops the offset; without this, comparisons between loaded and fresh
    values fail with naive/aware errors on one backend but not the other.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict: JSON, list: JSON}


# --- networks and their members -------------------------------------------------------------


class Network(Base):
    __tablename__ = "networks"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5))
    region: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    tenant_ids: Mapped[list] = mapped_column(JSON, default=list)
    email_domains: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(200), default="")

    municipalities: Mapped[list[Municipality]] = relationship(back_populates="network")
    bodies: Mapped[list[Body]] = relationship(back_populates="network")


class Municipality(Base):
    __tablename__ = "municipalities"
    __table_args__ = (UniqueConstraint("network_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(4))  # kommunenummer, e.g. "4601"
    name: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100), default="")
    population: Mapped[int | None] = mapped_column(Integer)
    population_year: Mapped[int | None] = mapped_column(Integer)
    population_source: Mapped[str] = mapped_column(String(200), default="")
    email_domains: Mapped[list] = mapped_column(JSON, default=list)
    member: Mapped[bool] = mapped_column(Boolean, default=True)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)

    network: Mapped[Network] = relationship(back_populates="municipalities")


class Organisation(Base):
    """A body outside the municipalities: KS, Statsforvaltaren, a regional IKS, SYSIKT."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("network_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))  # regional_body | national | state | county
    # kommunenummer of the municipalities this organisation may answer for jointly
    covers: Mapped[list] = mapped_column(JSON, default=list)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)


class Person(Base):
    """A person known to a network. Identified in Teams by tenant id + AAD object id only."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("network_id", "key"),
        UniqueConstraint("tenant_id", "aad_object_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str | None] = mapped_column(String(64))  # set for people from data/
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), default="", index=True)
    upn: Mapped[str] = mapped_column(String(320), default="", index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    aad_object_id: Mapped[str | None] = mapped_column(String(64))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    roles: Mapped[list] = mapped_column(JSON, default=list)  # director, mayor, secretariat, ...
    language: Mapped[str | None] = mapped_column(String(5))
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)

    municipality: Mapped[Municipality | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    seats: Mapped[list[Seat]] = relationship(back_populates="person")


class Body(Base):
    __tablename__ = "bodies"
    __table_args__ = (UniqueConstraint("network_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    # steering_group | secretariat | resource_group | expert_group | council | working_group
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    clause_keys: Mapped[list] = mapped_column(JSON, default=list)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)

    network: Mapped[Network] = relationship(back_populates="bodies")
    seats: Mapped[list[Seat]] = relationship(back_populates="body", cascade="all, delete-orphan")


class Seat(Base):
    """A place on a body, as the agreement defines it, and who holds it."""

    __tablename__ = "seats"
    __table_args__ = (UniqueConstraint("body_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))  # chair | voting_member | observer | member | lead
    represents: Mapped[str] = mapped_column(String(300), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)

    body: Mapped[Body] = relationship(back_populates="seats")
    person: Mapped[Person | None] = relationship(back_populates="seats")


# --- agreements, clauses and facts ---------------------------------------------------------


class Agreement(Base):
    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("network_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))

    versions: Mapped[list[AgreementVersion]] = relationship(back_populates="agreement")


class AgreementVersion(Base):
    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # draft | in_force | expired
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(5))
    source: Mapped[str] = mapped_column(String(200), default="")

    agreement: Mapped[Agreement] = relationship(back_populates="versions")
    clauses: Mapped[list[Clause]] = relationship(back_populates="version", order_by="Clause.position")


class Clause(Base):
    __tablename__ = "clauses"
    __table_args__ = (UniqueConstraint("version_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(20), default="")
    heading: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5))
    position: Mapped[int] = mapped_column(Integer, default=0)

    version: Mapped[AgreementVersion] = relationship(back_populates="clauses")


class Fact(Base):
    """A structured statement about a network, resting on one or more clauses.

    `value` holds the machine-readable part (a date, a rate, a person key);
    `answer` the sentence per language; `questions` alternative phrasings per
    language that the Q&A matcher indexes.
    """

    __tablename__ = "facts"
    __table_args__ = (UniqueConstraint("network_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    topic: Mapped[str] = mapped_column(String(80), default="")
    kind: Mapped[str] = mapped_column(String(40), default="statement")
    value: Mapped[dict] = mapped_column(JSON, default=dict)
    answer: Mapped[dict] = mapped_column(JSON, default=dict)  # {"nn": "...", "nb": "...", "en": "..."}
    questions: Mapped[dict] = mapped_column(JSON, default=dict)  # {"nn": [...], ...}
    clause_refs: Mapped[list] = mapped_column(JSON, default=list)  # ["<agreement>/<version>/<clause>"]
    source: Mapped[str] = mapped_column(String(200), default="")
    origin: Mapped[str] = mapped_column(String(20), default="data")  # data | learned
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- meetings, deadlines and consultations --------------------------------------------------


class Event(Base):
    """A meeting or a deadline."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("network_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))  # meeting | deadline
    title: Mapped[str] = mapped_column(String(300))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    audience: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    organiser: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="scheduled")  # scheduled | cancelled
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)


class Consultation(Base):
    __tablename__ = "consultations"
    __table_args__ = (UniqueConstraint("network_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    agreement_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement_versions.id", ondelete="SET NULL")
    )
    sent_at: Mapped[datetime | None]
    deadline: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="open")  # draft | open | closed
    questions: Mapped[list] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    contact: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(200), default="")


class ConsultationResponse(Base):
    """One version of one municipality's answer. Append-only: the latest version counts."""

    __tablename__ = "consultation_responses"
    __table_args__ = (UniqueConstraint("consultation_id", "municipality_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(20))  # individual | joint | no_input
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    own_council_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(40), default="teams")  # teams | data | cli
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)


# --- Teams plumbing, Q&A, audit ------------------------------------------------------------


class ConversationRef(Base):
    """What proactive messages need: captured at install or first message."""

    __tablename__ = "conversation_refs"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(300), unique=True)
    conversation_type: Mapped[str] = mapped_column(String(20), default="personal")
    tenant_id: Mapped[str] = mapped_column(String(64), default="")
    aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="SET NULL"))
    service_url: Mapped[str] = mapped_column(String(500))
    channel_id: Mapped[str] = mapped_column(String(40), default="msteams")
    bot_id: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[dict] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UserPreference(Base):
    """Per-user settings for anyone, known person or not (language)."""

    __tablename__ = "user_preferences"
    __table_args__ = (UniqueConstraint("tenant_id", "aad_object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    aad_object_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QaFeedback(Base):
    __tablename__ = "qa_feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    tenant_id: Mapped[str] = mapped_column(String(64), default="")
    aad_object_id: Mapped[str] = mapped_column(String(64), default="")
    question: Mapped[str] = mapped_column(Text)
    fact_key: Mapped[str] = mapped_column(String(80), default="")
    useful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EscalatedQuestion(Base):
    """A question the bot could not answer, sent to the network's secretariat."""

    __tablename__ = "escalated_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    asker_conversation_id: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(5))
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | answered
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    saved_fact_key: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Append-only record of who did what. Updates and deletes are refused."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(200), default="system")  # "tenant/aad" or "system"/"cli"
    action: Mapped[str] = mapped_column(String(80))
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    correlation_id: Mapped[str] = mapped_column(String(64), default="")


class ProcessedActivity(Base):
    """Activity ids already handled, so a redelivered activity changes nothing twice."""

    __tablename__ = "processed_activities"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_key: Mapped[str] = mapped_column(String(400), unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Case(Base):
    """A case (sak) for a body: a proposal the seat holders vote on, through cards."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("network_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))  # e.g. "sak-2026-004"
    title: Mapped[str] = mapped_column(String(300))
    background: Mapped[str] = mapped_column(Text, default="")
    proposal: Mapped[str] = mapped_column(Text)  # forslag til vedtak
    # [{"key": "einig", "label": {"nn": …, "nb": …, "en": …}, "needs_reason": bool, "blocks_consensus": bool}]
    options: Mapped[list] = mapped_column(JSON, default=list)
    deadline: Mapped[datetime]
    visibility: Mapped[str] = mapped_column(String(20), default="after_vote")  # at_once | after_vote | after_close
    close_when_all_voted: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    # adopted | not_adopted | awaiting_chair | decided_by_chair
    outcome: Mapped[str] = mapped_column(String(20), default="")
    outcome_text: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_reason: Mapped[str] = mapped_column(String(20), default="")  # deadline | all_voted | chair
    revision: Mapped[int] = mapped_column(Integer, default=1)


class Vote(Base):
    """One version of one voting member's vote; the newest version is the current one."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("case_id", "person_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("seats.id", ondelete="SET NULL"))
    option: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rsvp(Base):
    """A person's answer to a meeting invitation (kjem / kjem ikkje / kanskje); the latest counts."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    response: Mapped[str] = mapped_column(String(20))  # yes | no | maybe
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostedCard(Base):
    """A card the bot posted that must be kept current (status, a case's turnout, a report).

    `kind` names the renderer that rebuilds it and `subject` what it shows (a
    consultation key, a case id); the bot edits every posted copy after a change.
    """

    __tablename__ = "posted_cards"
    __table_args__ = (UniqueConstraint("conversation_id", "activity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    conversation_id: Mapped[str] = mapped_column(String(300))
    activity_id: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="nb")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- delivery and scheduled work --------------------------------------------------------------


class OutboxMessage(Base):
    """One proactive message to one recipient, kept until it is sent or known undeliverable.

    Every message the bot sends outside the current turn (notices, consultation and
    case cards, invitations, reminders, answers from the secretariat) is a row here;
    the delivery worker sends it within Teams' limits and records what happened.
    `batch` groups the rows of one notice or one distribution for its report;
    `dedupe_key` makes queuing the same logical message twice a no-op.
    """

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    batch: Mapped[str] = mapped_column(String(120), default="", index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(300))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # {"text", "card", "summary"}
    update_activity_id: Mapped[str | None] = mapped_column(String(200))  # edit this message instead
    track_kind: Mapped[str] = mapped_column(String(60), default="")
    track_subject: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(5), default="nb")
    # queued | sending | sent | failed | unreachable | cancelled
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    activity_id: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    """A piece of work due at a time (a reminder, closing a case at its deadline).

    `key` is unique so that scheduling the same thing twice keeps one job; the
    scheduler claims due jobs so that each runs once even with several instances.
    """

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    run_at: Mapped[datetime] = mapped_column(index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending|running|done|failed|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def _refuse_change(mapper, connection, target) -> None:  # noqa: ARG001
    raise PermissionError("the audit log is append-only")


event.listen(AuditEntry, "before_update", _refuse_change)
event.listen(AuditEntry, "before_delete", _refuse_change)


def _load_feature_models() -> None:
    """Import `storage/models_*.py` so that a capability's own tables join `Base.metadata`."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if info.name.startswith("models_"):
            importlib.import_module(f"storage.{info.name}")


_load_feature_models()
