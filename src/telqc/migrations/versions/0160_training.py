"""training: courses, questions, exams, assignments, attempts, simulated calls

Revision ID: 0160
Revises: 0001
Create Date: 2026-12-06 11:59:16

A branch of its own from 0001 (it needs only users): `telqc db upgrade` runs every head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0160'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('training_courses',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('article_ids', sa.JSON(), nullable=False),
    sa.Column('qa_items', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_training_courses_created_by_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_courses'))
    )
    op.create_table('training_assignments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reason', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('assigned_by', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("reason in ('manual','qa_weak','retrain')", name=op.f('ck_training_assignments_reason')),
    sa.CheckConstraint("status in ('assigned','completed')", name=op.f('ck_training_assignments_status')),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_training_assignments_agent_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['assigned_by'], ['users.id'], name=op.f('fk_training_assignments_assigned_by_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['course_id'], ['training_courses.id'], name=op.f('fk_training_assignments_course_id_training_courses'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_assignments'))
    )
    with op.batch_alter_table('training_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_training_assignments_agent', ['agent_id', 'course_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_assignments_course_id'), ['course_id'], unique=False)

    op.create_table('training_exams',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('course_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('pool', sa.JSON(), nullable=False),
    sa.Column('draw_count', sa.Integer(), nullable=False),
    sa.Column('time_limit_min', sa.Integer(), nullable=False),
    sa.Column('pass_mark', sa.Float(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('cooloff_hours', sa.Float(), nullable=False),
    sa.Column('retrain_after_fail', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('pass_mark >= 0 and pass_mark <= 100', name=op.f('ck_training_exams_pass_mark')),
    sa.CheckConstraint('time_limit_min > 0 and draw_count > 0 and max_attempts > 0 and cooloff_hours >= 0', name=op.f('ck_training_exams_limits')),
    sa.ForeignKeyConstraint(['course_id'], ['training_courses.id'], name=op.f('fk_training_exams_course_id_training_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_training_exams_created_by_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_exams'))
    )
    with op.batch_alter_table('training_exams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_exams_course_id'), ['course_id'], unique=False)

    op.create_table('training_questions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('course_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('type', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('key', sa.JSON(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("type in ('single','multiple','true_false','short')", name=op.f('ck_training_questions_type')),
    sa.CheckConstraint('points > 0', name=op.f('ck_training_questions_points')),
    sa.ForeignKeyConstraint(['course_id'], ['training_courses.id'], name=op.f('fk_training_questions_course_id_training_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_training_questions_created_by_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_questions'))
    )
    with op.batch_alter_table('training_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_questions_course_id'), ['course_id'], unique=False)

    op.create_table('training_sim_scorecards',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('course_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('pass_mark', sa.Float(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('pass_mark >= 0 and pass_mark <= 100', name=op.f('ck_training_sim_scorecards_pass_mark')),
    sa.ForeignKeyConstraint(['course_id'], ['training_courses.id'], name=op.f('fk_training_sim_scorecards_course_id_training_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_training_sim_scorecards_created_by_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sim_scorecards'))
    )
    op.create_table('training_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('exam_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('per_question', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('max_score', sa.Float(), nullable=True),
    sa.Column('percent', sa.Float(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status in ('in_progress','graded','expired')", name=op.f('ck_training_attempts_status')),
    sa.UniqueConstraint('agent_id', 'exam_id', 'number', name='uq_training_attempts_agent_exam_number'),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_training_attempts_agent_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['exam_id'], ['training_exams.id'], name=op.f('fk_training_attempts_exam_id_training_exams'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attempts'))
    )
    with op.batch_alter_table('training_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_training_attempts_finished', ['finished_at'], unique=False)

    op.create_table('training_sim_calls',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('scorecard_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('examiner_id', sa.Integer(), nullable=True),
    sa.Column('scenario', sa.String(length=200), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('failed_fatal', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_training_sim_calls_agent_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['examiner_id'], ['users.id'], name=op.f('fk_training_sim_calls_examiner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['scorecard_id'], ['training_sim_scorecards.id'], name=op.f('fk_training_sim_calls_scorecard_id_training_sim_scorecards'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sim_calls'))
    )
    with op.batch_alter_table('training_sim_calls', schema=None) as batch_op:
        batch_op.create_index('ix_training_sim_calls_agent', ['agent_id', 'scored_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('training_sim_calls', schema=None) as batch_op:
        batch_op.drop_index('ix_training_sim_calls_agent')

    op.drop_table('training_sim_calls')
    with op.batch_alter_table('training_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_training_attempts_finished')

    op.drop_table('training_attempts')
    op.drop_table('training_sim_scorecards')
    with op.batch_alter_table('training_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_questions_course_id'))

    op.drop_table('training_questions')
    with op.batch_alter_table('training_exams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_exams_course_id'))

    op.drop_table('training_exams')
    with op.batch_alter_table('training_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_assignments_course_id'))
        batch_op.drop_index('ix_training_assignments_agent')

    op.drop_table('training_assignments')
    op.drop_table('training_courses')
