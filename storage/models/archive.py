"""Archive export: the public-access mark (offentleg / unnateke) the secretariat set on a record.

A side table, not columns on consultations, cases and notices, so the capabilities' own tables stay
as they are and the loader never overwrites a mark set by the secretariat.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, utcnow


class ArchiveMark(Base):
    """The public-access mark of one exported record: `offentleg`, or `unnateke` with its legal basis."""

    __tablename__ = "archive_marks"
    __table_args__ = (UniqueConstraint("network_id", "kind", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # consultation | case | notice
    subject_id: Mapped[int] = mapped_column(Integer)
    access: Mapped[str] = mapped_column(String(20), default="offentleg")  # offentleg | unnateke
    legal_basis: Mapped[str] = mapped_column(String(200), default="")  # skjermingshjemmel, e.g. "Offl. § 14"
    set_by: Mapped[str] = mapped_column(String(200), default="")
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
