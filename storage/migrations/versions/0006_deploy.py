"""deploy: the bot registration each conversation came in on (several registrations, one service),
and the delivery budget several instances share (per registration and tenant)

Revision ID: 0006_deploy
Revises: 0005_sec
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0006_deploy"
down_revision: str | None = "0005_sec"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation_refs") as batch:
        batch.add_column(sa.Column("app_id", sa.String(length=64), nullable=False, server_default=""))
    op.create_table(
        "delivery_budget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_key", sa.String(length=200), nullable=False),
        sa.Column("instance", sa.String(length=100), nullable=False),
        sa.Column("joined_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("idle_since", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("budget_key", "instance"),
    )
    op.create_index(op.f("ix_delivery_budget_heartbeat_at"), "delivery_budget", ["heartbeat_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_budget_heartbeat_at"), table_name="delivery_budget")
    op.drop_table("delivery_budget")
    with op.batch_alter_table("conversation_refs") as batch:
        batch.drop_column("app_id")
