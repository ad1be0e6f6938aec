import csv
import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from portal.opportunities.models import ObjectType
from portal.plans.models import AnnualPlan
from scrapers import plan_file, plan_table
from scrapers.models import RunStatus, ScrapeItemFailure, SourceKind
from scrapers.pipeline import reparse, run_source
from scrapers.plan_file import (
    PLAN_COLUMNS,
    PlanFileContext,
    RowProblem,
    read_plan_file,
    validate_plan_rows,
)
from scrapers.plan_template import TEMPLATE_HEADERS, template_csv, template_xlsx
from scrapers.records import BuyerRecord, ItemError, ParseContext, ParseError, PlanRecord

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
    assert "Tipo de procedimiento: tipo de procedimiento desconocido: 'XYZ'" in items[0].reason
    assert "Código CUBSO: código CUBSO/UNSPSC inválido: '12345'" in items[0].reason
    for fragment in (
        "Número de referencia: número de referencia repetido: '1' ya aparece en la fila 2",
        "Valor estimado: no es un número válido: 'mucho'",
        "Mes previsto: mes no válido: '13'",
        "Departamento: ubicación desconocida: 'Narnia'",
    ):
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
        RowProblem(
            2, "codigo_cubso", "código CUBSO/UNSPSC inválido: '7214' (16 dígitos CUBSO u 8 UNSPSC)"
        )
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
    assert list(PLAN_COLUMNS)[:4] == [
        "numero_referencia",
        "tipo_procedimiento",
        "objeto",
        "descripcion",
    ]
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
    with pytest.raises(ParseError, match="xl/workbook.xml.*un archivo ZIP"):
        parse(buffer.getvalue())


def test_zip_bomb_is_refused_before_decompressing(monkeypatch):
    monkeypatch.setattr(plan_table, "MAX_SHEET_BYTES", 10 * 1024 * 1024)
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


def test_parse_takes_year_and_entity_from_the_source_config():
    header = ["N°", "Objeto", "Descripción", "Mes previsto"]
    payload = "\n".join(",".join(row) for row in [header, ["1", "Bienes", "Papel", "03/2026"]])
    context = ParseContext(
        "pac-essalud",
        config={"fiscal_year": 2026, "ruc": "20131312955", "entity": "EsSalud", "source_ref": "x"},
    )
    [plan] = plan_file.parse(io.BytesIO(payload.encode()), context)
    assert (plan.fiscal_year, plan.buyer.ruc, plan.buyer.name) == (2026, "20131312955", "EsSalud")
    assert (plan.source_ref, plan.lines[0].planned_month) == ("x", 3)


def test_file_without_year_or_entity_anywhere_is_refused():
    payload = "N°,Objeto,Descripción,Mes previsto\n1,Bienes,Papel,3\n".encode()
    with pytest.raises(ParseError, match="año fiscal"):
        parse(payload)
    with pytest.raises(ParseError, match="de qué entidad"):
        list(plan_file.parse(io.BytesIO(payload), ParseContext("x", config={"fiscal_year": 2026})))


# The template ------------------------------------------------------------------------------

UPLOADER = PlanFileContext(2026, BuyerRecord("Seguro Social de Salud", "20131312955"))


@pytest.mark.parametrize("template", [template_csv, template_xlsx])
def test_template_reads_back_with_no_problems_and_one_line(template):
    reading = read_plan_file(io.BytesIO(template()), UPLOADER)
    assert (reading.problems, reading.rows) == ([], 1)
    [plan] = reading.plans
    [line] = plan.lines
    assert (line.reference_number, line.procedure_type_code, line.planned_month) == ("1", "AS", 3)
    assert (line.classification_code, line.region_code) == ("4412170100000001", "15")


def test_template_headers_are_spanish_and_csv_has_a_bom():
    payload = template_csv()
    assert payload.startswith(b"\xef\xbb\xbf")
    header = payload.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("N° de referencia,Tipo de procedimiento de selección,")


