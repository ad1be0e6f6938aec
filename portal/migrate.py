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
    with app.app_context(), db.engine.begin() as connection:
        config = alembic_config(app)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade_database(app: Flask, revision: str) -> None:
    with app.app_context(), db.engine.begin() as connection:
        config = alembic_config(app)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
