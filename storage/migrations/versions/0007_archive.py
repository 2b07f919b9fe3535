"""archive: public-access marks of exported records; each municipality's written standard

Revision ID: 0007_archive
Revises: 0006_deploy
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0007_archive"
down_revision: str | None = "0006_deploy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "archive_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("access", sa.String(length=20), nullable=False),
        sa.Column("legal_basis", sa.String(length=200), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("network_id", "kind", "subject_id"),
    )
    op.create_index(op.f("ix_archive_marks_network_id"), "archive_marks", ["network_id"], unique=False)
    with op.batch_alter_table("municipalities") as batch:
        batch.add_column(sa.Column("written_standard", sa.String(length=10), nullable=False, server_default=""))
        batch.add_column(sa.Column("written_standard_illustrative", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("written_standard_source", sa.String(length=300), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("municipalities") as batch:
        batch.drop_column("written_standard_source")
        batch.drop_column("written_standard_illustrative")
        batch.drop_column("written_standard")
    op.drop_index(op.f("ix_archive_marks_network_id"), table_name="archive_marks")
    op.drop_table("archive_marks")
