"""`portal deadlines refresh`: a thin wrapper over portal.deadlines.refresh."""

import click
from flask.cli import with_appcontext

from portal.db import db, utcnow
from portal.deadlines.refresh import refresh


@click.group("deadlines")
def deadlines_cli() -> None:
    """Plazos mínimos entre convocatoria y ofertas (marca de plazo corto)."""


@deadlines_cli.command("refresh")
@click.option(
    "--sin-plazo-legal",
    "only_without_legal_minimum",
    is_flag=True,
    help="Solo las convocatorias sin plazo legal (las que afecta el plazo del administrador).",
)
@with_appcontext
def refresh_command(only_without_legal_minimum: bool) -> None:
    """Recalcular el plazo mínimo, los días que da cada convocatoria y la marca."""
    report = refresh(db.session, utcnow(), only_without_legal_minimum)
    click.echo(
        f"Revisadas: {report.examined}, actualizadas: {report.changed}, "
        f"con plazo corto: {report.flagged}."
    )
