"""customer phones: a blind index of the last four digits, so agents can search by 尾号

Revision ID: 0006
Revises: 0001
Create Date: 2026-12-06 19:10:00

Existing rows are backfilled here (decrypt, hash the tail under the newest index key) before the column
becomes NOT NULL; `telqc pii-rotate` rewrites them later under a new index key like every blind index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from telqc.core import pii

revision = '0006'
down_revision = '0001'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table('customer_phones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tail_index', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    phones = sa.table('customer_phones', sa.column('id', sa.Integer), sa.column('phone', sa.Text),
                      sa.column('tail_index', sa.String))
    after = 0
    while True:
        rows = bind.execute(sa.select(phones.c.id, phones.c.phone).where(phones.c.id > after)
                            .order_by(phones.c.id).limit(BATCH)).all()
        if not rows:
            break
        bind.execute(sa.update(phones).where(phones.c.id == sa.bindparam('pk'))
                     .values(tail_index=sa.bindparam('tail')),
                     [{'pk': pk, 'tail': pii.phone_tail_index(pii.decrypt(stored))} for pk, stored in rows])
        after = rows[-1][0]
    with op.batch_alter_table('customer_phones', schema=None) as batch_op:
        batch_op.alter_column('tail_index', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_customer_phones_tail_index'), ['tail_index'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('customer_phones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_phones_tail_index'))
        batch_op.drop_column('tail_index')
