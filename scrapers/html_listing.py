"""HTML listing pages read with CSS selectors that each source states in its configuration.

A configuration maps fields to selectors relative to a row; "selector@attr" reads an
attribute instead of the text. `SEACE_LISTING_CONFIG` is the worked example: Peru's SEACE
search results (a PrimeFaces data table). A page whose rows no longer match is reported as a
layout change instead of yielding nothing, so a silent redesign cannot look like a quiet day;
nor can a moved column: every row's cells are checked (`listing_rows`), "required" lists the
fields every row must have besides title and reference, and a page where more than
"max_invalid_share" of the rows (0.2 by default) fail is refused whole as a layout change.
"""

import re
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector, SelectorSyntaxError

from portal.web_urls import web_url
from scrapers import peru
from scrapers.dates import to_utc
from scrapers.limits import read_capped
from scrapers.links import DroppedLinks
from scrapers.listing_rows import Problem, refuse_changed_layout, row_problems
from scrapers.records import (
    BuyerRecord,
    ItemError,
    NextPage,
    OpportunityRecord,
    ParseContext,
    ParsedItem,
    ParseError,
)
from scrapers.text import clean_text, fold, parse_amount

SEACE_LISTING_CONFIG = {
    "row": "tr[data-ri]",
    "empty": "tr.ui-datatable-empty-message",
    "buyer": "td:nth-child(2)",
    "published": "td:nth-child(3)",
    "reference": "td:nth-child(4)",
    "object": "td:nth-child(6)",
    "title": "td:nth-child(7)",
    "value": "td:nth-child(10)",
    "currency": "td:nth-child(11)",
    "next": "a.ui-paginator-next@href",
    "nomenclatura": True,
    "required": ["buyer", "published"],
}
FIELDS = (
    "title",
    "link",
    "reference",
    "published",
    "deadline",
    "value",
    "currency",
    "buyer",
    "object",
    "description",
    "procedure",
)
_CURRENCIES = {"soles": "PEN", "sol": "PEN", "s/": "PEN", "dolares": "USD", "us$": "USD"}
_CURRENCIES |= {"euros": "EUR", "euro": "EUR"}
_CONTROL_BYTES = bytes(code for code in range(32) if chr(code) not in "\t\n\r\f")
_MAX_CONTROL_SHARE = 0.01
_HTML_ELEMENT = re.compile(
    rb"<(?:!doctype\s+html|(?:html|body|table|thead|tbody|tr|td|th|div|span|p|a|ul|ol|li|dl"
    rb"|form|section|article|main|header|footer|nav|h[1-6])[\s/>])",
    re.IGNORECASE,
)


def parse(stream: BinaryIO, context: ParseContext) -> Iterator[ParsedItem]:
    config = context.config
    if not config.get("row") or not config.get("title"):
        raise ParseError("HTML listing source needs 'row' and 'title' selectors in its config")
    document = _document(read_capped(stream))
    rows = _select(document, config["row"])
    if not rows:
        if config.get("empty") and _select(document, config["empty"]):
            return
        raise ParseError(f"layout changed: no element matches the row selector {config['row']!r}")
    cells = [{name: _field(row, config.get(name)) for name in FIELDS} for row in rows]
    labelled = [(f"row {number}", fields) for number, fields in enumerate(cells, start=1)]
    records = listing_records(labelled, context, "page")
    dropped = DroppedLinks()
    for fields, record in zip(cells, records, strict=True):
        if isinstance(record, OpportunityRecord) and fields["link"] and record.url is None:
            dropped.add(record.source_ref, fields["link"])
        yield record
    yield from dropped.warnings()
    next_url = _field(document, config.get("next"))
    if next_url and not next_url.startswith(("#", "javascript:")):
        yield NextPage(urljoin(context.base_url or "", next_url))


