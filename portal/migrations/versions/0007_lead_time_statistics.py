"""lead-time statistics: the daily snapshot, unsubscribe events, alerts by sending time

Revision ID: 0007
Revises: 0006

`lead_time_months` holds each month's tallies (counts, sum of days, 35 histogram bins) of
the lead-time measures by slice, rebuilt daily; `statistics_snapshots` says what it covers.
`unsubscribe_events` counts unsubscribes from alert mail: until now only their state was
kept, so the accounts whose alerts are stopped today get one event at the time they stopped.
The statistics read alerts sent since the snapshot by `sent_at`, hence its index.
"""

from alembic import op
import sqlalchemy as sa
import portal.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BIN_COUNT = 35


def upgrade() -> None:
    op.create_table('statistics_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taken_at', portal.db.UTCDateTime(), nullable=False),
    sa.Column('completed_at', portal.db.UTCDateTime(), nullable=True),
    sa.Column('calls_through_id', sa.Integer(), nullable=False),
    sa.Column('alerts_before', portal.db.UTCDateTime(), nullable=False),
    sa.Column('offset_minutes', sa.Integer(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statistics_snapshots'))
    )
    with op.batch_alter_table('statistics_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statistics_snapshots_completed_at'), ['completed_at'], unique=False)

    op.create_table('lead_time_months',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=12), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=False),
    sa.Column('sector_code', sa.String(length=8), nullable=False),
    sa.Column('dimension', sa.String(length=10), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=20), nullable=False),
    sa.Column('facts', sa.Integer(), nullable=False),
    sa.Column('measured', sa.Integer(), nullable=False),
    sa.Column('sum_days', sa.Float(), nullable=False),
    sa.Column('short', sa.Integer(), nullable=False),
    sa.Column('with_minimum', sa.Integer(), nullable=False),
    *(sa.Column(f'b{number:02d}', sa.Integer(), nullable=False) for number in range(BIN_COUNT)),
    sa.ForeignKeyConstraint(['snapshot_id'], ['statistics_snapshots.id'], name=op.f('fk_lead_time_months_snapshot_id_statistics_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('snapshot_id', 'measure', 'region_code', 'sector_code', 'dimension', 'month', 'value', name=op.f('pk_lead_time_months'))
    )
    with op.batch_alter_table('lead_time_months', schema=None) as batch_op:
        batch_op.create_index('ix_lead_time_months_measure_sector', ['snapshot_id', 'measure', 'sector_code', 'dimension', 'month'], unique=False)

    op.create_table('unsubscribe_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', portal.db.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.Enum('all_alerts', 'subscription', name='unsubscribe_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], name=op.f('fk_unsubscribe_events_subscription_id_subscriptions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_unsubscribe_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unsubscribe_events'))
    )
    with op.batch_alter_table('unsubscribe_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unsubscribe_events_at'), ['at'], unique=False)

    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_alert_deliveries_sent_at', ['sent_at'], unique=False)

    op.execute(
        "INSERT INTO unsubscribe_events (at, kind, user_id) "
        "SELECT alerts_stopped_at, 'all_alerts', id FROM users "
        "WHERE alerts_stopped_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_deliveries_sent_at')

    with op.batch_alter_table('unsubscribe_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unsubscribe_events_at'))

    op.drop_table('unsubscribe_events')
    with op.batch_alter_table('lead_time_months', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_time_months_measure_sector')

    op.drop_table('lead_time_months')
    with op.batch_alter_table('statistics_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statistics_snapshots_completed_at'))

    op.drop_table('statistics_snapshots')
