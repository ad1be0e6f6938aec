"""alert outbox, following, alert preferences

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 04:56:20.001919

The outbox table was created empty in 0001 and nothing ever wrote to it, so it is rebuilt
rather than altered: uniqueness moves from (user, opportunity) and (user, plan line) to (user,
dedup key), which also covers change alerts and reminders, and the kind and status vocabularies
grow (their CHECK constraints are part of the table). New NOT NULL columns elsewhere carry
server defaults so existing rows fill in; existing plan lines are not matched again.
"""

from alembic import op
import sqlalchemy as sa
import portal.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _create_alert_deliveries() -> None:
    op.create_table('alert_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('match', 'forecast', 'follow_up', 'change', 'reminder', name='delivery_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('dedup_key', sa.String(length=80), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=True),
    sa.Column('plan_line_id', sa.Integer(), nullable=True),
    sa.Column('change_id', sa.Integer(), nullable=True),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.Enum('immediate', 'daily', 'weekly', name='frequency', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', 'skipped', name='delivery_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(), nullable=False),
    sa.Column('due_at', portal.db.UTCDateTime(), nullable=False),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('claimed_until', portal.db.UTCDateTime(), nullable=True),
    sa.Column('sent_at', portal.db.UTCDateTime(), nullable=True),
    sa.Column('deadline_at_notice', portal.db.UTCDateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=250), nullable=True),
    sa.CheckConstraint('opportunity_id IS NOT NULL OR plan_line_id IS NOT NULL', name=op.f('ck_alert_deliveries_has_subject')),
    sa.ForeignKeyConstraint(['change_id'], ['opportunity_changes.id'], name=op.f('fk_alert_deliveries_change_id_opportunity_changes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_alert_deliveries_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_line_id'], ['plan_lines.id'], name=op.f('fk_alert_deliveries_plan_line_id_plan_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], name=op.f('fk_alert_deliveries_subscription_id_subscriptions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alert_deliveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_deliveries')),
    sa.UniqueConstraint('user_id', 'dedup_key', name=op.f('uq_alert_deliveries_user_id_dedup_key'))
    )
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_alert_deliveries_status_due_at', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_alert_deliveries_user_id_status', ['user_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_deliveries_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_deliveries_plan_line_id'), ['plan_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_deliveries_subscription_id'), ['subscription_id'], unique=False)


def _create_old_alert_deliveries() -> None:
    """The table as 0001 made it."""
    op.create_table('alert_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=True),
    sa.Column('plan_line_id', sa.Integer(), nullable=True),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('match', 'forecast', name='delivery_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', 'skipped', name='delivery_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(), nullable=False),
    sa.Column('due_at', portal.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', portal.db.UTCDateTime(), nullable=True),
    sa.Column('deadline_at_notice', portal.db.UTCDateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.CheckConstraint('(opportunity_id IS NULL) <> (plan_line_id IS NULL)', name=op.f('ck_alert_deliveries_one_subject')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_alert_deliveries_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_line_id'], ['plan_lines.id'], name=op.f('fk_alert_deliveries_plan_line_id_plan_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], name=op.f('fk_alert_deliveries_subscription_id_subscriptions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alert_deliveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_deliveries')),
    sa.UniqueConstraint('user_id', 'opportunity_id', name=op.f('uq_alert_deliveries_user_id_opportunity_id')),
    sa.UniqueConstraint('user_id', 'plan_line_id', name=op.f('uq_alert_deliveries_user_id_plan_line_id'))
    )
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_alert_deliveries_status_due_at', ['status', 'due_at'], unique=False)


def upgrade() -> None:
    op.drop_table('alert_deliveries')
    _create_alert_deliveries()

    with op.batch_alter_table('opportunity_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alerted_at', portal.db.UTCDateTime(), nullable=True))
    # Changes recorded before followers could be told are not news: mark them told.
    op.execute("UPDATE opportunity_changes SET alerted_at = changed_at")
    op.create_index('ix_opportunity_changes_unalerted', 'opportunity_changes', ['id'], unique=False, sqlite_where=sa.text('alerted_at IS NULL'), postgresql_where=sa.text('alerted_at IS NULL'))

    with op.batch_alter_table('plan_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_matching', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('saved_opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_changes', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.create_index(batch_op.f('ix_saved_opportunities_opportunity_id'), ['opportunity_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alerts_stopped_at', portal.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('daily_alert_cap', sa.Integer(), nullable=False, server_default='20'))
        batch_op.add_column(sa.Column('quiet_from_hour', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quiet_until_hour', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_users_daily_alert_cap_range'), 'daily_alert_cap BETWEEN 1 AND 100')
        batch_op.create_check_constraint(op.f('ck_users_quiet_hours_pair'), '(quiet_from_hour IS NULL) = (quiet_until_hour IS NULL)')
        batch_op.create_check_constraint(op.f('ck_users_quiet_hours_range'), 'quiet_from_hour BETWEEN 0 AND 23 AND quiet_until_hour BETWEEN 0 AND 23')



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_quiet_hours_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_users_quiet_hours_pair'), type_='check')
        batch_op.drop_constraint(op.f('ck_users_daily_alert_cap_range'), type_='check')
        batch_op.drop_column('quiet_until_hour')
        batch_op.drop_column('quiet_from_hour')
        batch_op.drop_column('daily_alert_cap')
        batch_op.drop_column('alerts_stopped_at')

    with op.batch_alter_table('saved_opportunities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_opportunities_opportunity_id'))
        batch_op.drop_column('follow_changes')

    with op.batch_alter_table('plan_lines', schema=None) as batch_op:
        batch_op.drop_column('needs_matching')

    op.drop_index('ix_opportunity_changes_unalerted', table_name='opportunity_changes')
    with op.batch_alter_table('opportunity_changes', schema=None) as batch_op:
        batch_op.drop_column('alerted_at')

    op.drop_table('alert_deliveries')
    _create_old_alert_deliveries()

