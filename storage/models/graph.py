"""What must be brought into Microsoft Graph: the calendar event of each announced meeting.

Why a table and not a call from the dialog: the meeting is stored in one
transaction, and the calendar must follow it even if Graph is slow, refuses for a
while or the bot restarts. So the dialog records "this event needs a sync" in the
same transaction (storage/calendar_sync.py), and a worker (bot/workers/calendar.py)
brings the calendar in line. One row per event: `version` counts the requests,
`synced_version` what the calendar has, so a change made while a sync is under
way is never lost.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, utcnow


class CalendarSync(Base):
    __tablename__ = "calendar_sync"
    __table_args__ = (Index("ix_calendar_sync_due", "state", "not_before"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # the last request: create | update | cancel
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending | syncing | done | failed | skipped
    graph_event_id: Mapped[str] = mapped_column(String(500), default="")
    organizer: Mapped[str] = mapped_column(String(320), default="")  # the mailbox that holds the event
    # the Teams join link Graph made for the event (an online meeting): shown on the invitation
    join_url: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    synced_version: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
