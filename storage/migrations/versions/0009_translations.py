"""translations: working translations of clause, body and event texts (data/translations/), for matching

Revision ID: 0009_translations
Revises: 0008_agreements
Create Date: 2026-12-03 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_translations"
down_revision: str | None = "0008_agreements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("clauses", "bodies", "events")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("translations", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("translations")
