"""Votes' own table: which team channel a body's case cards also go to.

A side table (not a column on `bodies`) so that the shared schema stays as it is and
the loader, which owns `bodies`, never overwrites a choice made in Teams.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class BodyChannel(Base):
    """The team channel where a body's cases are posted too (set by the secretariat in that channel)."""

    __tablename__ = "body_channels"
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(300))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
