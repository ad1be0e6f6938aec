"""Real PAC files as entities keep them: CONSUCODE headers, a header block, every encoding and
separator, months, UBIGEO and amounts as people write them, problems by row and column."""

import codecs
import csv
import io
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest

from scrapers.plan_file import PlanFileContext, RowProblem, read_plan_file
from scrapers.plan_table import header_key
from scrapers.records import BuyerRecord, ParseError

ESSALUD = BuyerRecord("Seguro Social de Salud", "20131312955")
UPLOAD = PlanFileContext(2026, ESSALUD)
CONSUCODE_HEADER = [
    "Nº",
    "Tipo de proceso",
    "Objeto",
    "Descripción",
    "Código CUBSO",
    "Valor estimado",
    "Moneda",
    "Mes previsto",
    "Ubigeo",
]
ROW = [
    "1",
    "AS",
    "Bienes",
    "Papel bond A4",
    "4412170100000001",
    "1.234.567,89",
    "PEN",
    "03/2026",
    "15",
]
BLOCK = [
    ["PLAN ANUAL DE CONTRATACIONES 2026"],
    ["Entidad:", "SEGURO SOCIAL DE SALUD"],
    ["Sigla:", "ESSALUD"],
    ["RUC: 20131312955"],
    ["Instrumento de aprobación:", "Resolución de Gerencia General N° 012-2026-GG"],
    [],
]


def csv_payload(rows, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_payload(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(payload: bytes, context: PlanFileContext = UPLOAD):
    return read_plan_file(io.BytesIO(payload), context)


def only_line(payload: bytes, context: PlanFileContext = UPLOAD):
    reading = read(payload, context)
    assert reading.problems == []
    [plan] = reading.plans
    [line] = plan.lines
    return line


def with_cell(header_name: str, value, header=CONSUCODE_HEADER, row=ROW):
    cells = dict(zip(header, row, strict=True)) | {header_name: value}
    return [list(cells), list(cells.values())]


# Headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (["Nº", "N°", "No.", "N° de referencia", "Nro. Ref.", "NÚMERO DE REFERENCIA"], "ref"),
        (["Tipo de proceso", "Tipo de procedimiento de selección", "tipo_procedimiento"], "proc"),
        (["Objeto", "Objeto de contratación", "OBJETO DE LA CONTRATACIÓN"], "obj"),
        (["Descripción", "Descripción de los bienes, servicios u obras", "DESCRIPCION"], "desc"),
        (["Código CUBSO", "Código de catálogo", "CUBSO", "codigo  cubso"], "code"),
        (["Valor estimado", "Valor estimado (S/)", "VALOR ESTIMADO S/."], "value"),
        (["Moneda", "Tipo de moneda"], "cur"),
        (["Mes previsto", "Fecha prevista de convocatoria", "Mes de convocatoria"], "month"),
        (["Ubigeo", "Ubicación geográfica", "Departamento"], "where"),
    ],
)
def test_consucode_header_spellings_are_recognised(spellings, canonical):
    positions = {"ref": 0, "proc": 1, "obj": 2, "desc": 3, "code": 4, "value": 5}
    positions |= {"cur": 6, "month": 7, "where": 8}
    for spelling in spellings:
        header = list(CONSUCODE_HEADER)
        header[positions[canonical]] = f"  {spelling} "
        line = only_line(csv_payload([header, ROW]))
        assert (line.reference_number, line.procedure_type_code) == ("1", "AS")
        assert (line.classification_code, line.estimated_value) == (
            "4412170100000001",
            Decimal("1234567.89"),
        )
        assert (line.planned_month, line.region_code, line.currency) == (3, "15", "PEN")


def test_every_optional_consucode_column_is_read():
    header = [
        *CONSUCODE_HEADER,
        "Unidad de medida",
        "Cantidad",
        "Fuente de financiamiento",
        "Antecedente",
        "Compra corporativa",
        "Observaciones",
    ]
    row = [*ROW, "Millar", "1.200", "Recursos Ordinarios", "PAC 2025 ítem 4", "No", "Con saldo"]
    line = only_line(csv_payload([header, row]))
    assert (line.unit_of_measure, line.quantity) == ("Millar", Decimal("1200"))
    assert (line.funding_source, line.notes) == ("Recursos Ordinarios", "Con saldo")


