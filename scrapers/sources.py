"""Registering sources and reading their configuration: what the CLI and the pipeline share."""

from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.web_urls import web_url
from scrapers.local_files import LocalFileRefused, allowed_path, is_local
from scrapers.models import Source, SourceKind
from scrapers.paging import PagingConfigError, check_config
from scrapers.records import ParseContext


class SourceConfigError(ValueError):
    """A source cannot be registered as asked (unknown zone, duplicate key...)."""


def add_source(
    session: Session,
    key: str,
    kind: SourceKind,
    url: str | None,
    *,
    name: str | None = None,
    config: dict | None = None,
    interval_minutes: int = 60,
    timezone: str = "America/Lima",
    default_currency: str = "PEN",
    local_dirs: Sequence[Path] | None = None,
    major: bool = False,
) -> Source:
    """Add a source (flushed, not committed): the caller's unit of work decides.

    `local_dirs` (PORTAL_LOCAL_SOURCES_DIR) checks a local URL now; without them it is checked
    at each run, where the fetcher refuses any file outside the configured folders.
    """
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SourceConfigError(f"zona horaria desconocida: {timezone}") from error
    if find_source(session, key) is not None:
        raise SourceConfigError(f"ya existe una fuente con clave {key}")
    if interval_minutes < 1:
        raise SourceConfigError("el intervalo debe ser de al menos 1 minuto")
    if url:
        check_source_url(url, local_dirs)
    try:
        check_config(config or {})
    except PagingConfigError as error:
        raise SourceConfigError(str(error)) from error
    source = Source(
        key=key,
        name=name or key,
        kind=kind,
        url=url,
        config=config or {},
        interval_minutes=interval_minutes,
        timezone=timezone,
        default_currency=default_currency,
        major=major,
    )
    session.add(source)
    session.flush()
    return source


def check_source_url(url: str, local_dirs: Sequence[Path] | None) -> None:
    """http(s), or a local file inside the allowed folders (when they are given)."""
    if not is_local(url):
        if web_url(url) is None:
            raise SourceConfigError(f"URL no admitida: {url} (use http, https o file://)")
        return
    if local_dirs is not None:
        try:
            allowed_path(url, local_dirs)
        except LocalFileRefused as error:
            raise SourceConfigError(str(error)) from error


def find_source(session: Session, key: str) -> Source | None:
    return session.scalar(select(Source).where(Source.key == key))


def active_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).where(Source.active).order_by(Source.key)))


def parse_context(source: Source, base_url: str | None = None) -> ParseContext:
    """What the parser may know of its source; base_url is the page actually fetched."""
    return ParseContext(
        source_key=source.key,
        timezone=ZoneInfo(source.timezone),
        default_currency=source.default_currency,
        base_url=base_url or source.url,
        config=dict(source.config or {}),
    )
