"""What each kind of source reads and which configuration keys it takes: `portal sources kinds`.

The keys are those the parsers and the pipeline read (`context.config`, `source.config`); the
HTML example is the ready configuration for SEACE's result pages, the one its parser's tests
use, so copying it gives a working source.
"""

import json
from dataclasses import dataclass

from scrapers.html_listing import SEACE_LISTING_CONFIG
from scrapers.models import SourceKind

MAX_PAGES = ("max_pages", "páginas seguidas por visita (5 por omisión)")
LOCAL_URLS = (
    "URL: http(s), o un archivo, una carpeta o un patrón (file:///datos/oece/*.json) dentro de "
    "PORTAL_LOCAL_SOURCES_DIR; una carpeta o un patrón une varios archivos de un publicador en "
    "una fuente: cada archivo se lee como una página, en orden de nombre (si dos traen el mismo "
    "aviso, vale el último)."
)


@dataclass(frozen=True)
class KindGuide:
    kind: SourceKind
    summary: str
    keys: tuple[tuple[str, str], ...]
    examples: tuple[tuple[str, dict], ...]


GUIDES: tuple[KindGuide, ...] = (
    KindGuide(
        SourceKind.OCDS,
        "Paquetes OCDS de releases o de records, JSON Lines o paquetes concatenados. Una API "
        "paginada (links.next) se lee de lo más reciente hacia atrás hasta lo ya guardado: la "
        "marca de agua de la fuente es la fecha de la publicación más reciente que guardó.",
        (
            MAX_PAGES,
            ("since", "fecha ISO (2026-01-31): la primera visita no lee más atrás"),
            ("since_days", "lo mismo en días antes de la primera visita"),
            (
                "since_param",
                "parámetro de la URL al que va la marca de agua (hora de la fuente, "
                "AAAA-MM-DDTHH:MM:SS) cuando la API filtra por fecha; entonces se lee hasta "
                "su última página",
            ),
            ("country", "país (código ISO) de los compradores cuya dirección no lo dice"),
        ),
        (
            ("API paginada, lo más reciente primero (OECE)", {"max_pages": 10, "since_days": 14}),
            (
                "API que filtra por fecha (Find a Tender)",
                {"since_param": "updatedFrom", "since_days": 2, "country": "GB"},
            ),
        ),
    ),
    KindGuide(
        SourceKind.FEED,
        "RSS 2.0 o Atom; las extensiones CODICE de la plataforma española (PLACSP) se leen del "
        "mismo documento. No tiene claves propias.",
        (),
        (("cualquier feed", {}),),
    ),
    KindGuide(
        SourceKind.HTML,
        "Listas en páginas HTML leídas con selectores CSS relativos a cada fila; "
        "«selector@atributo» lee un atributo en vez del texto.",
        (
            ("row", "selector de cada fila (obligatorio)"),
            ("title", "título del aviso (obligatorio)"),
            ("link", "enlace al aviso, p. ej. «td a@href»"),
            ("reference", "código del proceso; sin él, el enlace"),
            ("published", "fecha de publicación (dd/mm/aaaa [hh:mm] o ISO, hora de la fuente)"),
            ("deadline", "fecha límite de ofertas"),
            ("value", "valor referencial (1.234,56 o 1,234.56)"),
            ("currency", "moneda («Soles», «S/», «USD»...); sin ella, la de la fuente"),
            ("buyer", "entidad que compra"),
            ("object", "objeto: bien, servicio, obra, consultoría de obra"),
            ("description", "descripción"),
            ("procedure", "tipo de procedimiento en texto"),
            (
                "empty",
                "selector del mensaje «sin resultados»: esa página no es un cambio de diseño",
            ),
            ("next", "enlace a la página siguiente, p. ej. «a.siguiente@href»"),
            ("nomenclatura", "true: el tipo de procedimiento sale del código SEACE de la fila"),
            ("department", "departamento de todas las filas (nombre o código INEI)"),
            ("required", "campos que toda fila debe traer además de título y referencia"),
            (
                "max_invalid_share",
                "parte de filas inválidas (0 a 1; 0.2 por omisión) desde la que la página se "
                "rechaza entera como cambio de diseño",
            ),
            MAX_PAGES,
        ),
        (
            (
                "lista genérica",
                {
                    "row": "table.avisos tr",
                    "title": "td.titulo",
                    "link": "td.titulo a@href",
                    "published": "td.fecha",
                    "next": "a.siguiente@href",
                },
            ),
            ("resultados del SEACE (lista para usar)", SEACE_LISTING_CONFIG),
        ),
    ),
    KindGuide(
        SourceKind.PLAN_FILE,
        "Plan anual de contrataciones (PAC) en CSV o XLSX con las columnas del formato CONSUCODE; "
        "se guarda entero o nada.",
        (
            ("entity", "entidad del plan, si el archivo no la dice"),
            ("ruc", "RUC de la entidad"),
            ("fiscal_year", "año del plan, si el archivo no lo dice"),
            ("source_ref", "referencia de la publicación"),
        ),
        (
            (
                "plan de una entidad",
                {"entity": "Municipalidad Distrital de Ejemplo", "fiscal_year": 2026},
            ),
        ),
    ),
    KindGuide(
        SourceKind.MANUAL,
        "Avisos que el personal escribe en el portal: sin URL, sin analizador ni configuración.",
        (),
        (),
    ),
)


def guide_for(kind: SourceKind | str) -> KindGuide:
    return next(guide for guide in GUIDES if guide.kind == SourceKind(kind))


def describe(guide: KindGuide) -> str:
    """A kind's keys and examples as `portal sources kinds` prints them."""
    lines = [f"{guide.kind.value}: {guide.summary}"]
    width = max((len(name) for name, _meaning in guide.keys), default=0)
    lines += [f"  {name.ljust(width)}  {meaning}" for name, meaning in guide.keys]
    for title, config in guide.examples:
        lines.append(f"  Ejemplo, {title}:")
        lines.append(f"    --config '{json.dumps(config, ensure_ascii=False)}'")
    return "\n".join(lines)
