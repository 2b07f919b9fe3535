"""Tables for the cooperation routines: planned procurements and the members' answers, joint
procurements, service-innovation projects and their checks, and the portfolio of projects and
expert groups.

Why side tables: the DigIT agreement (§5–7) makes these routines binding, so each step must be
kept (who was asked, who answered what, when) rather than live only in a chat.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.core import Base, utcnow


class PlannedProcurement(Base):
    """A member municipality's planned purchase, change or renegotiation of an ICT system (§6)."""

    __tablename__ = "planned_procurements"
    __table_args__ = (UniqueConstraint("network_id", "key"), UniqueConstraint("token"))
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # "ansk-2026-001"
    token: Mapped[str] = mapped_column(String(64))  # the confirmed draft: one procurement per confirmation
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # purchase | change | renegotiation
    system: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(200), default="")
    contract_end: Mapped[date | None] = mapped_column(Date)
    value_range: Mapped[str] = mapped_column(String(20), default="")  # lt100k | 100k-1m | 1m-5m | gt5m | unknown
    contact: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    # "" while open; joint | council | joint_and_council | no_interest | no_answer
    outcome: Mapped[str] = mapped_column(String(30), default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_reason: Mapped[str] = mapped_column(String(20), default="")  # all_answered | deadline


class ProcurementAnswer(Base):
    """One municipality's current answer (ja | nei | vurderer); changes are in the audit log."""

    __tablename__ = "procurement_answers"
    __table_args__ = (UniqueConstraint("procurement_id", "municipality_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("planned_procurements.id", ondelete="CASCADE"),
                                                index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(20))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[int] = mapped_column(Integer, default=0)


class JointProcurement(Base):
    """The joint procurement the routine records when members want to join (§6, last point)."""

    __tablename__ = "joint_procurements"
    __table_args__ = (UniqueConstraint("procurement_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("planned_procurements.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JointParticipant(Base):
    __tablename__ = "joint_procurement_participants"
    __table_args__ = (UniqueConstraint("joint_id", "municipality_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    joint_id: Mapped[int] = mapped_column(ForeignKey("joint_procurements.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    initiator: Mapped[bool] = mapped_column(Boolean, default=False)


class InnovationProject(Base):
    """A municipality's service-innovation project, to be checked in DigIT (§5)."""

    __tablename__ = "innovation_projects"
    __table_args__ = (UniqueConstraint("network_id", "key"), UniqueConstraint("token"))
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # "prosj-2026-001"
    token: Mapped[str] = mapped_column(String(64))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProjectCheck(Base):
    """One DigIT member's check of a project against ongoing regional work; the latest counts."""

    __tablename__ = "project_checks"
    __table_args__ = (UniqueConstraint("project_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("innovation_projects.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(20))  # fits | overlaps | unclear
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class PortfolioItem(Base):
    """A regional project or an expert group in a network's portfolio.

    Rows come from `data/portfolio/<network>.yaml` (origin "data") and the secretariat may edit
    them in Teams; an edited row (`edited_at` set) is no longer overwritten by a reload.
    """

    __tablename__ = "portfolio_items"
    __table_args__ = (UniqueConstraint("network_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))  # project | expert_group
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="SET NULL"))
    owner_text: Mapped[str] = mapped_column(String(300), default="")  # when the owner is not a municipality
    participants: Mapped[list] = mapped_column(JSON, default=list)  # kommunenummer
    status: Mapped[str] = mapped_column(String(20), default="active")  # planned | active | paused | completed
    budget_nok: Mapped[int | None] = mapped_column(Integer)
    next_milestone: Mapped[str] = mapped_column(String(300), default="")
    next_milestone_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200), default="")
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(20), default="data")  # data | teams
    edited_at: Mapped[datetime | None]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class RoutineSettings(Base):
    """Which routines a network's agreement prescribes, and who carries them out.

    From the `routines:` section of `data/portfolio/<network>.yaml`: a network without a row
    has no procurement routine (DigiVestland's agreement prescribes none, DigIT's does).
    """

    __tablename__ = "routine_settings"
    __table_args__ = (UniqueConstraint("network_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    council_body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    lead_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    check_body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    answer_days: Mapped[int] = mapped_column(Integer, default=14)
    clause_refs: Mapped[list] = mapped_column(JSON, default=list)
