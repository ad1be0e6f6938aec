"""raw payload bodies in chunks

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 18:30:00.000000

A payload's zlib stream moves from one `raw_payloads.body_zlib` value to rows of about a
megabyte in `raw_payload_chunks`, so neither storing nor re-parsing holds a whole body.

The chunk table gets its foreign key only after `body_zlib` is dropped: on SQLite the drop
rebuilds `raw_payloads`, and with foreign keys on, dropping the old table would cascade to any
chunk already pointing at it. Slices are cut in SQL (`substr` works on BLOB and bytea alike),
so the upgrade never loads a body into Python either.
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

CHUNK_BYTES = 1024 * 1024  # fixed here: the application's chunk size may change later
FOREIGN_KEY = 'fk_raw_payload_chunks_payload_id_raw_payloads'


def upgrade() -> None:
    op.create_table('raw_payload_chunks',
    sa.Column('payload_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('payload_id', 'sequence', name=op.f('pk_raw_payload_chunks'))
    )
    _split_bodies_into_chunks()
    with op.batch_alter_table('raw_payloads', schema=None) as batch_op:
        batch_op.drop_column('body_zlib')
    with op.batch_alter_table('raw_payload_chunks', schema=None) as batch_op:
        batch_op.create_foreign_key(
            FOREIGN_KEY, 'raw_payloads', ['payload_id'], ['id'], ondelete='CASCADE'
        )


def downgrade() -> None:
    with op.batch_alter_table('raw_payloads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_zlib', sa.LargeBinary(), nullable=True))
    _join_chunks_into_bodies()
    op.drop_table('raw_payload_chunks')
    with op.batch_alter_table('raw_payloads', schema=None) as batch_op:
        batch_op.alter_column('body_zlib', existing_type=sa.LargeBinary(), nullable=False)


def _split_bodies_into_chunks() -> None:
    """One INSERT ... SELECT per chunk position, each payload's slice cut by the database."""
    connection = op.get_bind()
    longest = connection.scalar(sa.text('SELECT max(length(body_zlib)) FROM raw_payloads'))
    for sequence in range(-(-(longest or 0) // CHUNK_BYTES)):
        connection.execute(
            sa.text(
                'INSERT INTO raw_payload_chunks (payload_id, sequence, data)'
                ' SELECT id, :sequence, substr(body_zlib, :start, :size) FROM raw_payloads'
                ' WHERE length(body_zlib) >= :start'
            ),
            {'sequence': sequence, 'start': sequence * CHUNK_BYTES + 1, 'size': CHUNK_BYTES},
        )


def _join_chunks_into_bodies() -> None:
    """Back to one value per payload: a downgrade accepts holding one body at a time."""
    connection = op.get_bind()
    payload_ids = connection.scalars(sa.text('SELECT id FROM raw_payloads')).all()
    chunks = sa.text(
        'SELECT data FROM raw_payload_chunks WHERE payload_id = :id ORDER BY sequence'
    )
    update = sa.text('UPDATE raw_payloads SET body_zlib = :body WHERE id = :id').bindparams(
        sa.bindparam('body', type_=sa.LargeBinary())
    )
    for payload_id in payload_ids:
        body = b''.join(connection.scalars(chunks, {'id': payload_id}))
        connection.execute(update, {'id': payload_id, 'body': body})
