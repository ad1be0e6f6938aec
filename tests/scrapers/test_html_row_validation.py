"""Listing rows are checked before any is kept: a moved column fails the page as a layout change.

The real SEACE result pages (../shared/fixtures/seace-html) with one column inserted are what a
SEACE redesign looks like: every selector still finds text, only the wrong text.
"""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.buyers.models import Buyer
from portal.opportunities.models import Opportunity
from scrapers import html_listing
from scrapers.html_listing import SEACE_LISTING_CONFIG
from scrapers.models import RunStatus, SourceKind
from scrapers.pipeline import run_source
from scrapers.records import ItemError, OpportunityRecord, ParseContext, ParseError
from scrapers.seace_csv import parse_seace_calls_csv

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
SEACE = ParseContext(source_key="seace", config=SEACE_LISTING_CONFIG)
PAGES = ("regional_resultados_container_p1.html", "regional_resultados_tbody_p1.html")
_ROW = re.compile(rb'(<tr data-ri="\d+"[^>]*>)(.*?)(</tr>)', re.DOTALL)


def seace_page(shared_fixtures, name: str = PAGES[0]) -> bytes:
    return (shared_fixtures / "seace-html" / name).read_bytes()


def with_cell(page: bytes, before: int, text: bytes = b"20100070970") -> bytes:
    """Every result row with one more cell before its `before`-th cell (1-based)."""

    def insert(row: re.Match) -> bytes:
        body = row[2]
        cells = [cell.start() for cell in re.finditer(rb"<td\b", body)]
        at = cells[before - 1]
        cell = b'<td role="gridcell">' + text + b"</td>"
        return row[1] + body[:at] + cell + body[at:] + row[3]

    return _ROW.sub(insert, page)


def with_rows_changed(page: bytes, count: int, old: bytes, new: bytes) -> bytes:
    """The first `count` rows with `old` replaced by `new` in them."""
    seen = 0

    def change(row: re.Match) -> bytes:
        nonlocal seen
        seen += 1
        return row[0].replace(old, new) if seen <= count else row[0]

    return _ROW.sub(change, page)


def parse(payload: bytes, context: ParseContext = SEACE) -> list:
    return list(html_listing.parse(io.BytesIO(payload), context))


def opportunities(items: list) -> list[OpportunityRecord]:
    return [item for item in items if isinstance(item, OpportunityRecord)]


@pytest.mark.parametrize("name", PAGES)
def test_unmodified_real_pages_give_every_row(shared_fixtures, name):
    items = parse(seace_page(shared_fixtures, name))
    assert len(opportunities(items)) == 15
    assert not [item for item in items if isinstance(item, ItemError)]


def test_column_inserted_after_the_number_is_a_layout_change_naming_fields(shared_fixtures):
    with pytest.raises(ParseError) as refused:
        parse(with_cell(seace_page(shared_fixtures), before=2))
    message = str(refused.value)
    assert message.startswith("layout changed: 15 of 15 rows fail validation")
    for field in ("reference on 15", "title on 15", "buyer on 15", "published on 15"):
        assert field in message
    assert "nothing from this page is kept" in message


@pytest.mark.parametrize("before", [1, 3, 4, 5, 6, 7, 11])
def test_column_inserted_anywhere_before_a_read_cell_is_a_layout_change(shared_fixtures, before):
    with pytest.raises(ParseError, match="^layout changed"):
        parse(with_cell(seace_page(shared_fixtures), before=before))


def test_few_bad_rows_are_item_errors_with_reasons_and_the_rest_is_kept(shared_fixtures):
    page = with_rows_changed(
        seace_page(shared_fixtures), 1, b"28/01/2026 15:09", b"28 de enero"
    )  # row 1 only
    items = parse(page)
    [error] = [item for item in items if isinstance(item, ItemError)]
    assert error.item_ref == "CP SER-SM-1-2026-MDCC-1"
    assert error.reason == "row 1: published '28 de enero' is not a date"
    assert len(opportunities(items)) == 14


def test_more_than_a_fifth_of_bad_rows_is_a_layout_change(shared_fixtures):
    page = with_rows_changed(seace_page(shared_fixtures), 4, b">Soles<", b">2026<")
    with pytest.raises(ParseError, match=r"^layout changed: 4 of 15 rows .*currency on 4"):
        parse(page)


def test_the_share_of_bad_rows_a_page_may_have_is_configurable(shared_fixtures):
    page = with_rows_changed(seace_page(shared_fixtures), 4, b">Soles<", b">2026<")
    tolerant = ParseContext("seace", config=SEACE_LISTING_CONFIG | {"max_invalid_share": 0.5})
    items = parse(page, tolerant)
    assert len([item for item in items if isinstance(item, ItemError)]) == 4
    assert len(opportunities(items)) == 11


@pytest.mark.parametrize("share", [-0.1, 1.5, "mucho", True])
def test_a_bad_share_in_the_config_is_refused(shared_fixtures, share):
    context = ParseContext("seace", config=SEACE_LISTING_CONFIG | {"max_invalid_share": share})
    with pytest.raises(ParseError, match="max_invalid_share"):
        parse(seace_page(shared_fixtures), context)


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("Bien", "is text"),
        ("MUNICIPALIDAD DISTRITAL DE CERRO COLORADO", "is text"),
        ("15", "is a bare number"),
        ("28/01/2026 15:09", "is a date"),
        ("2026-0042", "is not a SEACE nomenclatura"),
    ],
)
def test_a_reference_must_look_like_one(shared_fixtures, reference, reason):
    page = with_rows_changed(
        seace_page(shared_fixtures), 1, b">CP SER-SM-1-2026-MDCC-1<", f">{reference}<".encode()
    )
    [error] = [item for item in parse(page) if isinstance(item, ItemError)]
    assert reason in error.reason


