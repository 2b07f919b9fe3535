"""merge: the five 0003 branches (graph, meetings, notices, routines, votes) into one line

Revision ID: 0004
Revises: 0003_graph, 0003_meetings, 0003_notices, 0003_routines, 0003_votes
Create Date: 2026-12-03 15:45:00

From here on the chain is linear: every new revision names the one before it, so
`alembic upgrade head` works and `alembic heads` prints one.
"""

from collections.abc import Sequence

revision: str = "0004"
down_revision: tuple[str, ...] = ("0003_graph", "0003_meetings", "0003_notices", "0003_routines", "0003_votes")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
