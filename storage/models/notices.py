"""Notices: a message from the secretariat to an audience, with a per-recipient delivery report.

Delivery itself is the outbox (one row per recipient, batch "notice:<id>"); these
tables hold what the notice is and who acknowledged it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, utcnow


class Notice(Base):
    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list] = mapped_column(JSON, default=list)  # [{"title", "url"}], at most three
    acknowledge: Mapped[bool] = mapped_column(Boolean, default=False)
    audience: Mapped[str] = mapped_column(String(300))  # e.g. "body:styringsgruppe", "role:director"
    language: Mapped[str] = mapped_column(String(5), default="nb")
    # draft | scheduled | sending | sent | cancelled
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    scheduled_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticeAck(Base):
    """'Stadfest at du har lese': one row per person and notice; pressing twice changes nothing."""

    __tablename__ = "notice_acks"
    __table_args__ = (UniqueConstraint("notice_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
