"""SEACE's "Buscador de Procedimientos" CSV export: a list of calls, not a plan.

The same fields as the HTML listing, so rows go through `html_listing.listing_records` and
its checks (a file with too many bad rows is refused whole). A broken export (SEACE sometimes
puts every tab-separated row inside one quoted cell) is refused as a whole: its rows do not
have the header's columns.
"""

from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO

from scrapers.html_listing import listing_records
from scrapers.plan_table import read_csv_rows
from scrapers.records import ItemError, ParseContext, ParsedItem, ParseError
from scrapers.text import clean_text, fold

# Folded header -> listing field.
COLUMNS = {
    "nombre o sigla de la entidad": "buyer",
    "fecha y hora de publicacion": "published",
    "nomenclatura": "reference",
    "objeto de contratacion": "object",
    "descripcion de objeto": "title",
    "vr / ve / cuantia de la contratacion": "value",
    "moneda": "currency",
}


def parse_seace_calls_csv(stream: BinaryIO, context: ParseContext) -> Iterator[ParsedItem]:
    rows = read_csv_rows(stream.read())
    if not rows:
        raise ParseError("empty SEACE export: nothing to read")
    header = [fold(cell) for cell in rows[0]]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ParseError(f"not a SEACE calls export: columns missing {missing}")
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if any("\t" in cell for row in body for cell in row):
        raise ParseError("malformed SEACE export: tab-separated rows pasted inside one cell")
    if body and not any(len(row) == len(header) for row in body):
        raise ParseError(f"malformed SEACE export: no row has the header's {len(header)} columns")
    config = {**context.config, "nomenclatura": True, "required": ["buyer", "published"]}
    context = replace(context, config=config)
    short: list[ItemError] = []
    lines: list[tuple[str, dict[str, str | None]]] = []
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            reason = f"line {number}: {len(row)} columns, header has {len(header)}"
            short.append(ItemError(None, reason))
            continue
        cells = dict(zip(header, row, strict=True))
        fields = {field: clean_text(cells[column]) or None for column, field in COLUMNS.items()}
        lines.append((f"line {number}", fields))
    yield from listing_records(lines, context, "file")
    yield from short
