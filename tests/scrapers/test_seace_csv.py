import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from portal.opportunities.models import ObjectType
from scrapers.records import ItemError, OpportunityRecord, ParseContext, ParseError
from scrapers.seace_csv import parse_seace_calls_csv

CONTEXT = ParseContext(source_key="seace-csv", config={"department": "Arequipa"})


def parse(payload: bytes) -> list:
    return list(parse_seace_calls_csv(io.BytesIO(payload), CONTEXT))


def test_export_with_bom_gives_all_32_calls(shared_fixtures):
    items = parse((shared_fixtures / "seace-html" / "procesos_seace.csv").read_bytes())
    assert len(items) == 32
    assert all(isinstance(item, OpportunityRecord) for item in items)
    by_ref = {item.source_ref: item for item in items}
    first = by_ref["CP SER-SM-1-2026-MDCC-1"]
    assert first.published_at == datetime(2026, 1, 28, 20, 9, tzinfo=UTC)
    assert first.object_type is ObjectType.SERVICES
    assert first.estimated_value is None
    assert first.region_code == "04"
    works = by_ref["LP-ABR-3-2026-MDCC-1"]
    assert (works.procedure_type_code, works.object_type) == ("LPA", ObjectType.WORKS)
    assert works.estimated_value == Decimal("34100000.00")
    consulting = by_ref["CP CON-SM-1-2025-CS/MDLJ-1"]
    assert consulting.object_type is ObjectType.CONSULTING
    assert by_ref["DIRECTA-DIRECTA-2-2026-GRA-1"].procedure_type_code == "CD"


def test_malformed_export_is_refused_with_a_clear_error(shared_fixtures):
    payload = (shared_fixtures / "seace-html" / "resultados_orden_produccion.csv").read_bytes()
    with pytest.raises(ParseError, match="malformed SEACE export"):
        parse(payload)


def test_semicolon_windows_1252_export_and_short_rows():
    text = (
        "N°;Nombre o Sigla de la Entidad;Fecha y Hora de Publicacion;Nomenclatura;"
        "Reiniciado Desde;Objeto de Contratación;Descripción de Objeto;"
        "VR / VE / Cuantía de la contratación;Moneda;Versión SEACE\n"
        "1;MUNICIPALIDAD DE PUNO;05/02/2026 10:00;AS-SM-4-2026-MPP-1;;Bien;"
        "Compra de útiles;1.234,50;Soles;3\n"
        "2;MUNICIPALIDAD DE PUNO;05/02/2026\n"
    )
    items = parse(text.encode("cp1252"))
    assert items[0].title == "Compra de útiles"
    assert items[0].estimated_value == Decimal("1234.50")
    assert items[0].procedure_type_code == "AS"
    assert isinstance(items[1], ItemError)


def test_file_that_is_not_a_seace_export_is_refused():
    with pytest.raises(ParseError, match="not a SEACE calls export"):
        parse(b"a,b,c\n1,2,3\n")
