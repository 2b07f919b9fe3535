"""Votes' own table: which team channel a body's case cards also go to.

A side table (not a column on `bodies`) so that the shared schema stays as it is and
the loader, which owns `bodies`, never overwrites a choice made in Teams.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, utcnow


class BodyChannel(Base):
    """The team channel where a body's cases are posted too (set by the secretariat in that channel)."""

    __tablename__ = "body_channels"
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(300))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


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
