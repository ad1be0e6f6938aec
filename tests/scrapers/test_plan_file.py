import csv
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from portal.opportunities.models import ObjectType
from scrapers import plan_file
from scrapers.plan_file import PLAN_COLUMNS, RowProblem, validate_plan_rows
from scrapers.records import ItemError, ParseContext, ParseError, PlanRecord

CONTEXT = ParseContext(source_key="pac-upload")
HEADER = [
    "Año",
    "RUC",
    "Entidad",
    "Número de referencia",
    "Tipo de procedimiento",
    "Objeto",
    "Descripción",
    "Código CUBSO",
    "Valor estimado",
    "Moneda",
    "Mes previsto",
    "Departamento",
    "Cantidad",
    "Unidad de medida",
    "Fuente de financiamiento",
    "Observaciones",
]
GOOD_ROWS = [
    [
        "2026",
        "20131312955",
        "Seguro Social de Salud",
        "1",
        "AS",
        "Bienes",
        "Adquisición de útiles de escritorio",
        "4412170100000001",
        "45.000,50",
        "Soles",
        "marzo",
        "Cusco",
        "1.200",
        "Unidad",
        "Recursos Ordinarios",
        "",
    ],
    [
        "2026",
        "20131312955",
        "Seguro Social de Salud",
        "2",
        "Licitación Pública",
        "Consultoría de Obras",
        "Supervisión de obra",
        "81101501",
        "1.250.000,00",
        "PEN",
        "11",
        "15",
        "",
        "",
        "",
        "Con saldo",
    ],
]


def csv_bytes(rows, delimiter=",", encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([HEADER, *rows])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse(payload: bytes) -> list:
    return list(plan_file.parse(io.BytesIO(payload), CONTEXT))


def assert_good_plan(items):
    [plan] = items
    assert isinstance(plan, PlanRecord)
    assert plan.fiscal_year == 2026
    assert (plan.buyer.ruc, plan.buyer.name) == ("20131312955", "Seguro Social de Salud")
    first, second = plan.lines
    assert first.reference_number == "1"
    assert first.object_type is ObjectType.GOODS
    assert first.procedure_type_code == "AS"
    assert first.classification_code == "4412170100000001"
    assert first.estimated_value == Decimal("45000.50")
    assert (first.planned_month, first.region_code, first.quantity) == (3, "08", Decimal("1200"))
    assert first.funding_source == "Recursos Ordinarios"
    assert second.object_type is ObjectType.CONSULTING
    assert second.procedure_type_code == "LP"
    assert second.estimated_value == Decimal("1250000.00")
    assert (second.planned_month, second.region_code, second.notes) == (11, "15", "Con saldo")


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(",", "utf-8-sig"), (";", "utf-8"), (";", "cp1252"), (",", "cp1252")],
)
def test_csv_plan_in_both_encodings_and_separators(delimiter, encoding):
    assert_good_plan(parse(csv_bytes(GOOD_ROWS, delimiter, encoding)))


def test_xlsx_plan_with_numbers_as_cells():
    rows = [list(row) for row in GOOD_ROWS]
    rows[0][0], rows[0][8], rows[0][10] = 2026, "45.000,50", 3
    rows[1][0], rows[1][8] = 2026.0, 1250000.0
    assert_good_plan(parse(xlsx_bytes(rows)))


def test_xlsx_formulas_are_not_evaluated():
    rows = [list(row) for row in GOOD_ROWS]
    rows[0][8] = "=1000*45"
    [plan] = parse(xlsx_bytes(rows))
    assert plan.lines[0].estimated_value is None


def test_rows_of_one_ruc_form_one_plan_whatever_the_name_spelling():
    rows = [list(row) for row in GOOD_ROWS]
    rows[1][2] = "ESSALUD"
    [plan] = parse(csv_bytes(rows))
    assert len(plan.lines) == 2


def test_one_plan_per_buyer_and_year():
    rows = [list(row) for row in GOOD_ROWS]
    rows[1][0] = "2027"
    plans = parse(csv_bytes(rows))
    assert [(plan.fiscal_year, len(plan.lines)) for plan in plans] == [(2026, 1), (2027, 1)]


def test_bad_rows_give_spanish_errors_and_no_plan():
    bad = [list(row) for row in GOOD_ROWS]
    bad[0][4] = "XYZ"
    bad[0][7] = "12345"
    bad[1][3] = "1"
    bad[1][8] = "mucho"
    bad[1][10] = "13"
    bad[1][11] = "Narnia"
    items = parse(csv_bytes(bad))
    assert all(isinstance(item, ItemError) for item in items)
    assert [item.item_ref for item in items] == ["fila 2", "fila 3"]
    assert "tipo_procedimiento: tipo de procedimiento desconocido: 'XYZ'" in items[0].reason
    assert "codigo_cubso" in items[0].reason
    for fragment in ("repetido", "no es un número", "mes fuera de 1 a 12", "departamento"):
        assert fragment in items[1].reason


def test_validate_plan_rows_reports_row_and_column():
    rows = [
        {
            "año": "2026",
            "entidad": "Municipalidad",
            "numero_referencia": "7",
            "objeto": "Obras",
            "descripcion": "Pistas",
            "mes_previsto": "setiembre",
            "codigo_cubso": "7214",
        },
    ]
    lines, problems = validate_plan_rows(rows)
    assert lines == []
    assert problems == [
        RowProblem(2, "codigo_cubso", "código inválido: '7214' (8 dígitos UNSPSC o 16 CUBSO)")
    ]
    rows[0]["codigo_cubso"] = "72141101"
    lines, problems = validate_plan_rows(rows)
    assert problems == []
    assert (lines[0].planned_month, lines[0].object_type) == (9, ObjectType.WORKS)


def test_missing_required_values_and_invalid_ruc():
    rows = [
        {
            "año": "26",
            "ruc": "20131312956",
            "numero_referencia": "",
            "objeto": "Cosas",
            "descripcion": "",
            "mes_previsto": "",
        }
    ]
    _, problems = validate_plan_rows(rows)
    columns = {problem.column for problem in problems}
    assert columns == {"año", "ruc", "numero_referencia", "objeto", "descripcion", "mes_previsto"}


def test_plan_columns_are_documented_in_spanish():
    assert list(PLAN_COLUMNS)[:4] == ["año", "ruc", "entidad", "numero_referencia"]
    assert all(explanation.endswith(".") for explanation in PLAN_COLUMNS.values())


def test_seace_export_is_not_a_plan(shared_fixtures):
    for name in ("resultados_orden_produccion.csv", "procesos_seace.csv"):
        with pytest.raises(ParseError, match="no es un plan anual"):
            parse((shared_fixtures / "seace-html" / name).read_bytes())


def test_header_only_file_is_refused():
    with pytest.raises(ParseError, match="no tiene filas"):
        parse(csv_bytes([]))


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hola.txt", "hola")
    with pytest.raises(ParseError, match="xl/workbook.xml"):
        parse(buffer.getvalue())


def test_zip_bomb_is_refused_before_decompressing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(ParseError, match="demasiado grande"):
        parse(buffer.getvalue())


@pytest.mark.parametrize("payload", [b"", b"PK\x03\x04garbage", b"PK\x05\x06" + b"\0" * 18])
def test_broken_files_are_parse_errors(payload):
    with pytest.raises(ParseError):
        parse(payload)