def test_header_key_ignores_case_accents_punctuation_and_brackets():
    assert header_key("  N° de REFERENCIA. ") == header_key("n referencia")
    assert header_key("Valor estimado (S/)") == "valor estimado"
    assert header_key("Descripción de los bienes, servicios u obras") == (
        "descripcion bienes servicios obras"
    )


def test_missing_required_column_is_named_in_spanish():
    header = [name for name in CONSUCODE_HEADER if name != "Mes previsto"]
    with pytest.raises(ParseError, match="faltan las columnas mes previsto"):
        read(csv_payload([header, ROW[:7] + ROW[8:]]))


def test_file_without_a_header_row_is_refused():
    rows = [["Hola", "mundo"]] * 40
    with pytest.raises(ParseError, match="no se encontró la fila de cabecera"):
        read(csv_payload(rows))


# Header block ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_header_block_gives_the_instrument_and_rows_keep_their_spreadsheet_numbers(kind):
    bad = with_cell("Objeto", "Cosas")[1]
    bad[0] = "2"
    rows = [*BLOCK, CONSUCODE_HEADER, ROW, bad]
    payload = csv_payload(rows, ";") if kind == "csv" else xlsx_payload(rows)
    reading = read(payload)
    assert reading.approving_instrument == "Resolución de Gerencia General N° 012-2026-GG"
    assert reading.rows == 2
    assert reading.problems == [
        RowProblem(
            9,
            "Objeto",
            "objeto desconocido: 'Cosas' (Bienes, Servicios, Obras o Consultoría de Obras)",
        )
    ]


def test_header_block_alone_names_entity_and_year_for_a_scraped_plan():
    line_reading = read(csv_payload([*BLOCK, CONSUCODE_HEADER, ROW]), PlanFileContext())
    [plan] = line_reading.plans
    assert (plan.fiscal_year, plan.buyer.ruc, plan.buyer.name) == (
        2026,
        "20131312955",
        "SEGURO SOCIAL DE SALUD",
    )
    assert plan.approving_instrument.startswith("Resolución de Gerencia General")


def test_header_block_of_another_year_or_ruc_is_a_problem():
    block = [["Año:", "2027"], ["RUC:", "20100017491"]]
    reading = read(csv_payload([*block, CONSUCODE_HEADER, ROW]))
    assert reading.plans == []
    assert reading.problems == [
        RowProblem(1, "Año", "el archivo es del año 2027 y el año fiscal elegido es 2026"),
        RowProblem(
            2,
            "RUC",
            "el archivo es del RUC 20100017491, no de Seguro Social de Salud (RUC 20131312955)",
        ),
    ]


def test_year_and_ruc_columns_must_match_the_upload():
    header = [*CONSUCODE_HEADER, "Año", "RUC"]
    row = [*ROW, "2027", "20100017491"]
    reading = read(csv_payload([header, row]))
    messages = {(problem.column, problem.message) for problem in reading.problems}
    assert ("Año", "año 2027 distinto del año fiscal del plan (2026)") in messages
    assert (
        "RUC",
        "el RUC 20100017491 no es el de Seguro Social de Salud (20131312955)",
    ) in messages


def test_context_entity_wins_over_an_entity_column_and_total_rows_are_skipped():
    header = [*CONSUCODE_HEADER, "Entidad"]
    total = ["", "", "", "", "", "1.234.567,89", "", "", "", "TOTAL"]
    reading = read(csv_payload([header, [*ROW, "ESSALUD SEDE CENTRAL"], total]))
    [plan] = reading.plans
    assert (plan.buyer, reading.rows) == (ESSALUD, 1)


# Encodings and separators ---------------------------------------------------------------------

TEXT_ROWS = [CONSUCODE_HEADER, with_cell("Descripción", "Adquisición de útiles, año ñandú")[1]]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ";"),
        ("utf-16", ","),  # Python writes the BOM of the machine's order (LE)
        ("utf-16-be-bom", ";"),
        ("cp1252", ";"),
        ("cp1252", ","),
        ("utf-8", "\t"),
    ],
)
def test_encodings_and_separators(encoding, delimiter):
    if encoding == "utf-16-be-bom":
        payload = codecs.BOM_UTF16_BE + csv_payload(TEXT_ROWS, delimiter, "utf-16-be")
    else:
        payload = csv_payload(TEXT_ROWS, delimiter, encoding)
    line = only_line(payload)
    assert line.description == "Adquisición de útiles, año ñandú"


