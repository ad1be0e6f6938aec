"""Real publishers' sources, ready to register: `portal sources catalogue` and `--from-catalogue`.

Each entry states what was checked about its publisher (URL, paging, licence, coverage) and
says "no comprobado" where nothing was; the tests run every entry against pages in its
publisher's shape served by a local HTTP server. An entry without a URL the portal can read as
it is (an API behind a token, a search answered only to a browser session) says what to give
with `--url` instead, usually saved files under PORTAL_LOCAL_SOURCES_DIR.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from scrapers.html_listing import SEACE_LISTING_CONFIG
from scrapers.models import Source, SourceKind
from scrapers.sources import SourceConfigError, add_source


@dataclass(frozen=True)
class CatalogueEntry:
    key: str
    name: str
    kind: SourceKind
    url: str | None  # None: see `needs_url`
    timezone: str
    currency: str
    country: str
    interval_minutes: int
    licence: str
    coverage: str
    config: dict = field(default_factory=dict)
    major: bool = False  # its staleness is announced on the search pages
    needs_url: str | None = None  # why `--url` must be given, and what to give


CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        key="oece-ocds",
        name="OECE: Contrataciones Abiertas del Perú (OCDS)",
        kind=SourceKind.OCDS,
        url="https://contratacionesabiertas.oece.gob.pe/api/v1/releasesAfter?format=json&order=desc",
        timezone="America/Lima",
        currency="PEN",
        country="PE",
        interval_minutes=360,
        config={"max_pages": 10, "since_days": 14, "country": "PE"},
        major=True,
        licence="CC BY 4.0 (OECE); cita la fuente al reutilizar.",
        coverage=(
            "Procedimientos del SEACE de todo el Estado peruano, actualizados a diario; no trae "
            "las contrataciones de 8 UIT o menos. Publicaciones más recientes primero, páginas "
            "enlazadas con links.next (searchAfter). Antes en contratacionesabiertas.osce.gob.pe, "
            "que aún responde. Tamaño de página y límites de uso: no comprobados."
        ),
    ),
    CatalogueEntry(
        key="uk-find-a-tender",
        name="UK Find a Tender Service (OCDS)",
        kind=SourceKind.OCDS,
        url="https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages",
        timezone="Europe/London",
        currency="GBP",
        country="GB",
        interval_minutes=60,
        config={"since_param": "updatedFrom", "since_days": 2, "max_pages": 10, "country": "GB"},
        licence="Open Government Licence v3.0 (declarada en cada paquete).",
        coverage=(
            "Avisos del Reino Unido desde 2021, hasta 100 por página y enlazados con links.next; "
            "updatedFrom en hora del Reino Unido filtra lo nuevo. Responde HTTP 429 tras unas "
            "12 peticiones en 2 minutos: esa visita falla y la siguiente relee desde la misma "
            "marca de agua."
        ),
    ),
    CatalogueEntry(
        key="uk-contracts-finder",
        name="UK Contracts Finder (OCDS)",
        kind=SourceKind.OCDS,
        url="https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search?limit=100",
        timezone="Europe/London",
        currency="GBP",
        country="GB",
        interval_minutes=120,
        config={"since_param": "publishedFrom", "since_days": 2, "max_pages": 10, "country": "GB"},
        licence="Open Government Licence v3.0 (según la documentación de la API).",
        coverage=(
            "Avisos del Reino Unido desde 2015, enlazados con links.next (cursor); algunos "
            "paquetes vienen en ISO-8859-1. Desde la Procurement Act 2023 (24 de febrero de 2025) "
            "los avisos nuevos van sobre todo a Find a Tender. Orden de las páginas y límites de "
            "uso: no comprobados."
        ),
    ),
    CatalogueEntry(
        key="paraguay-dncp",
        name="DNCP Paraguay: Contrataciones Públicas (OCDS)",
        kind=SourceKind.OCDS,
        url=None,
        timezone="America/Asuncion",
        currency="PYG",
        country="PY",
        interval_minutes=1440,
        config={"country": "PY"},
        licence="CC BY 4.0 (DNCP).",
        coverage=(
            "Procesos de todo el Estado paraguayo (SICP) desde 2010, en registros y releases "
            "OCDS con montos en PYG o USD."
        ),
        needs_url=(
            "la API v3 de la DNCP (https://www.contrataciones.gov.py/datos/api/v3/doc) pide un "
            "token de acceso que el portal no envía: da con --url los paquetes OCDS descargados, "
            "p. ej. file:///…/dncp/*.json dentro de PORTAL_LOCAL_SOURCES_DIR"
        ),
    ),
    CatalogueEntry(
        key="placsp-licitaciones",
        name="Plataforma de Contratación del Sector Público (España), Atom",
        kind=SourceKind.FEED,
        url=(
            "https://contrataciondelestado.es/sindicacion/sindicacion_643/"
            "licitacionesPerfilesContratanteCompleto3.atom"
        ),
        timezone="Europe/Madrid",
        currency="EUR",
        country="ES",
        interval_minutes=60,
        licence="Datos abiertos del sector público español; condiciones de reutilización no "
        "comprobadas.",
        coverage=(
            "Licitaciones de los perfiles de contratante alojados en la plataforma, con las "
            "extensiones CODICE (comprador con NIF, presupuesto, CPV, NUTS, plazo). Se lee el "
            "documento del feed; páginas anteriores que enlace no se siguen."
        ),
    ),
    CatalogueEntry(
        key="seace-resultados",
        name="SEACE: resultados del Buscador de Procedimientos de Selección",
        kind=SourceKind.HTML,
        url=None,
        timezone="America/Lima",
        currency="PEN",
        country="PE",
        interval_minutes=1440,
        config=dict(SEACE_LISTING_CONFIG),
        licence="Información pública del Estado peruano; condiciones de reutilización no "
        "comprobadas.",
        coverage=(
            "Las tablas de resultados del buscador público (15 filas por página): entidad, "
            "fecha, nomenclatura, objeto, descripción, valor referencial y moneda. Para una "
            'región añade "department" a la configuración.'
        ),
        needs_url=(
            "el buscador del SEACE (https://prod2.seace.gob.pe/seacebus-uiwd-pub/buscadorPublico/"
            "buscadorPublico.xhtml) responde a formularios de una sesión de navegador, no a una "
            "URL: da con --url una carpeta o un patrón de páginas de resultados guardadas, p. ej. "
            "file:///…/seace/*.html dentro de PORTAL_LOCAL_SOURCES_DIR"
        ),
    ),
)


def catalogue_entry(key: str) -> CatalogueEntry:
    for entry in CATALOGUE:
        if entry.key == key:
            return entry
    known = ", ".join(entry.key for entry in CATALOGUE)
    raise SourceConfigError(f"el catálogo no tiene {key!r} (tiene: {known})")


def describe(entry: CatalogueEntry) -> str:
    """An entry as `portal sources catalogue` prints it."""
    where = entry.url or f"ninguna lista para usar; {entry.needs_url}"
    return "\n".join(
        [
            f"{entry.key}{' [principal]' if entry.major else ''}: {entry.name}",
            f"  {entry.kind.value} · {entry.country} · {entry.timezone} · {entry.currency} · "
            f"cada {entry.interval_minutes} min",
            f"  URL: {where}",
            f"  Licencia: {entry.licence}",
            f"  Cobertura: {entry.coverage}",
            f"  Configuración: {json.dumps(entry.config, ensure_ascii=False)}",
        ]
    )


def register_from_catalogue(
    session: Session,
    entry: CatalogueEntry,
    *,
    key: str | None = None,
    url: str | None = None,
    overrides: dict | None = None,
    local_dirs: Sequence[Path] | None = None,
) -> Source:
    """Add the entry as a source (flushed): `key` and `url` replace the entry's, `overrides`
    (name, interval_minutes, timezone, default_currency, config keys) the rest; the checks of
    `add_source` apply to the result."""
    url = url or entry.url
    if url is None:
        raise SourceConfigError(f"{entry.key} necesita --url: {entry.needs_url}")
    values = {
        "name": entry.name,
        "interval_minutes": entry.interval_minutes,
        "timezone": entry.timezone,
        "default_currency": entry.currency,
    } | dict(overrides or {})
    config = entry.config | values.pop("config", {})
    return add_source(
        session,
        key or entry.key,
        entry.kind,
        url,
        config=config,
        major=entry.major,
        local_dirs=local_dirs,
        **values,
    )
