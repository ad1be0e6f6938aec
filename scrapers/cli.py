"""`portal scrape`, `portal sources` and `portal scheduler`: thin wrappers over the pipeline."""

import json
from datetime import UTC, datetime

import click
from click.core import ParameterSource
from flask import current_app
from flask.cli import with_appcontext

from portal.db import db, utcnow
from scrapers.catalogue import CATALOGUE, catalogue_entry, register_from_catalogue
from scrapers.catalogue import describe as describe_entry
from scrapers.fetch import Fetcher, settings_from_config
from scrapers.local_files import folders
from scrapers.models import ScrapeRun, Source, SourceKind
from scrapers.pipeline import options_from_config, reparse, run_isolated
from scrapers.raw import prune_raw_payloads
from scrapers.source_kinds import GUIDES, LOCAL_URLS, guide_for
from scrapers.source_kinds import describe as describe_kind
from scrapers.sources import SourceConfigError, active_sources, add_source, find_source

SUMMARY_COLUMNS = ("fuente", "estado", "leídos", "nuevos", "actualiz.", "iguales", "fallidos", "s")
UNRECORDED_RUN = "la base de datos no pudo registrar la ejecución (detalle en el registro)"


class _RunByDefault(click.Group):
    """`portal scrape KEY` and `portal scrape --all` mean `portal scrape run ...`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] != "--help":
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group("scrape", cls=_RunByDefault)
def scrape() -> None:
    """Visitar fuentes: `portal scrape CLAVE`, `--all`, `reparse CLAVE`, `prune`."""


@scrape.command("run")
@click.argument("source_key", required=False)
@click.option("--all", "run_every", is_flag=True, help="Visitar todas las fuentes activas.")
@with_appcontext
def run_command(source_key: str | None, run_every: bool) -> None:
    """Visitar una fuente (SOURCE_KEY) o todas (--all) y mostrar el resumen."""
    if run_every == bool(source_key):
        raise click.UsageError("Indique una fuente o --all.")
    sources = active_sources(db.session) if run_every else [_source_or_fail(source_key)]
    now = utcnow()
    options = options_from_config(current_app.config)
    keyed = [(source.key, source) for source in sources]  # read now: each run expires them
    runs: list[tuple[str, ScrapeRun | None]] = []
    with Fetcher(settings_from_config(current_app.config)) as fetcher:
        with click.progressbar(keyed, label="Fuentes", item_show_func=_key_of) as bar:
            for key, source in bar:
                runs.append((key, run_isolated(db.session, source, now, fetcher, options)))
    click.echo(summary_table(runs))
    if any(run is None or run.status == "failed" for _, run in runs):
        raise SystemExit(1)


@scrape.command("reparse")
@click.argument("source_key")
@click.option("--since", type=click.DateTime(), help="Solo cargas desde esta fecha (UTC).")
@with_appcontext
def reparse_command(source_key: str, since: datetime | None) -> None:
    """Volver a leer las cargas guardadas de una fuente con el analizador actual."""
    source = _source_or_fail(source_key)
    run = reparse(
        db.session,
        source,
        utcnow(),
        since.replace(tzinfo=UTC) if since else None,
        options_from_config(current_app.config),
    )
    click.echo(summary_table([(source_key, run)]))


@scrape.command("prune")
@with_appcontext
def prune_command() -> None:
    """Borrar las cargas guardadas más antiguas que PORTAL_RAW_RETENTION_DAYS."""
    days = current_app.config["PORTAL_RAW_RETENTION_DAYS"]
    removed = prune_raw_payloads(db.session, utcnow(), days)
    db.session.commit()
    click.echo(f"{removed} cargas borradas (más de {days} días).")


@click.group("sources")
def sources() -> None:
    """Registrar y listar las fuentes."""


@sources.command("add")
@click.argument("key", required=False)
@click.option("--kind", type=click.Choice([k.value for k in SourceKind]))
@click.option(
    "--from-catalogue",
    "entry_key",
    help="Registrar una fuente del catálogo (`portal sources catalogue`); KEY, --url y las demás "
    "opciones que des reemplazan las suyas.",
)
@click.option(
    "--url",
    help="URL http(s), o file:// a un archivo, una carpeta o un patrón (*.json) dentro de "
    "PORTAL_LOCAL_SOURCES_DIR.",
)
@click.option("--name", help="Nombre visible; por omisión la clave.")
@click.option(
    "--config",
    "config_json",
    default="{}",
    help="Configuración JSON del analizador; `portal sources kinds` muestra las claves de cada "
    "tipo, con ejemplos (el del SEACE, listo para usar).",
)
@click.option("--interval", default=60, show_default=True, help="Minutos entre visitas.")
@click.option("--timezone", default="America/Lima", show_default=True)
@click.option("--currency", default="PEN", show_default=True)
@with_appcontext
def add_command(key, kind, entry_key, url, name, config_json, interval, timezone, currency) -> None:
    """Registrar una fuente nueva, o una del catálogo con --from-catalogue.

    `portal sources kinds` explica la configuración de cada tipo, con ejemplos.
    """
    try:
        config = json.loads(config_json)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"JSON inválido: {error}", param_hint="--config") from error
    local_dirs = folders(current_app.config["PORTAL_LOCAL_SOURCES_DIR"])
    try:
        if entry_key:
            values = {"name": name, "config_json": config, "interval": interval}
            values |= {"timezone": timezone, "currency": currency}
            source = _add_from_catalogue(entry_key, key, kind, url, values, local_dirs)
        elif key and kind:
            source = add_source(
                db.session,
                key,
                SourceKind(kind),
                url,
                name=name,
                config=config,
                interval_minutes=interval,
                timezone=timezone,
                default_currency=currency,
                local_dirs=local_dirs,
            )
        else:
            raise click.UsageError("Indica KEY y --kind, o --from-catalogue.")
    except SourceConfigError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Fuente {source.key} registrada.")


# The add command's options a catalogue entry takes when they are given, by add_source's names.
_CATALOGUE_OVERRIDES = {
    "name": "name",
    "config_json": "config",
    "interval": "interval_minutes",
    "timezone": "timezone",
    "currency": "default_currency",
}


def _add_from_catalogue(entry_key, key, kind, url, values: dict, local_dirs) -> Source:
    """The catalogue's entry, with what the command line gave explicitly in its place."""
    entry = catalogue_entry(entry_key)
    if kind and SourceKind(kind) != entry.kind:
        raise click.UsageError(f"{entry.key} es de tipo {entry.kind.value}, no {kind}.")
    context = click.get_current_context()
    given = {
        option: values[parameter]
        for parameter, option in _CATALOGUE_OVERRIDES.items()
        if context.get_parameter_source(parameter) is ParameterSource.COMMANDLINE
    }
    return register_from_catalogue(
        db.session, entry, key=key, url=url, overrides=given, local_dirs=local_dirs
    )


