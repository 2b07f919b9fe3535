"""notices and their acknowledgements

Revision ID: 0003_notices
Revises: 0002
Create Date: 2026-11-23 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = '0003_notices'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('acknowledge', sa.Boolean(), nullable=False),
        sa.Column('audience', sa.String(length=300), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('scheduled_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('sent_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['people.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_notices_network_id'), 'notices', ['network_id'], unique=False)
    op.create_index(op.f('ix_notices_status'), 'notices', ['status'], unique=False)
    op.create_table(
        'notice_acks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('notice_id', 'person_id'),
    )
    op.create_index(op.f('ix_notice_acks_notice_id'), 'notice_acks', ['notice_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_notice_acks_notice_id'), table_name='notice_acks')
    op.drop_table('notice_acks')
    op.drop_index(op.f('ix_notices_status'), table_name='notices')
    op.drop_index(op.f('ix_notices_network_id'), table_name='notices')
    op.drop_table('notices')