def test_windows_1252_accent_found_late_in_a_long_file():
    rows = [CONSUCODE_HEADER]
    rows += [with_cell("Nº", str(number))[1] for number in range(1, 3000)]
    rows.append(with_cell("Descripción", "Señalización vial")[1])
    rows[-1][0] = "3000"
    assert len(csv_payload(rows)) > 200_000  # the accent is chunks away from the start
    reading = read(csv_payload(rows, ";", "cp1252"))
    assert reading.problems == []
    assert reading.plans[0].lines[-1].description == "Señalización vial"


@pytest.mark.parametrize(
    "payload",
    [
        csv_payload(TEXT_ROWS, ",", "utf-16-le"),  # UTF-16 without BOM
        codecs.BOM_UTF32_LE + csv_payload(TEXT_ROWS, ",", "utf-32-le"),
        csv_payload(TEXT_ROWS, ",", "utf-32-be"),
        bytes(range(256)) * 40,  # binary junk
    ],
    ids=["utf-16-no-bom", "utf-32-bom", "utf-32", "binary"],
)
def test_unsupported_encodings_say_so(payload):
    with pytest.raises(ParseError, match="codificación no admitida: guarde el archivo como CSV"):
        read(payload)


@pytest.mark.parametrize("filler_rows", [0, 3000])
def test_mixed_utf8_and_windows_1252_is_refused(filler_rows):
    rows = [*TEXT_ROWS, *([ROW] * filler_rows)]
    late = "\n9,AS,Bienes,Señal,,,PEN,3,15\n".encode("cp1252")
    with pytest.raises(ParseError, match="codificación no admitida"):
        read(csv_payload(rows, ",", "utf-8") + late)


def test_quoted_cell_over_two_lines_keeps_row_numbers():
    rows = [CONSUCODE_HEADER, with_cell("Descripción", "Línea uno\nlínea dos")[1]]
    rows.append(with_cell("Nº", "2")[1])
    rows[-1][2] = "Cosas"
    reading = read(csv_payload(rows))
    assert [(problem.row, problem.column) for problem in reading.problems] == [(3, "Objeto")]


# Months, places, amounts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "month"),
    [
        ("03/2026", 3),
        ("3/2026", 3),
        ("2026-03", 3),
        ("03", 3),
        ("3", 3),
        ("Marzo", 3),
        ("MAR", 3),
        ("mar.", 3),
        ("Setiembre", 9),
        ("septiembre", 9),
        ("Set.", 9),
        ("Diciembre 2026", 12),
        ("dic-26", 12),
        ("15/03/2026", 3),
        ("2026-03-15", 3),
    ],
)
def test_months_as_people_write_them(written, month):
    assert only_line(csv_payload(with_cell("Mes previsto", written))).planned_month == month


def test_month_as_a_date_cell():
    payload = xlsx_payload(with_cell("Mes previsto", datetime(2026, 7, 1)))
    assert only_line(payload).planned_month == 7


@pytest.mark.parametrize("written", ["03/2027", "2025-12", "Enero 2027", "15/03/2025"])
def test_month_outside_the_fiscal_year_is_a_problem(written):
    reading = read(csv_payload(with_cell("Mes previsto", written)))
    assert reading.problems == [
        RowProblem(2, "Mes previsto", f"mes fuera del año fiscal 2026: '{written}'")
    ]


def test_month_outside_the_fiscal_year_as_a_date_cell():
    reading = read(xlsx_payload(with_cell("Mes previsto", datetime(2027, 1, 1))))
    assert [problem.message for problem in reading.problems] == [
        "mes fuera del año fiscal 2026: '2027-01-01'"
    ]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("15", "15"),
        ("150101", "15"),
        ("0401", "04"),
        ("4", "04"),
        ("Lima Metropolitana", "15"),
        ("Lima Provincias", "15"),
        ("CUSCO", "08"),
        ("Junín", "12"),
        ("Callao", "07"),
    ],
)
def test_ubigeo_and_department_names(written, code):
    assert only_line(csv_payload(with_cell("Ubigeo", written))).region_code == code


@pytest.mark.parametrize("written", ["26", "00", "990101", "Narnia"])
def test_unknown_place_is_a_problem(written):
    [problem] = read(csv_payload(with_cell("Ubigeo", written))).problems
    assert (problem.column, problem.message.split(":")[0]) == ("Ubigeo", "ubicación desconocida")


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("1234567.89", "1234567.89"),
        ("1234567,89", "1234567.89"),
        ("S/ 1,000.00", "1000.00"),
        ("S/. 45.000,50", "45000.50"),
        ("2500", "2500"),
    ],
)
def test_amounts_in_either_convention(written, amount):
    line = only_line(csv_payload(with_cell("Valor estimado", written)))
    assert line.estimated_value == Decimal(amount)


