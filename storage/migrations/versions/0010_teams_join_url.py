"""teams: the Teams join link Graph returns for a meeting made an online meeting

Revision ID: 0010_teams_join_url
Revises: 0009_translations
Create Date: 2026-12-03 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_teams_join_url"
down_revision: str | None = "0009_translations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_sync") as batch:
        batch.add_column(sa.Column("join_url", sa.String(length=1000), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("calendar_sync") as batch:
        batch.drop_column("join_url")
