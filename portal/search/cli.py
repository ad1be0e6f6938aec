"""`portal index rebuild|repair|status`: thin wrappers over portal.search.sync."""

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.db import db
from portal.search.sync import database_row_count, index_status, rebuild, repair


@click.group("index")
def index_cli() -> None:
    """Índice de búsqueda (derivado de la base de datos)."""


@index_cli.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Reindexar todo en una generación nueva; el índice actual responde hasta el cambio."""
    total = database_row_count(db.session)
    with click.progressbar(length=total, label="Indexando") as bar:
        indexed = rebuild(db.session, current_app.config["PORTAL_INDEX_DIR"], bar.update)
    click.echo(f"{indexed} documentos indexados.")


@index_cli.command("repair")
@with_appcontext
def repair_command() -> None:
    """Comparar índice y base de datos; reindexar faltantes o desactualizados, borrar huérfanos."""
    report = repair(db.session, current_app.config["PORTAL_INDEX_DIR"])
    click.echo(
        f"Faltantes: {report.missing}, desactualizados: {report.stale}, "
        f"huérfanos: {report.orphans}."
    )


@index_cli.command("status")
@with_appcontext
def status_command() -> None:
    """Documentos en el índice frente a filas en la base de datos."""
    status = index_status(db.session, current_app.config["PORTAL_INDEX_DIR"])
    for kind, count in status.database.items():
        click.echo(f"{kind}: base de datos {count}, índice {status.indexed.get(kind, 0)}")
    for part, count in status.per_part.items():
        click.echo(f"parte {part}: {count} documentos")