def test_amounts_as_number_cells():
    line = only_line(xlsx_payload(with_cell("Valor estimado", 45000.5)))
    assert line.estimated_value == Decimal("45000.5")


# Every problem, by row and column ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "written", "message"),
    [
        (
            "Tipo de proceso",
            "Concurso de belleza",
            "tipo de procedimiento desconocido: 'Concurso de belleza' "
            "(use LP, CP, LPA, CPA, AS, SCI, SIE, CDP, CD o su nombre)",
        ),
        (
            "Código CUBSO",
            "44121",
            "código CUBSO/UNSPSC inválido: '44121' (16 dígitos CUBSO u 8 UNSPSC)",
        ),
        ("Valor estimado", "mucho", "no es un número válido: 'mucho'"),
        ("Valor estimado", "-5", "no es un número válido: '-5'"),
        ("Mes previsto", "Trece", "mes no válido: 'Trece' (1 a 12, MM/AAAA o nombre)"),
        ("Mes previsto", "13/2026", "mes no válido: '13/2026' (1 a 12, MM/AAAA o nombre)"),
        ("Moneda", "Bitcoin", "moneda desconocida: 'Bitcoin' (PEN, USD o EUR)"),
        ("Descripción", "", "dato obligatorio vacío"),
        ("Nº", "", "dato obligatorio vacío"),
        ("Objeto", "", "dato obligatorio vacío"),
        ("Mes previsto", "", "dato obligatorio vacío"),
    ],
)
def test_each_problem_names_row_and_the_files_own_column(column, written, message):
    reading = read(csv_payload([*BLOCK, *with_cell(column, written)]))
    assert reading.problems == [RowProblem(8, column, message)]
    assert (reading.plans, reading.problem_count) == ([], 1)


def test_duplicate_reference_number_names_the_first_row():
    rows = [CONSUCODE_HEADER, ROW, with_cell("Descripción", "Otra cosa")[1]]
    reading = read(csv_payload(rows))
    assert reading.problems == [
        RowProblem(3, "Nº", "número de referencia repetido: '1' ya aparece en la fila 2")
    ]


def test_good_rows_after_a_bad_one_still_give_no_plan_but_are_counted():
    rows = [CONSUCODE_HEADER, with_cell("Objeto", "Cosas")[1]]
    rows += [with_cell("Nº", str(number))[1] for number in range(2, 50)]
    reading = read(csv_payload(rows))
    assert (reading.rows, reading.problem_count, reading.plans) == (49, 1, [])


def test_header_only_file_is_refused():
    with pytest.raises(ParseError, match="no tiene filas"):
        read(csv_payload([*BLOCK, CONSUCODE_HEADER]))


def test_year_from_the_title_row_and_invalid_ruc_in_the_block():
    block = [["PAC DEL AÑO FISCAL 2027 - ESSALUD"], ["RUC", "20131312956"]]
    reading = read(csv_payload([*block, CONSUCODE_HEADER, ROW]))
    assert reading.problems == [
        RowProblem(1, "PAC DEL AÑO FISCAL 2027 - ESSALUD", reading.problems[0].message),
        RowProblem(2, "RUC", "RUC inválido: '20131312956'"),
    ]
    assert reading.problems[0].message.startswith("el archivo es del año 2027")


def test_problems_are_all_counted_but_only_the_first_thousands_kept(monkeypatch):
    monkeypatch.setattr("scrapers.plan_file.MAX_PROBLEMS", 10)
    rows = [CONSUCODE_HEADER]
    for number in range(1, 31):
        bad = with_cell("Objeto", "Cosas")[1]
        bad[0] = str(number)
        rows.append(bad)
    reading = read(csv_payload(rows))
    assert (len(reading.problems), reading.problem_count, reading.rows) == (10, 30, 30)


def test_other_dated_lines_above_the_table_do_not_set_the_year():
    block = [["Elaborado por la Oficina de Logística el 15/12/2025"], *BLOCK]
    reading = read(csv_payload([*block, CONSUCODE_HEADER, ROW]))
    assert reading.problems == []
