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
    false,
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
    # the municipality's written standard (målvedtak): nn | nb | neutral; empty = not known (the network's)
    written_standard: Mapped[str] = mapped_column(String(10), default="")
    # true when the source documents do not say it (demo data), false when they do
    written_standard_illustrative: Mapped[bool] = mapped_column(Boolean, default=True)
    written_standard_source: Mapped[str] = mapped_column(String(300), default="")

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
    # removed from data/ while votes, answers or acknowledgements name them: kept for the record, no roles,
    # not recognised in Teams (storage/loader.py)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

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
    # {"name": {"en": …}, "description": {"en": …}} from data/translations/ (matching only)
    translations: Mapped[dict] = mapped_column(JSON, default=dict)

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
    # {"heading": {"en": …}, "text": {"en": …}} from data/translations/: the original is the text of record
    translations: Mapped[dict] = mapped_column(JSON, default=dict)

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
    # {"title": {"en": …}, "description": {"en": …}} from data/translations/ (matching only)
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="scheduled")  # scheduled | cancelled
    sequence: Mapped[int] = mapped_column(Integer, default=0)
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
    # the bot registration (Microsoft App ID) the conversation came in on; "" without authentication
    app_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
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


def _refuse_change(mapper, connection, target) -> None:  # noqa: ARG001
    raise PermissionError("the audit log is append-only")


event.listen(AuditEntry, "before_update", _refuse_change)
event.listen(AuditEntry, "before_delete", _refuse_change)
