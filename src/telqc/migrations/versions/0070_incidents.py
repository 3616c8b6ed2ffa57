"""incidents: network incidents, severity scale and detection rules, planned works, samples, reviews

Revision ID: 0070
Revises: 0002
Create Date: 2026-12-04 22:24:45.975417
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0070'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incident_detection_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('area_type', sa.String(length=8), nullable=True),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('window_min', sa.Integer(), nullable=False),
    sa.Column('confirm_threshold', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('threshold > 0 and window_min > 0 and confirm_threshold >= threshold', name=op.f('ck_incident_detection_rules_values')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_detection_rules')),
    sa.UniqueConstraint('category', 'area_type', name='scope')
    )
    op.create_table('incident_detectors',
    sa.Column('district_code', sa.String(length=12), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('district_code', 'category', name=op.f('pk_incident_detectors'))
    )
    op.create_table('incident_network_samples',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('district_code', sa.String(length=12), nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.CheckConstraint("metric in ('utilisation','latency_ms','packet_loss','call_drop','availability')", name=op.f('ck_incident_network_samples_metric')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_network_samples')),
    sa.UniqueConstraint('district_code', 'metric', 'at', name='reading')
    )
    op.create_table('incident_severity_levels',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('name_en', sa.String(length=40), nullable=False),
    sa.Column('response_min', sa.Integer(), nullable=False),
    sa.Column('update_min', sa.Integer(), nullable=False),
    sa.Column('notify_roles', sa.JSON(), nullable=False),
    sa.Column('joint_test_required', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('response_min > 0 and update_min > 0', name=op.f('ck_incident_severity_levels_intervals')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_incident_severity_levels'))
    )
    op.create_table('incident_signals',
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('city_code', sa.String(length=12), nullable=True),
    sa.Column('district_code', sa.String(length=12), nullable=False),
    sa.Column('area_type', sa.String(length=8), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_incident_signals'))
    )
    with op.batch_alter_table('incident_signals', schema=None) as batch_op:
        batch_op.create_index('ix_incident_signals_window', ['district_code', 'category', 'at'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('open_key', sa.String(length=80), nullable=True),
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('city_code', sa.String(length=12), nullable=True),
    sa.Column('district_code', sa.String(length=12), nullable=True),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('cause', sa.Text(), nullable=True),
    sa.Column('prepared_answer', sa.Text(), nullable=True),
    sa.Column('estimated_restore_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('restored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_update_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('joint_test', sa.Text(), nullable=True),
    sa.Column('joint_test_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('linked_count', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind in ('storm','network','manual')", name=op.f('ck_incidents_kind')),
    sa.CheckConstraint("status in ('suspected','confirmed','restoring','restored','verified','reviewed','archived','dismissed')", name=op.f('ck_incidents_status')),
    sa.ForeignKeyConstraint(['severity'], ['incident_severity_levels.code'], name=op.f('fk_incidents_severity_incident_severity_levels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    sa.UniqueConstraint('open_key', name=op.f('uq_incidents_open_key'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_province_status', ['province_code', 'status'], unique=False)

    op.create_table('incident_network_alarms',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('district_code', sa.String(length=12), nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('incident_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_network_alarms_incident_id_incidents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_network_alarms')),
    sa.UniqueConstraint('district_code', 'metric', 'at', 'kind', name='alarm')
    )
    op.create_table('incident_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('incident_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('from_value', sa.String(length=60), nullable=True),
    sa.Column('to_value', sa.String(length=60), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_incident_history_actor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_history_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_history'))
    )
    with op.batch_alter_table('incident_history', schema=None) as batch_op:
        batch_op.create_index('ix_incident_history_incident', ['incident_id', 'id'], unique=False)

    op.create_table('incident_planned_works',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('city_code', sa.String(length=12), nullable=True),
    sa.Column('district_code', sa.String(length=12), nullable=True),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('notice_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('linked_count', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status in ('scheduled','cancelled','done')", name=op.f('ck_incident_planned_works_status')),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_incident_planned_works_window')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_incident_planned_works_created_by_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_planned_works'))
    )
    with op.batch_alter_table('incident_planned_works', schema=None) as batch_op:
        batch_op.create_index('ix_incident_planned_works_window', ['province_code', 'end_at'], unique=False)

    op.create_table('incident_reviews',
    sa.Column('incident_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('timeline', sa.Text(), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('impact', sa.JSON(), nullable=False),
    sa.Column('actions', sa.Text(), nullable=False),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.Column('improvement', sa.Text(), nullable=True),
    sa.Column('improvement_plan_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_incident_reviews_created_by_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_reviews_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', name=op.f('pk_incident_reviews'))
    )
    op.create_table('incident_links',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('incident_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('planned_work_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('how', sa.String(length=10), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("how in ('detected','auto','manual')", name=op.f('ck_incident_links_how')),
    sa.CheckConstraint('(incident_id is null) <> (planned_work_id is null)', name=op.f('ck_incident_links_target')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_links_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['planned_work_id'], ['incident_planned_works.id'], name=op.f('fk_incident_links_planned_work_id_incident_planned_works'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_links')),
    sa.UniqueConstraint('order_id', name=op.f('uq_incident_links_order_id'))
    )
    with op.batch_alter_table('incident_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_links_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_incident_links_incident', ['incident_id', 'resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_links_planned_work_id'), ['planned_work_id'], unique=False)

    op.create_table('incident_notices',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('incident_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('planned_work_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_notices_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['planned_work_id'], ['incident_planned_works.id'], name=op.f('fk_incident_notices_planned_work_id_incident_planned_works'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_notices')),
    sa.UniqueConstraint('key', name=op.f('uq_incident_notices_key'))
    )
    with op.batch_alter_table('incident_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_notices_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_notices_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_incident_notices_unsent', ['sent_at', 'id'], unique=False)




def downgrade() -> None:
    with op.batch_alter_table('incident_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_notices_unsent')
        batch_op.drop_index(batch_op.f('ix_incident_notices_incident_id'))
        batch_op.drop_index(batch_op.f('ix_incident_notices_customer_id'))

    op.drop_table('incident_notices')
    with op.batch_alter_table('incident_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_links_planned_work_id'))
        batch_op.drop_index('ix_incident_links_incident')
        batch_op.drop_index(batch_op.f('ix_incident_links_customer_id'))

    op.drop_table('incident_links')
    op.drop_table('incident_reviews')
    with op.batch_alter_table('incident_planned_works', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_planned_works_window')

    op.drop_table('incident_planned_works')
    with op.batch_alter_table('incident_history', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_history_incident')

    op.drop_table('incident_history')
    op.drop_table('incident_network_alarms')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_province_status')

    op.drop_table('incidents')
    with op.batch_alter_table('incident_signals', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_signals_window')

    op.drop_table('incident_signals')
    op.drop_table('incident_severity_levels')
    op.drop_table('incident_network_samples')
    op.drop_table('incident_detectors')
    op.drop_table('incident_detection_rules')
