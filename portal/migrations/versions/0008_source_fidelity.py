"""source fidelity: statuses planned, suspended, withdrawn; fields read from text; watermarks

Revision ID: 0008
Revises: 0007

An OCDS tender with status `planned` is a forecast, SEACE suspends calls, and publishers
withdraw notices (Atom deletion tombstones): three statuses the CHECK constraint must admit.
`fields_from_text` says which facts a parser read from a feed item's prose. A paged API
source keeps a `watermark` so each visit reads only what is new; `major` sources are
announced on the search pages when stale, and `/fuentes` reads each source's recent notices
through the new (source, first seen, published) index.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD_STATUSES = ('open', 'closed', 'awarded', 'cancelled', 'deserted')
NEW_STATUSES = OLD_STATUSES + ('planned', 'suspended', 'withdrawn')
STATUS_CHECK = 'opportunity_status'


def _status_check(statuses: tuple[str, ...]) -> None:
    condition = "status IN (" + ", ".join(f"'{value}'" for value in statuses) + ")"
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'ck_opportunities_{STATUS_CHECK}'), type_='check')
        batch_op.create_check_constraint(STATUS_CHECK, sa.text(condition))


def upgrade() -> None:
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fields_from_text', sa.JSON(), nullable=True))
    _status_check(NEW_STATUSES)
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.create_index(
            'ix_opportunities_source_first_seen',
            ['source_id', 'first_seen_at', 'published_at'],
            unique=False,
        )

    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('watermark', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('major', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('major')
        batch_op.drop_column('watermark')

    op.execute(
        "UPDATE opportunities SET status = 'open' WHERE status IN ('planned', 'suspended')"
    )
    op.execute("UPDATE opportunities SET status = 'cancelled' WHERE status = 'withdrawn'")
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunities_source_first_seen')
    _status_check(OLD_STATUSES)
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_column('fields_from_text')
