"""HTML listing pages read with CSS selectors that each source states in its configuration.

A configuration maps fields to selectors relative to a row; "selector@attr" reads an
attribute instead of the text. `SEACE_LISTING_CONFIG` is the worked example: Peru's SEACE
search results (a PrimeFaces data table). A page whose rows no longer match is reported as a
layout change instead of yielding nothing, so a silent redesign cannot look like a quiet day.
"""

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
    dropped = DroppedLinks()
    for number, row in enumerate(rows, start=1):
        fields = {name: _field(row, config.get(name)) for name in FIELDS}
        record = listing_record(fields, context, row_label=f"row {number}")
        if isinstance(record, OpportunityRecord) and fields["link"] and record.url is None:
            dropped.add(record.source_ref, fields["link"])
        yield record
    yield from dropped.warnings()
    next_url = _field(document, config.get("next"))
    if next_url and not next_url.startswith(("#", "javascript:")):
        yield NextPage(urljoin(context.base_url or "", next_url))


def listing_record(
    fields: dict[str, str | None], context: ParseContext, row_label: str
) -> OpportunityRecord | ItemError:
    """A record from a listing's cells (HTML row or CSV line); a missing title or id fails."""
    link = urljoin(context.base_url or "", fields["link"]) if fields.get("link") else None
    reference = fields.get("reference") or link
    title = fields.get("title")
    if not reference or not title:
        missing = "title" if not title else "reference/link"
        return ItemError(reference, f"{row_label}: required field {missing} is empty")
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