def test_generic_listing_accepts_references_without_nomenclatura():
    context = ParseContext(
        "municipio",
        base_url="https://compras.example.pe/",
        config={"row": "tr", "title": "td.t", "reference": "td.r", "value": "td.v"},
    )
    page = (
        "<table><tr><td class='r'>aviso-oficial</td><td class='t'>Compra de útiles</td></tr>"
        "<tr><td class='r'>Exp. 123/2026</td><td class='t'>Compra de carpetas</td>"
        "<td class='v'>S/ 12.500,00</td></tr>"
        "<tr><td class='r'>2026-0042</td><td class='t'>Pintado de aulas</td>"
        "<td class='v'>Reservado</td></tr></table>"
    )
    assert [row.source_ref for row in opportunities(parse(page.encode(), context))] == [
        "aviso-oficial",
        "Exp. 123/2026",
        "2026-0042",
    ]


@pytest.mark.parametrize(
    "payload",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n<table><tr><td>x</td></tr></table>",
        bytes(range(256)) * 8,
        b'{"releases": [{"ocid": "ocds-1", "tender": {"title": "<p>Compra</p>"}}]}',
        b"\xef\xbb\xbf  [1, 2, 3]",
        b"hola, esto no es una tabla",
    ],
    ids=["pdf", "binary", "json", "json-array", "plain-text"],
)
def test_content_that_is_not_html_is_never_called_a_layout_change(payload):
    with pytest.raises(ParseError) as refused:
        parse(payload)
    assert str(refused.value).startswith("not an HTML page")


def test_real_seace_export_still_gives_every_call(shared_fixtures):
    payload = (shared_fixtures / "seace-html" / "procesos_seace.csv").read_bytes()
    items = list(parse_seace_calls_csv(io.BytesIO(payload), ParseContext("seace-csv")))
    assert len(opportunities(items)) == 32 and len(items) == 32


def test_seace_export_with_dates_in_the_nomenclatura_column_is_refused():
    header = (
        "Nombre o Sigla de la Entidad,Fecha y Hora de Publicacion,Nomenclatura,"
        "Objeto de Contratación,Descripción de Objeto,VR / VE / Cuantía de la contratación,Moneda"
    )
    line = "MUNICIPALIDAD DE PUNO,05/02/2026 10:00,05/02/2026 10:00,Bien,Compra de útiles,---,Soles"
    payload = "\n".join([header, line, line, line]).encode()
    with pytest.raises(ParseError, match=r"^layout changed: 3 of 3 .*nothing from this file"):
        list(parse_seace_calls_csv(io.BytesIO(payload), ParseContext("seace-csv")))


def count(session, column) -> int:
    return session.scalar(select(func.count(column)))


def test_run_on_a_page_with_an_inserted_column_fails_and_stores_nothing(
    session, http_server, make_source, fetcher, shared_fixtures
):
    """The issue's case: today 15 notices titled "Bien", dated references, a buyer "2010…"."""
    page = seace_page(shared_fixtures)
    Reply = http_server.Reply
    url = http_server.route("/seace", Reply(body=page), Reply(body=with_cell(page, before=2)))
    source = make_source("seace", SourceKind.HTML, url, config=SEACE_LISTING_CONFIG)
    assert run_source(session, source, NOW, fetcher).new == 15
    stored = set(session.scalars(select(Opportunity.source_ref)))
    buyers = count(session, Buyer.id)

    run = run_source(session, source, NOW + timedelta(hours=1), fetcher)

    assert run.status == RunStatus.FAILED and run.error.startswith("layout changed")
    assert set(session.scalars(select(Opportunity.source_ref))) == stored
    assert count(session, Buyer.id) == buyers
    assert not session.scalars(select(Opportunity.id).where(Opportunity.title == "Bien")).all()


def test_local_file_with_an_inserted_column_stores_nothing(
    session, make_source, fetcher, shared_fixtures, tmp_path
):
    path = tmp_path / "seace.html"
    path.write_bytes(with_cell(seace_page(shared_fixtures), before=2))
    source = make_source("seace", SourceKind.HTML, path.as_uri(), config=SEACE_LISTING_CONFIG)

    run = run_source(session, source, NOW, fetcher)

    assert run.status == RunStatus.FAILED and "layout changed" in run.error
    assert count(session, Opportunity.id) == 0 and count(session, Buyer.id) == 0


def test_run_on_the_real_page_stores_all_fifteen(
    session, http_server, make_source, fetcher, shared_fixtures
):
    url = http_server.route("/seace", http_server.Reply(body=seace_page(shared_fixtures)))
    source = make_source("seace", SourceKind.HTML, url, config=SEACE_LISTING_CONFIG)

    run = run_source(session, source, NOW, fetcher)

    assert (run.status, run.new, run.failed) == (RunStatus.SUCCEEDED, 15, 0)
