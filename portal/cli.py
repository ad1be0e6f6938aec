"""The `portal` command: thin click wrappers over operations (Flask CLI style)."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from notifications.cli import alerts_cli
from portal.accounts.models import Role
from portal.deadlines.cli import deadlines_cli
from portal.search.cli import index_cli
from portal.statistics.cli import statistics_cli
from scrapers.cli import scheduler_command, scrape, sources


def _create_app(*_args) -> Flask:
    from portal.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """Compras MYPE: administración del portal."""


def register_cli(app: Flask) -> None:
    """Commands live on the app so `flask --app portal` and `portal` see the same set."""
    for command in (
        init_db,
        load_reference_command,
        create_user_command,
        demo_command,
        index_cli,
        scrape,
        sources,
        scheduler_command,
        alerts_cli,
        statistics_cli,
        deadlines_cli,
    ):
        app.cli.add_command(command)


@click.command("init-db")
@click.option("--revision", default="head", show_default=True, help="Alembic revision.")
@with_appcontext
def init_db(revision: str) -> None:
    """Create or upgrade the database schema through the migrations."""
    from flask import current_app

    from portal.migrate import upgrade_database

    upgrade_database(current_app, revision)
    click.echo(f"Esquema actualizado a {revision}.")


@click.command("load-reference")
@click.option(
    "--unspsc-families",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV de la taxonomía UNSPSC (code, level, title_es, title_en, segment) para las familias.",
)
@with_appcontext
def load_reference_command(unspsc_families: Path | None) -> None:
    """Load departments, sectors, procedure types, size classes and UIT values."""
    from portal.db import db
    from portal.reference.loader import load_reference, load_unspsc_families

    counts = load_reference(db.session)
    if unspsc_families:
        counts["sector_families"] = load_unspsc_families(db.session, unspsc_families)
    db.session.commit()
    for table, count in counts.items():
        click.echo(f"{table}: {count}")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.SME.value)
@click.option("--buyer-ruc", help="RUC de la entidad (obligatorio para personal de entidad).")
@click.password_option(help="Contraseña (se pide si no se da).")
@with_appcontext
def create_user_command(email: str, role: str, buyer_ruc: str | None, password: str) -> None:
    """Create a user: sme, agency_staff (with --buyer-ruc) or admin."""
    from sqlalchemy import select

    from portal.accounts.operations import AccountError, create_user
    from portal.buyers.models import Buyer
    from portal.db import db

    buyer = db.session.scalar(select(Buyer).where(Buyer.ruc == buyer_ruc)) if buyer_ruc else None
    if buyer_ruc and buyer is None:
        raise click.ClickException(f"No hay una entidad con RUC {buyer_ruc}.")
    try:
        user = create_user(db.session, email, password, Role(role), buyer)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Usuario {user.email} creado con el rol {user.role.value}.")


@click.command("demo")
@click.option("--opportunities", default=400, show_default=True, help="Convocatorias de ejemplo.")
@click.option("--serve/--no-serve", default=False, help="Servir el portal al terminar.")
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo_command(opportunities: int, serve: bool, port: int) -> None:
    """Build a demo portal: schema, reference data, sources, scraped notices, plans and users."""
    from flask import current_app

    from portal.demo.operations import build_demo, serve_demo

    app = current_app._get_current_object()  # scheduler threads need the app, not the proxy
    summary = build_demo(app, opportunity_count=opportunities)
    for line in summary.lines():
        click.echo(line)
    if serve:
        serve_demo(app, port=port)
