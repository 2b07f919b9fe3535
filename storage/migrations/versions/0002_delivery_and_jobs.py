"""outbox and jobs: durable delivery and scheduled work

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None



def upgrade() -> None:
    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=True),
        sa.Column('batch', sa.String(length=120), nullable=False),
        sa.Column('dedupe_key', sa.String(length=300), nullable=True),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('conversation_id', sa.String(length=300), nullable=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('update_activity_id', sa.String(length=200), nullable=True),
        sa.Column('track_kind', sa.String(length=60), nullable=False),
        sa.Column('track_subject', sa.String(length=200), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('not_before', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=100), nullable=False),
        sa.Column('claimed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('sent_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('activity_id', sa.String(length=200), nullable=False),
        sa.Column('error', sa.String(length=300), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedupe_key'),
    )
    op.create_index(op.f('ix_outbox_batch'), 'outbox', ['batch'], unique=False)
    op.create_index(op.f('ix_outbox_network_id'), 'outbox', ['network_id'], unique=False)
    op.create_index(op.f('ix_outbox_person_id'), 'outbox', ['person_id'], unique=False)
    op.create_index(op.f('ix_outbox_status'), 'outbox', ['status'], unique=False)
    op.create_index(op.f('ix_outbox_not_before'), 'outbox', ['not_before'], unique=False)
    op.create_table(
        'jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=True),
        sa.Column('run_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_by', sa.String(length=100), nullable=False),
        sa.Column('claimed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('error', sa.String(length=300), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index(op.f('ix_jobs_kind'), 'jobs', ['kind'], unique=False)
    op.create_index(op.f('ix_jobs_network_id'), 'jobs', ['network_id'], unique=False)
    op.create_index(op.f('ix_jobs_run_at'), 'jobs', ['run_at'], unique=False)
    op.create_index(op.f('ix_jobs_status'), 'jobs', ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('jobs')
    op.drop_table('outbox')
