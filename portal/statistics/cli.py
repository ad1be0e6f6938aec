"""`portal statistics snapshot`: the scheduler's daily snapshot, run by hand (after a bulk
load, or to see the dashboard's figures fast before the first night)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.statistics.jobs import snapshot_statistics


@click.group("statistics")
def statistics_cli() -> None:
    """Estadísticas de plazos: la instantánea diaria."""


@statistics_cli.command("snapshot")
@with_appcontext
def snapshot_command() -> None:
    """Recalcula la instantánea de las estadísticas con todo lo registrado hasta ahora."""
    summary = snapshot_statistics(current_app._get_current_object())
    click.echo(
        f"Instantánea {summary.snapshot_id}: {summary.rows} filas en {summary.seconds:.1f} s."
    )
