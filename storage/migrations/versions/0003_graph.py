"""graph: calendar events to bring into Microsoft Graph

Revision ID: 0003_graph
Revises: 0002
Create Date: 2026-11-23 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = '0003_graph'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'calendar_sync',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('graph_event_id', sa.String(length=500), nullable=False),
        sa.Column('organizer', sa.String(length=320), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('synced_version', sa.Integer(), nullable=False),
        sa.Column('not_before', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=100), nullable=False),
        sa.Column('claimed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('error', sa.String(length=300), nullable=False),
        sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id'),
    )
    op.create_index('ix_calendar_sync_due', 'calendar_sync', ['state', 'not_before'], unique=False)
    op.create_index(op.f('ix_calendar_sync_network_id'), 'calendar_sync', ['network_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_calendar_sync_network_id'), table_name='calendar_sync')
    op.drop_index('ix_calendar_sync_due', table_name='calendar_sync')
    op.drop_table('calendar_sync')
