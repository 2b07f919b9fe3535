"""The outbox the delivery engine works."""

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


class DeliveryBudget(Base):
    """Who shares Teams' per-app-per-tenant request budget right now (bot/delivery/budget.py): one row
    per budget (bot registration + tenant) and instance sending for it, kept alive by a heartbeat.
    Each instance takes an equal share of the cap; a newcomer starts only after the others have had
    time to shrink to theirs, and a share is held for a moment after its instance stopped sending."""

    __tablename__ = "delivery_budget"
    __table_args__ = (UniqueConstraint("budget_key", "instance"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    budget_key: Mapped[str] = mapped_column(String(200))  # "<app id>|<tenant id>"
    instance: Mapped[str] = mapped_column(String(100))
    joined_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime] = mapped_column(index=True)
    idle_since: Mapped[datetime | None]
