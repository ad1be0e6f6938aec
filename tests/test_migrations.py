"""Migrations build the schema from empty on both databases and match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from foundation_factories import make_opportunity
from sqlalchemy import func, inspect, select, text

from portal.db import Base, db
from portal.migrate import downgrade_database, schema_filter, upgrade_database
from portal.opportunities.models import (
    ChangeKind,
    Opportunity,
    OpportunityChange,
    OpportunityStatus,
)


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        options = {
            "compare_type": True,
            "include_object": schema_filter(connection.dialect.name),
        }
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_downgrade_to_empty_and_upgrade_again(app):
    downgrade_database(app, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade_database(app)
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_rebuilding_a_referenced_table_keeps_the_rows_that_reference_it(app, session):
    """0008 widens the status check, which SQLite does by copying `opportunities` into a new
    table: with foreign keys on, dropping the old one would cascade into its change rows."""
    opportunity = make_opportunity(session, status=OpportunityStatus.WITHDRAWN)
    session.add(
        OpportunityChange(
            opportunity_id=opportunity.id,
            kind=ChangeKind.STATUS_CHANGED,
            field="status",
            old_value="open",
            new_value="withdrawn",
        )
    )
    session.commit()
    session.close()  # the migration needs the tables free of this session's locks

    downgrade_database(app, "0007")
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT status FROM opportunities")) == "cancelled"
    upgrade_database(app)

    assert session.scalar(select(func.count()).select_from(OpportunityChange)) == 1
    assert session.scalar(select(func.count()).select_from(Opportunity)) == 1
