"""Tables of the meetings capability, beside the shared `events` and `rsvps`.

Why side tables: an announced meeting needs what a loaded event does not (agenda,
a resolvable audience, its reminder days, who announced it), a text the
secretariat typed is kept as a draft until they confirm what the bot understood,
and the .ics links need a signing secret shared by every instance.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, utcnow


class MeetingDraft(Base):
    """What the bot understood from an announcement, waiting for the secretariat's confirmation."""

    __tablename__ = "meeting_drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # new | change: a change carries the event id in `data`
    purpose: Mapped[str] = mapped_column(String(20), default="new")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | confirmed | discarded | superseded
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventDetail(Base):
    """Agenda, audience and reminder days of an event announced through the bot."""

    __tablename__ = "event_details"
    __table_args__ = (UniqueConstraint("event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    agenda: Mapped[list] = mapped_column(JSON, default=list)
    # {"kind": "body", "body": "styringsgruppa"} | {"kind": "directors"} | {"kind": "all"} | {"kind": "secretariat"}
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    remind_days: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppSecret(Base):
    """A random secret made once per database (the .ics signing key when none is configured)."""

    __tablename__ = "app_secrets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    value: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)


class Rsvp(Base):
    """A person's answer to a meeting invitation (kjem / kjem ikkje / kanskje); the latest counts."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    response: Mapped[str] = mapped_column(String(20))  # yes | no | maybe
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
