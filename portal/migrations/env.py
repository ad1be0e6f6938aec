"""Alembic environment: uses the app's connection when given one, else the configured URL."""

from alembic import context
from sqlalchemy import create_engine

import portal.models  # noqa: F401  (fills the metadata)
from portal.db import Base
from portal.migrate import schema_filter

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=schema_filter(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as new_connection:
        run_migrations(new_connection)
