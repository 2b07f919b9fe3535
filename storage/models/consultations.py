"""Consultations' own settings beside the shared tables (the consultations themselves are in core)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, utcnow


class ConsultationReminderSetting(Base):
    """Days before the deadline a consultation's reminders go out, when not the default (7 and 1)."""

    __tablename__ = "consultation_reminder_settings"
    __table_args__ = (UniqueConstraint("consultation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    days: Mapped[list] = mapped_column(JSON, default=list)


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
