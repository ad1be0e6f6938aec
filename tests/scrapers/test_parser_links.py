"""Every URL a parser stores is http(s), by one check; the others are dropped with one warning per
payload. Parsers that read a payload whole stop past the page cap with the fetcher's message."""

import io
import json

import pytest

from scrapers import feed, html_listing, ocds
from scrapers.limits import MAX_PAGE_BYTES
from scrapers.records import OpportunityRecord, ParseContext, ParseError, ParseWarning

CONTEXT = ParseContext(source_key="prueba", base_url="https://compras.example.pe/avisos")
HOSTILE = {
    "aviso-js": "javascript:alert(document.cookie)",
    "aviso-data": "data:text/html;base64,PHNjcmlwdD4=",
    "aviso-archivo": "file:///etc/passwd",
    "aviso-ftp": "ftp://compras.example.pe/bases.pdf",
    "aviso-relativo": "../aviso/5",
}
OFFICIAL = "https://compras.example.pe/aviso/1"


def parsed(parser, payload: bytes, context: ParseContext = CONTEXT) -> tuple[dict, list[str]]:
    items = list(parser(io.BytesIO(payload), context))
    records = {item.source_ref: item for item in items if isinstance(item, OpportunityRecord)}
    return records, [item.message for item in items if isinstance(item, ParseWarning)]


def rss(links: dict[str, str]) -> bytes:
    items = "".join(
        f"<item><guid>{ref}</guid><title>Agua {ref}</title><link>{link}</link></item>"
        for ref, link in links.items()
    )
    return f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()


def test_the_feed_parser_keeps_only_http_links_and_warns_once():
    records, warnings = parsed(feed.parse, rss(HOSTILE | {"aviso-oficial": OFFICIAL}))

    assert {ref: record.url for ref, record in records.items()} == {
        **dict.fromkeys(HOSTILE),
        "aviso-oficial": OFFICIAL,
    }
    assert len(warnings) == 1
    assert warnings[0].startswith("enlaces descartados por no ser http ni https: 5 (")
    assert "aviso-js: 'javascript:alert(document.cookie)'" in warnings[0]


def test_a_feed_with_only_web_links_has_no_warning():
    records, warnings = parsed(feed.parse, rss({"aviso-oficial": " " + OFFICIAL + " "}))

    assert records["aviso-oficial"].url == OFFICIAL and warnings == []


def test_the_html_parser_drops_links_that_are_not_http_with_a_warning():
    rows = "".join(
        f'<tr class="aviso"><td class="ref">{ref}</td>'
        f'<td class="titulo"><a href="{link}">Obra {ref}</a></td></tr>'
        for ref, link in (HOSTILE | {"aviso-oficial": "/aviso/1"}).items()
    )
    page = f'<html><body><table class="avisos">{rows}</table></body></html>'.encode()
    config = {"row": "tr.aviso", "title": "td.titulo", "link": "td.titulo a@href"}
    config |= {"reference": "td.ref"}
    context = ParseContext(source_key="prueba", base_url=CONTEXT.base_url, config=config)

    records, warnings = parsed(html_listing.parse, page, context)

    assert records["aviso-oficial"].url == OFFICIAL
    assert records["aviso-relativo"].url == "https://compras.example.pe/aviso/5"  # a page's own
    dropped = {ref for ref, record in records.items() if record.url is None}
    assert dropped == {"aviso-js", "aviso-data", "aviso-archivo", "aviso-ftp"}
    assert len(warnings) == 1 and ": 4 (" in warnings[0]


def test_the_ocds_parser_skips_document_urls_that_are_not_http():
    release = {
        "ocid": "ocds-x-1",
        "id": "1",
        "date": "2026-05-01T00:00:00Z",
        "tag": ["tender"],
        "buyer": {"name": "Municipalidad de Pisco"},
        "tender": {
            "id": "t1",
            "title": "Compra de carpetas",
            "documents": [
                {"documentType": "tenderNotice", "url": "javascript:alert(1)"},
                {"documentType": "biddingDocuments", "url": " " + OFFICIAL},
            ],
        },
    }

    records, _warnings = parsed(ocds.parse, json.dumps({"releases": [release]}).encode())

    assert records["ocds-x-1"].url == OFFICIAL


@pytest.mark.parametrize("parser", [feed.parse, html_listing.parse])
def test_parsers_that_read_a_page_whole_stop_past_the_page_cap(parser):
    payload = io.BytesIO(b"<rss>" + b" " * MAX_PAGE_BYTES)
    config = {"row": "tr", "title": "td"}
    context = ParseContext(source_key="prueba", config=config)

    with pytest.raises(ParseError, match="respuesta demasiado grande: más de 20 MB"):
        list(parser(payload, context))

    assert payload.tell() == MAX_PAGE_BYTES + 1  # one byte past the cap, not the rest