def listing_records(
    rows: list[tuple[str, dict[str, str | None]]], context: ParseContext, what: str
) -> list[OpportunityRecord | ItemError]:
    """Records from a listing's (label, cells) rows, HTML or CSV, every row checked first: a
    page (or file) with too many bad rows is refused whole, fewer become item errors."""
    problems = [row_problems(fields, context) for _label, fields in rows]
    refuse_changed_layout(problems, context, what)
    return [
        _record(fields, context, label, found)
        for (label, fields), found in zip(rows, problems, strict=True)
    ]


def _record(
    fields: dict[str, str | None], context: ParseContext, row_label: str, problems: list[Problem]
) -> OpportunityRecord | ItemError:
    """A record from a checked row's cells, or the row's problems as an item error."""
    link = urljoin(context.base_url or "", fields["link"]) if fields.get("link") else None
    reference = fields.get("reference") or link
    title = fields.get("title")
    if problems:
        reasons = "; ".join(problem.reason for problem in problems)
        return ItemError(reference and reference[:200], f"{row_label}: {reasons}")
    procedure = fields.get("procedure")
    code = peru.procedure_from_text(procedure)
    if code is None and context.config.get("nomenclatura"):
        code = peru.procedure_from_nomenclatura(reference)
    value = parse_amount(fields.get("value"))
    return OpportunityRecord(
        source_ref=reference[:200],
        title=title[:1000],
        description=fields.get("description") or "",
        buyer=BuyerRecord(name=fields["buyer"][:300]) if fields.get("buyer") else None,
        object_type=peru.object_type_from_text(fields.get("object")),
        procedure_type_code=code,
        procedure_text=(procedure or None) and procedure[:300],
        region_code=peru.department_code(context.config.get("department")),
        estimated_value=value if value is not None and value >= 0 else None,
        currency=currency_code(fields.get("currency")) or context.default_currency,
        published_at=to_utc(fields.get("published"), context.timezone),
        deadline_at=to_utc(fields.get("deadline"), context.timezone),
        url=web_url(link),
    )


def currency_code(text: str | None) -> str | None:
    """ISO code from "Soles", "Dólares", "S/" or an ISO code itself."""
    folded = fold(text)
    if folded in _CURRENCIES:
        return _CURRENCIES[folded]
    return folded.upper() if len(folded) == 3 and folded.isalpha() else None


def _document(payload: bytes):
    if not payload.strip():
        raise ParseError("empty page: nothing to read")
    unlike_html = _unlike_html(payload)
    if unlike_html:
        raise ParseError(f"not an HTML page: {unlike_html}")
    encoding = "utf-8"
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        encoding = "cp1252"
    parser = lxml.html.HTMLParser(encoding=encoding, no_network=True)
    try:
        document = lxml.html.document_fromstring(payload, parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise ParseError(f"not an HTML page: {error}") from error
    if document is None:
        raise ParseError("not an HTML page")
    return document


def _unlike_html(payload: bytes) -> str | None:
    """Why a payload is not HTML at all (so a page refused for its rows always was HTML)."""
    start = payload.removeprefix(b"\xef\xbb\xbf").lstrip()
    if start.startswith(b"%PDF"):
        return "it is a PDF document"
    if start[:1] in (b"{", b"["):
        return "it is JSON"
    control_bytes = len(payload) - len(payload.translate(None, _CONTROL_BYTES))
    if control_bytes > len(payload) * _MAX_CONTROL_SHARE:
        return "it is binary data"
    return None if _HTML_ELEMENT.search(payload) else "it has no HTML element"


def _select(element, selector: str) -> list:
    try:
        return CSSSelector(selector)(element)
    except (SelectorSyntaxError, etree.XPathError) as error:
        raise ParseError(f"bad selector {selector!r} in the source config: {error}") from error


def _field(element, spec: str | None) -> str | None:
    """The first match's text, or its attribute with "selector@attr"."""
    if not spec or not isinstance(spec, str):
        return None
    selector, _, attribute = spec.partition("@")
    matches = _select(element, selector)
    if not matches:
        return None
    raw = matches[0].get(attribute) if attribute else matches[0].text_content()
    return clean_text(raw) or None