@sources.command("catalogue")
def catalogue_command() -> None:
    """Fuentes reales listas para registrar: URL, tipo, zona, moneda, país, licencia y cobertura."""
    click.echo("\n\n".join(describe_entry(entry) for entry in CATALOGUE))
    click.echo("\nRegistra una con `portal sources add --from-catalogue CLAVE`.")


@sources.command("kinds")
@click.argument("kind", required=False, type=click.Choice([k.value for k in SourceKind]))
def kinds_command(kind: str | None) -> None:
    """Las claves de configuración de cada tipo de fuente, con ejemplos en JSON."""
    guides = [guide_for(kind)] if kind else list(GUIDES)
    click.echo("\n\n".join(describe_kind(guide) for guide in guides))
    click.echo(f"\n{LOCAL_URLS}")


@sources.command("list")
@with_appcontext
def list_command() -> None:
    """Listar las fuentes con su estado de salud."""
    rows = [("clave", "tipo", "activa", "salud", "fallos", "último éxito", "url")]
    for source in db.session.scalars(db.select(Source).order_by(Source.key)):
        rows.append(
            (
                source.key,
                source.kind.value,
                "sí" if source.active else "no",
                "ok" if source.healthy else "FALLA",
                str(source.consecutive_failures),
                source.last_success_at.strftime("%Y-%m-%d %H:%M")
                if source.last_success_at
                else "-",
                source.url or "-",
            )
        )
    click.echo(_table(rows))


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Proceso de larga duración: fuentes según su intervalo, reparación del índice, limpieza."""
    from scrapers.scheduler import SCRAPE_JOB_PREFIX, build_scheduler

    scheduler = build_scheduler(current_app._get_current_object(), blocking=True)
    sources = [job for job in scheduler.get_jobs() if job.id.startswith(SCRAPE_JOB_PREFIX)]
    click.echo(f"Planificador con {len(sources)} fuentes; Ctrl+C para salir.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


def summary_table(runs: list[tuple[str, ScrapeRun | None]]) -> str:
    """One row per source; None is a run the database refused to record (see the log)."""
    rows = [SUMMARY_COLUMNS]
    for key, run in runs:
        if run is None:
            rows.append((key, "failed", *["-"] * (len(SUMMARY_COLUMNS) - 2)))
            continue
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
        rows.append(
            (
                key,
                run.status.value,
                *(str(n) for n in (run.fetched, run.new, run.updated, run.unchanged, run.failed)),
                f"{seconds:.1f}",
            )
        )
    lines = [_table(rows)]
    lines += [f"  {key}: {run.error}" for key, run in runs if run is not None and run.error]
    lines += [f"  {key}: {UNRECORDED_RUN}" for key, run in runs if run is None]
    return "\n".join(lines)


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def _source_or_fail(key: str) -> Source:
    source = find_source(db.session, key)
    if source is None:
        raise click.ClickException(f"No existe la fuente {key}.")
    return source


def _key_of(item: tuple[str, Source] | None) -> str:
    return item[0] if item is not None else ""
