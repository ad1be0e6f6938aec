"""opportunity documents: the call's documents as the source lists them

Revision ID: 0010
Revises: 0009

A later version that lists a new document (bases, clarifications, amendments) is a change
followers are told about, so the list is kept per notice. `documents_recorded_at` marks the
notices whose list is kept: one stored before has its first list taken silently.
"""

from alembic import op
import sqlalchemy as sa
import portal.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('opportunity_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source_document_id', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('document_type', sa.String(length=100), nullable=True),
    sa.Column('published_at', portal.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_opportunity_documents_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_documents')),
    sa.UniqueConstraint('opportunity_id', 'position', name=op.f('uq_opportunity_documents_opportunity_id_position'))
    )
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('documents_recorded_at', portal.db.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_column('documents_recorded_at')

    op.drop_table('opportunity_documents')
