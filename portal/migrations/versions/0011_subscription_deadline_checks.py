"""subscription deadline checks: a saved search keeps its short-deadline filter

Revision ID: 0011
Revises: 0010

A subscription stores each `deadline_check` its search chose (short, enough), one row per
choice as it stores object types, so its alerts match what the search with that filter shows.
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('subscription_deadline_checks',
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('deadline_check', sa.String(length=10), nullable=False),
    sa.CheckConstraint("deadline_check IN ('short', 'enough')", name=op.f('ck_subscription_deadline_checks_known_deadline_check')),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], name=op.f('fk_subscription_deadline_checks_subscription_id_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subscription_id', 'deadline_check', name=op.f('pk_subscription_deadline_checks'))
    )


def downgrade() -> None:
    op.drop_table('subscription_deadline_checks')
