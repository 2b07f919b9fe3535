"""Agreements' own tables beside the shared agreement/version/clause tables in core:
comments on the clauses of a draft in a consultation, the steering-group case that adopts a
version, and each member municipality's council decision to join (tiltreding).

All three are append-only by version (the newest version of a row counts), like consultation
responses: nothing a municipality registered is ever overwritten.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, utcnow


class ClauseComment(Base):
    """One version of one municipality's comment on one clause of the draft a consultation is about.

    A regional body commenting for its members stores one row per covered municipality (like a
    joint consultation answer) with `on_behalf_of_id` set. `response_id` is the municipality's
    consultation response version current when the comment was made (None before any answer).
    An empty text withdraws the comment."""

    __tablename__ = "clause_comments"
    __table_args__ = (UniqueConstraint("consultation_id", "municipality_id", "clause_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    clause_key: Mapped[str] = mapped_column(String(64))
    clause_number: Mapped[str] = mapped_column(String(20), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text, default="")
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    response_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_responses.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(20), default="teams")


class AgreementCase(Base):
    """The steering-group case opened from a closed consultation to adopt a draft version."""

    __tablename__ = "agreement_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    effective_from: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")  # the input summary (Markdown) attached to the case
    adopted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Accession(Base):
    """One version of one municipality's council decision on joining an adopted agreement version.

    status: joined | joined_with_reservations | declined (a decision) or planned (a meeting date
    ahead, `planned_date`)."""

    __tablename__ = "accessions"
    __table_args__ = (UniqueConstraint("version_id", "municipality_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(String(100), default="")  # kommunestyre, formannskap, bystyre, …
    meeting_date: Mapped[date | None] = mapped_column(Date)
    case_number: Mapped[str] = mapped_column(String(40), default="")
    effective_from: Mapped[date | None] = mapped_column(Date)
    funding: Mapped[str] = mapped_column(Text, default="")
    reservations: Mapped[str] = mapped_column(Text, default="")
    protocol_url: Mapped[str] = mapped_column(String(500), default="")
    planned_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(20), default="teams")  # teams | data | cli
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
