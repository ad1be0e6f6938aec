"""accounts, throttling, audit log, subscription digests

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 01:47:09.127795

Accounts get what signing in needs (staff approval, a login epoch that signs other devices out,
deletion that leaves an anonymous row), the database-wide throttle of sign-in attempts and the
audit log; subscriptions get a digest hour and may follow buyers. New NOT NULL columns carry a
server default so existing rows fill in; a company's single contact address moves into the
one-per-line list.
"""

from alembic import op
import sqlalchemy as sa
import portal.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('auth_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('login', 'reset', 'register', name='attempt_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('attempted_at', portal.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_attempts'))
    )
    with op.batch_alter_table('auth_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_attempts_attempted_at'), ['attempted_at'], unique=False)
        batch_op.create_index('ix_auth_attempts_kind_key_at', ['kind', 'key', 'attempted_at'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', portal.db.UTCDateTime(), nullable=False),
    sa.Column('action', sa.Enum('login_failed', 'role_changed', 'staff_requested', 'staff_approved', 'staff_refused', 'deactivated', 'reactivated', 'account_deleted', name='audit_action', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('client_address', sa.String(length=45), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['users.id'], name=op.f('fk_audit_events_subject_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)

    op.create_table('subscription_buyers',
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_subscription_buyers_buyer_id_buyers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], name=op.f('fk_subscription_buyers_subscription_id_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subscription_id', 'buyer_id', name=op.f('pk_subscription_buyers'))
    )
    with op.batch_alter_table('company_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_emails', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('updated_at', portal.db.UTCDateTime(), nullable=False, server_default=sa.func.current_timestamp()))
    op.execute("UPDATE company_profiles SET contact_emails = contact_email WHERE contact_email IS NOT NULL")
    with op.batch_alter_table('company_profiles', schema=None) as batch_op:
        batch_op.drop_column('contact_email')
        batch_op.alter_column('contact_emails', server_default=None)
        batch_op.alter_column('updated_at', server_default=None)

    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_hour', sa.Integer(), nullable=False, server_default='7'))
        batch_op.add_column(sa.Column('updated_at', portal.db.UTCDateTime(), nullable=False, server_default=sa.func.current_timestamp()))
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_subscriptions_digest_hour'), 'digest_hour >= 0 AND digest_hour <= 23')
        batch_op.alter_column('digest_hour', server_default=None)
        batch_op.alter_column('updated_at', server_default=None)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_approved_at', portal.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('login_epoch', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_login_at', portal.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', portal.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('login_epoch', server_default=None)



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('login_epoch')
        batch_op.drop_column('staff_approved_at')

    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_subscriptions_digest_hour'), type_='check')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('digest_hour')

    with op.batch_alter_table('company_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.VARCHAR(length=254), nullable=True))
    # The list, cut to the old column's width: a downgrade keeps what fits.
    op.execute(
        "UPDATE company_profiles SET contact_email = substr(contact_emails, 1, 254) WHERE contact_emails <> ''"
    )
    with op.batch_alter_table('company_profiles', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('contact_emails')

    op.drop_table('subscription_buyers')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    with op.batch_alter_table('auth_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_auth_attempts_kind_key_at')
        batch_op.drop_index(batch_op.f('ix_auth_attempts_attempted_at'))

    op.drop_table('auth_attempts')
