import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from portal.opportunities.models import ObjectType
from scrapers import html_listing
from scrapers.html_listing import SEACE_LISTING_CONFIG
from scrapers.records import ItemError, NextPage, OpportunityRecord, ParseContext, ParseError

SEACE = ParseContext(
    source_key="seace-arequipa",
    base_url="https://prod2.seace.gob.pe/seacebus-uiwd-pub/buscadorPublico/buscadorPublico.xhtml",
    config=SEACE_LISTING_CONFIG | {"department": "AREQUIPA"},
)
GENERIC = ParseContext(
    source_key="compras-municipales",
    base_url="https://compras.example.pe/convocatorias/?page=1",
    config={
        "row": "table.avisos tr.aviso",
        "title": "td.titulo",
        "link": "td.titulo a@href",
        "published": "td.fecha",
        "deadline": "td.cierre",
        "value": "td.monto",
        "procedure": "td.tipo",
        "next": "a.siguiente@href",
    },
)
GENERIC_PAGE = """<html><body><table class="avisos">
<tr class="aviso"><td class="titulo"><a href="/aviso/7">Compra de carpetas</a></td>
  <td class="fecha">02/02/2026 09:30</td><td class="cierre">10/02/2026 17:00</td>
  <td class="monto">S/ 12.500,00</td><td class="tipo">Subasta Inversa Electrónica</td></tr>
<tr class="aviso"><td class="titulo"></td><td class="fecha">03/02/2026</td></tr>
<tr class="aviso"><td class="titulo"><a href="/aviso/9">Pintado de aulas</a></td></tr>
</table><a class="siguiente" href="?page=2">Siguiente</a></body></html>"""


def parse(payload: bytes, context: ParseContext) -> list:
    return list(html_listing.parse(io.BytesIO(payload), context))


def seace_rows(shared_fixtures, name: str) -> list[OpportunityRecord]:
    payload = (shared_fixtures / "seace-html" / name).read_bytes()
    return [item for item in parse(payload, SEACE) if isinstance(item, OpportunityRecord)]


@pytest.mark.parametrize(
    "name", ["regional_resultados_tbody_p1.html", "regional_resultados_container_p1.html"]
)
def test_seace_results_table_gives_fifteen_calls(shared_fixtures, name):
    rows = seace_rows(shared_fixtures, name)
    assert len(rows) == 15
    first = rows[0]
    assert first.source_ref == "CP SER-SM-1-2026-MDCC-1"
    assert first.title.startswith("MANTENIMIENTO DE LA INFRAESTRUCTURA DEL COLISEO LUNA PIZARRO")
    assert first.buyer.name == "MUNICIPALIDAD DISTRITAL DE CERRO COLORADO"
    assert first.published_at == datetime(2026, 1, 28, 20, 9, tzinfo=UTC)
    assert first.object_type is ObjectType.SERVICES
    assert first.procedure_type_code == "CP"
    assert first.estimated_value is None
    assert first.currency == "PEN"
    assert first.region_code == "04"


def test_seace_reference_values_and_abbreviated_procedures(shared_fixtures):
    by_ref = {
        row.source_ref: row
        for row in seace_rows(shared_fixtures, "regional_resultados_tbody_p1.html")
    }
    works = by_ref["LP-ABR-3-2026-MDCC-1"]
    assert works.procedure_type_code == "LPA"
    assert works.object_type is ObjectType.WORKS
    assert works.estimated_value == Decimal("34100000.00")
    assert by_ref["SIE-SIE-1-2026-MDCC-1"].procedure_type_code == "SIE"
    assert by_ref["COMPRE-COMPRE-1-2026-MDCC-2"].procedure_type_code == "CDP"


def test_seace_javascript_paginator_gives_no_next_page(shared_fixtures):
    payload = (
        shared_fixtures / "seace-html" / "regional_resultados_container_p1.html"
    ).read_bytes()
    assert not [item for item in parse(payload, SEACE) if isinstance(item, NextPage)]


@pytest.mark.parametrize(
    "name", ["regional_resultados_paginador_p1.html", "departamento_panel_AREQUIPA.html"]
)
def test_page_without_rows_means_the_layout_changed(shared_fixtures, name):
    payload = (shared_fixtures / "seace-html" / name).read_bytes()
    with pytest.raises(ParseError, match="layout changed"):
        parse(payload, SEACE)


def test_empty_result_message_is_not_a_layout_change():
    page = (
        b'<table><tr class="ui-widget-content ui-datatable-empty-message">'
        b"<td>No se encontraron Datos</td></tr></table>"
    )
    assert parse(page, SEACE) == []


def test_generic_listing_reads_links_amounts_and_deadlines():
    items = parse(GENERIC_PAGE.encode(), GENERIC)
    first = items[0]
    assert first.source_ref == "https://compras.example.pe/aviso/7"
    assert first.url == "https://compras.example.pe/aviso/7"
    assert first.title == "Compra de carpetas"
    assert first.estimated_value == Decimal("12500.00")
    assert first.deadline_at == datetime(2026, 2, 10, 22, tzinfo=UTC)
    assert first.procedure_type_code == "SIE"
    assert first.procedure_text == "Subasta Inversa Electrónica"


def test_row_missing_a_required_field_is_an_item_error_and_others_continue():
    items = parse(GENERIC_PAGE.encode(), GENERIC)
    assert isinstance(items[1], ItemError)
    assert "title" in items[1].reason
    assert items[2].title == "Pintado de aulas"


def test_next_link_is_made_absolute():
    items = parse(GENERIC_PAGE.encode(), GENERIC)
    assert items[-1] == NextPage("https://compras.example.pe/convocatorias/?page=2")


def test_windows_1252_page_is_decoded():
    page = GENERIC_PAGE.replace("carpetas", "cañerías").encode("cp1252")
    assert parse(page, GENERIC)[0].title == "Compra de cañerías"


@pytest.mark.parametrize("payload", [b"", b"   \n"])
def test_empty_page_is_a_parse_error(payload):
    with pytest.raises(ParseError):
        parse(payload, GENERIC)


def test_config_without_row_selector_is_refused():
    with pytest.raises(ParseError, match="row"):
        parse(GENERIC_PAGE.encode(), ParseContext(source_key="x", config={"title": "td"}))


def test_bad_selector_is_a_parse_error():
    config = GENERIC.config | {"row": "tr[[["}
    with pytest.raises(ParseError, match="bad selector"):
        parse(GENERIC_PAGE.encode(), ParseContext(source_key="x", config=config))