def test_template_instructions_sheet_lists_every_column_and_code():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert workbook.sheetnames == ["Plan", "Instrucciones"]
    rows = [tuple(row) for row in workbook["Instrucciones"].iter_rows(values_only=True)]
    columns = {row[0] for row in rows}
    assert set(TEMPLATE_HEADERS.values()) <= columns
    codes = {(row[0], row[1]) for row in rows}
    for code in ("LP", "CP", "LPA", "CPA", "AS", "SCI", "SIE", "CDP", "CD"):
        assert ("Tipos de procedimiento", code) in codes
    assert ("Tipos de procedimiento", "AS", "Adjudicación Simplificada") in rows
    departments = [row for row in rows if row[0] == "Departamentos (UBIGEO)"]
    assert [row[1] for row in departments] == [f"{number:02d}" for number in range(1, 26)]
    assert ("Departamentos (UBIGEO)", "15", "Lima") in rows
    assert {row[1] for row in rows if row[0] == "Monedas"} == {"PEN", "USD", "EUR"}
    assert ("Meses", "9", "Setiembre") in rows
    assert {row[1] for row in rows if row[0] == "Objetos"} == {
        "Bienes",
        "Servicios",
        "Obras",
        "Consultoría de Obras",
    }


# Scrape runs -------------------------------------------------------------------------------

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def scrape(session, fetcher):
    def run(source):
        return run_source(session, source, NOW, fetcher)

    return run


def failure_rows(session, run) -> int:
    return session.scalar(
        select(func.count(ScrapeItemFailure.id)).where(ScrapeItemFailure.run_id == run.id)
    )


def test_plan_whose_rows_are_all_rejected_fails_the_run(session, http_server, make_source, scrape):
    bad = [list(row) for row in GOOD_ROWS]
    bad[0][10] = "13"
    bad[1][5] = "Cosas"
    url = http_server.route("/pac.csv", http_server.Reply(body=csv_bytes(bad)))
    source = make_source("pac", SourceKind.PLAN_FILE, url)

    run = scrape(source)

    assert run.status == RunStatus.FAILED
    assert "plan rechazado: 2 filas con problemas" in run.error
    assert run.failed == failure_rows(session, run) == 2
    assert session.scalar(select(func.count(AnnualPlan.id))) == 0
    assert source.consecutive_failures == 1


def test_plan_with_one_bad_row_is_rejected_whole_and_fails(
    session, http_server, make_source, scrape
):
    bad = [list(row) for row in GOOD_ROWS]
    bad[1][5] = "Cosas"
    url = http_server.route("/pac.csv", http_server.Reply(body=csv_bytes(bad)))
    run = scrape(make_source("pac", SourceKind.PLAN_FILE, url))
    assert (run.status, run.failed) == (RunStatus.FAILED, 1)
    assert session.scalar(select(func.count(AnnualPlan.id))) == 0


def test_valid_plan_run_succeeds_and_stores_the_plan(session, http_server, make_source, scrape):
    url = http_server.route("/pac.csv", http_server.Reply(body=csv_bytes(GOOD_ROWS)))
    source = make_source("pac", SourceKind.PLAN_FILE, url)

    run = scrape(source)
    again = reparse(session, source, NOW)

    assert (run.status, run.new, run.failed) == (RunStatus.SUCCEEDED, 1, 0)
    assert again.status == RunStatus.SUCCEEDED
    assert session.scalar(select(func.count(AnnualPlan.id))) == 1


def test_reparse_of_a_rejected_plan_fails_too(session, http_server, make_source, scrape):
    bad = [list(row) for row in GOOD_ROWS]
    bad[0][5] = "Cosas"
    bad[1][5] = "Cosas"
    url = http_server.route("/pac.csv", http_server.Reply(body=csv_bytes(bad)))
    source = make_source("pac", SourceKind.PLAN_FILE, url)
    scrape(source)
    run = reparse(session, source, NOW)
    assert run.status == RunStatus.FAILED and "plan rechazado" in run.error
