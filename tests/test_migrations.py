"""Migrations build the schema from empty on both databases and match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal.db import Base, db
from portal.migrate import downgrade_database, upgrade_database


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_downgrade_to_empty_and_upgrade_again(app):
    downgrade_database(app, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade_database(app)
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
