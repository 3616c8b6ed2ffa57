"""quality inspection: stores (营业厅) and their scored visits (现场检查 / 暗访)

Revision ID: 0025
Revises: 0020
Create Date: 2026-12-07 02:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('qa_stores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('city_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_stores')),
    sa.UniqueConstraint('name', name=op.f('uq_qa_stores_name'))
    )
    with op.batch_alter_table('qa_stores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_stores_province_code'), ['province_code'], unique=False)
    op.create_table('qa_store_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('visitor_id', sa.Integer(), nullable=False),
    sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('card', sa.String(length=20), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('fatal', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind in ('store_inspection','mystery_shopper')", name=op.f('ck_qa_store_visits_kind')),
    sa.CheckConstraint('total >= 0 and total <= 100', name=op.f('ck_qa_store_visits_total')),
    sa.ForeignKeyConstraint(['store_id'], ['qa_stores.id'], name=op.f('fk_qa_store_visits_store_id_qa_stores'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['visitor_id'], ['users.id'], name=op.f('fk_qa_store_visits_visitor_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_store_visits'))
    )
    with op.batch_alter_table('qa_store_visits', schema=None) as batch_op:
        batch_op.create_index('ix_qa_store_visits_store_at', ['store_id', 'visited_at'], unique=False)


def downgrade() -> None:
    op.drop_table('qa_store_visits')
    op.drop_table('qa_stores')
