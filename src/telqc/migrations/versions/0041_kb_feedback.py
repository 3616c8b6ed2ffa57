"""knowledge search feedback: suggestions adopted or rejected in the agent's panel

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 09:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kb_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_kb_feedback_article_id'), 'kb_feedback', ['article_id'], unique=False)
    op.create_index(op.f('ix_kb_feedback_order_id'), 'kb_feedback', ['order_id'], unique=False)
    op.create_index(op.f('ix_kb_feedback_at'), 'kb_feedback', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_kb_feedback_at'), table_name='kb_feedback')
    op.drop_index(op.f('ix_kb_feedback_order_id'), table_name='kb_feedback')
    op.drop_index(op.f('ix_kb_feedback_article_id'), table_name='kb_feedback')
    op.drop_table('kb_feedback')
