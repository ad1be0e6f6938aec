"""Alembic driven from the app: the schema is only ever built by migrations, on both databases."""

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask

from portal.db import db

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(app: Flask) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url",
        app.config["SQLALCHEMY_DATABASE_URI"].replace("%", "%%"),
    )
    return config


def upgrade_database(app: Flask, revision: str = "head") -> None:
    _migrate(app, command.upgrade, revision)


def downgrade_database(app: Flask, revision: str) -> None:
    _migrate(app, command.downgrade, revision)


def _migrate(app: Flask, step, revision: str) -> None:
    """Run a migration in one transaction; on SQLite with foreign keys off meanwhile.

    SQLite alters a table by copying it into a new one and dropping the old: with foreign
    keys on, that drop would cascade into every table referencing it (an upgrade that widens
    `opportunities`' status check would empty their changes and awards). The pragma only takes
    effect outside a transaction, and the keys are checked before the migration commits.
    """
    with app.app_context(), db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config = alembic_config(app)
                config.attributes["connection"] = connection
                step(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def schema_filter(dialect: str):
    """What autogenerate compares between the models and a database. On PostgreSQL the
    outbox's foreign keys are statement-level triggers (migration 0009); the models keep
    them for SQLite and for the ORM's joins."""

    def include_object(item, _name, type_, _reflected, _compare_to) -> bool:
        return not (
            dialect == "postgresql"
            and type_ == "foreign_key_constraint"
            and item.table.name == "alert_deliveries"
        )

    return include_object
