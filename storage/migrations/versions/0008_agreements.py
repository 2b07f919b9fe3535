"""agreements: clause comments in a consultation, the adopting case, each municipality's accession

Revision ID: 0008_agreements
Revises: 0007_archive
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0008_agreements"
down_revision: str | None = "0007_archive"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clause_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("clause_key", sa.String(length=64), nullable=False),
        sa.Column("clause_number", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("on_behalf_of_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipalities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["on_behalf_of_id"], ["organisations.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["people.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["response_id"], ["consultation_responses.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "municipality_id", "clause_key", "version"),
    )
    op.create_index(op.f("ix_clause_comments_consultation_id"), "clause_comments", ["consultation_id"])
    op.create_table(
        "agreement_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("adopted_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["agreement_versions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_index(op.f("ix_agreement_cases_network_id"), "agreement_cases", ["network_id"])
    op.create_index(op.f("ix_agreement_cases_version_id"), "agreement_cases", ["version_id"])
    op.create_table(
        "accessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("body", sa.String(length=100), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("funding", sa.Text(), nullable=False),
        sa.Column("reservations", sa.Text(), nullable=False),
        sa.Column("protocol_url", sa.String(length=500), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["agreement_versions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipalities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registered_by_id"], ["people.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "municipality_id", "version"),
    )
    op.create_index(op.f("ix_accessions_network_id"), "accessions", ["network_id"])
    op.create_index(op.f("ix_accessions_version_id"), "accessions", ["version_id"])


def downgrade() -> None:
    op.drop_table("accessions")
    op.drop_table("agreement_cases")
    op.drop_table("clause_comments")
