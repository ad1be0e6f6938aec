"""Exports that cannot run formulas in the user's spreadsheet (CSV injection)."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from portal.spreadsheets import csv_bytes, download, safe_cell, xlsx_bytes

HOSTILE = [
    '=HYPERLINK("http://evil","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "   =cmd|' /C calc'!A0",
    "  @A1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_cell_neutralises_formula_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Bienes", "S/ 1,000.00", "", 5, -5, -2.5, Decimal("-10.5")])
def test_safe_cell_leaves_plain_values(value):
    assert safe_cell(value) == value


def test_safe_cell_leaves_dates():
    moment = datetime(2026, 3, 1, 10, 30)
    assert safe_cell(moment) is moment
    assert safe_cell(date(2026, 3, 1)) == date(2026, 3, 1)


def test_csv_has_bom_commas_and_safe_cells():
    payload = csv_bytes(["Nombre", "=Cabecera"], [["=1+2", -5], ["ñandú", None]])
    assert payload.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(payload.decode("utf-8-sig"), newline="")))
    assert rows == [["Nombre", "'=Cabecera"], ["'=1+2", "-5"], ["ñandú", ""]]


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_neutralises_each_formula_start(text):
    payload = csv_bytes(["Descripción"], [[text]])
    rows = list(csv.reader(io.StringIO(payload.decode("utf-8-sig"), newline="")))
    assert rows[1] == ["'" + text]


def _read_back(payload: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(payload))
    return workbook


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_cells_with_formula_text_are_strings(text):
    workbook = _read_back(xlsx_bytes([("Datos", ["Descripción"], [[text]])]))
    cell = workbook["Datos"]["A2"]
    assert cell.data_type == "s"
    assert cell.value.startswith("'")
    assert cell.value[1:] == text


def test_xlsx_numbers_and_negative_numbers_stay_numbers():
    payload = xlsx_bytes(
        [
            (
                "Datos",
                ["Monto", "Saldo", "Decimal", "Fecha"],
                [[1500, -20, Decimal("-3.25"), date(2026, 5, 1)]],
            )
        ]
    )
    sheet = _read_back(payload)["Datos"]
    assert [cell.data_type for cell in sheet[2]] == ["n", "n", "n", "d"]
    assert [cell.value for cell in sheet[2]][:3] == [1500, -20, -3.25]


def test_xlsx_header_is_safe_and_several_sheets_keep_titles():
    payload = xlsx_bytes(
        [("Plan", ["=Mal", "Bien"], [["a", "b"]]), ("Instrucciones", ["Columna"], [])]
    )
    workbook = _read_back(payload)
    assert workbook.sheetnames == ["Plan", "Instrucciones"]
    assert workbook["Plan"]["A1"].value == "'=Mal"
    assert workbook["Plan"]["A1"].data_type == "s"


def test_xlsx_drops_control_characters_and_zones():
    aware = datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("America/Lima"))
    payload = xlsx_bytes([("Datos", ["Texto", "Hora"], [["a\x01=b", aware]])])
    sheet = _read_back(payload)["Datos"]
    assert sheet["A2"].value == "a=b"
    assert sheet["B2"].value == datetime(2026, 3, 1, 9, 0)


@pytest.mark.parametrize(
    ("kind", "mimetype"),
    [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_download_is_an_attachment_with_its_media_type(kind, mimetype):
    response = download(b"data", f"plan-año.{kind}", kind)
    assert response.mimetype == mimetype
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''plan-a%C3%B1o." + kind in disposition
    assert response.get_data() == b"data"
