"""incidents: escalations, the grade's "who is told" of a confirmed incident (one internal message per user)

Revision ID: 0071
Revises: 0070
Create Date: 2026-12-07 17:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0071'
down_revision = '0070'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incident_escalations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('incident_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_escalations_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_incident_escalations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_escalations')),
    sa.UniqueConstraint('key', name=op.f('uq_incident_escalations_key'))
    )
    with op.batch_alter_table('incident_escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_escalations_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_incident_escalations_unsent', ['sent_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incident_escalations', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_escalations_unsent')
        batch_op.drop_index(batch_op.f('ix_incident_escalations_incident_id'))
    op.drop_table('incident_escalations')
