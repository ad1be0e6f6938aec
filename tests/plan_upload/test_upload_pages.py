"""The upload page, the templates, and what a clerk sees after uploading: every problem by row
and column, or, for a file that cannot be read at all, the reason and nothing stored."""

import csv
import io
import re

import openpyxl
import pytest
from upload_files import YEAR, plan_csv, plan_line, valid_csv

from portal.accounts.models import Role
from portal.plan_upload.operations import display_filename
from portal.plans.models import PlanUpload, UploadStatus
from scrapers.plan_file import PlanFileContext, read_plan_file
from scrapers.records import BuyerRecord


def cells(html: str, table_class: str) -> list[list[str]]:
    """The text of each body row of the table with that class."""
    table = html.split(f'class="{table_class}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_page_offers_the_templates_the_years_and_the_form(staff_of, entities):
    client, _staff = staff_of(0)

    page = client.get("/entidad/plan").get_data(as_text=True)

    assert entities[0].name in page
    assert 'href="/entidad/plan/plantilla.csv"' in page
    assert 'href="/entidad/plan/plantilla.xlsx"' in page
    assert 'enctype="multipart/form-data"' in page
    for year in (YEAR - 1, YEAR, YEAR + 1):
        assert f'value="{year}">{year}</option>' in page
    assert f'<option selected value="{YEAR}">' in page
    assert "25 MB" in page


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_each_template_downloads_and_reads_back_as_a_valid_plan(staff_of, entities, kind):
    client, _staff = staff_of(0)

    response = client.get(f"/entidad/plan/plantilla.{kind}")

    assert response.status_code == 200
    expected_type = {
        "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[kind]
    assert response.mimetype == expected_type
    assert response.headers["Content-Disposition"].startswith("attachment")
    buyer = BuyerRecord(entities[0].name, entities[0].ruc)
    reading = read_plan_file(io.BytesIO(response.data), PlanFileContext(YEAR, buyer=buyer))
    assert reading.problems == []
    assert reading.rows == 1
    assert len(reading.plans) == 1 and len(reading.plans[0].lines) == 1


def test_the_csv_template_has_spanish_column_names(staff_of):
    client, _staff = staff_of(0)

    text = client.get("/entidad/plan/plantilla.csv").data.decode("utf-8-sig")

    header = next(csv.reader(io.StringIO(text)))
    assert any("Descripción" in name for name in header)
    assert any("Mes" in name for name in header)


def test_the_xlsx_template_explains_its_columns_on_another_sheet(staff_of):
    client, _staff = staff_of(0)

    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/entidad/plan/plantilla.xlsx").data))

    assert len(workbook.sheetnames) >= 2


def test_an_upload_with_errors_lists_each_problem_by_row_and_column(staff_of, draft_of, session):
    client, _staff = staff_of(0)
    lines = [
        plan_line(1),
        plan_line(2, **{"Tipo de proceso": "Subasta de caballos"}),
        plan_line(3, **{"Código CUBSO": "12AB"}),
        plan_line(4, **{"Valor estimado": "mil soles"}),
        plan_line(5, **{"Mes previsto": f"03/{YEAR - 1}"}),
        plan_line(6, **{"Nº": "1"}),
    ]

    draft_id = draft_of(client, plan_csv(lines))
    page = client.get(f"/entidad/plan/borrador/{draft_id}").get_data(as_text=True)

    shown = [(row, column) for row, column, _message in cells(page, "upload-problems")]
    assert shown == [
        ("3", "Tipo de proceso"),
        ("4", "Código CUBSO"),
        ("5", "Valor estimado"),
        ("6", "Mes previsto"),
        ("7", "Nº"),
    ]
    messages = " ".join(message for _row, _column, message in cells(page, "upload-problems"))
    assert "Subasta de caballos" in messages and "12AB" in messages and "mil soles" in messages
    assert ">Publicar<" not in page
    assert "súbalo de nuevo" in page
    upload = session.get(PlanUpload, draft_id)
    assert (upload.status, upload.problem_count, upload.row_count) == (UploadStatus.DRAFT, 5, 6)
    assert upload.problems[0][:2] == [3, "Tipo de proceso"]


def test_a_clean_upload_shows_counts_totals_the_first_lines_and_a_publish_button(
    staff_of, draft_of, session
):
    client, _staff = staff_of(0)
    lines = [plan_line(number, **{"Valor estimado": "1.000,50"}) for number in range(1, 61)]

    draft_id = draft_of(client, plan_csv(lines), filename="pac 2026.csv")
    page = client.get(f"/entidad/plan/borrador/{draft_id}").get_data(as_text=True)

    upload = session.get(PlanUpload, draft_id)
    assert (upload.row_count, upload.line_count, upload.problem_count) == (60, 60, 0)
    assert upload.filename == "pac 2026.csv"
    assert upload.preview["totals"]["per_month"] == [5] * 12
    assert upload.preview["totals"]["value_pen"] == "60030.00"
    assert len(cells(page, "upload-preview")) == 50
    assert re.search(r"total-value\">S/ 60[.,]030[.,]00<", page)
    assert "Primeras 50 de 60 líneas." in page
    assert ">Publicar<" in page and ">Descartar<" in page


def test_more_than_a_thousand_problems_are_counted_and_the_first_thousand_listed(
    staff_of, draft_of, session
):
    client, _staff = staff_of(0)
    lines = [plan_line(number, **{"Mes previsto": "13"}) for number in range(1, 1201)]

    draft_id = draft_of(client, plan_csv(lines))
    page = client.get(f"/entidad/plan/borrador/{draft_id}").get_data(as_text=True)

    assert session.get(PlanUpload, draft_id).problem_count == 1200
    assert len(cells(page, "upload-problems")) == 1000
    assert "Y 200 problemas más" in page


@pytest.mark.parametrize(
    ("payload", "filename"),
    [
        (b"", "vacio.csv"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "foto.csv"),
        (b"Nombre,Telefono\nAna,999\n", "contactos.csv"),
        (b"PK\x03\x04 not really a zip", "plan.xlsx"),
    ],
)
def test_a_file_that_cannot_be_read_shows_why_and_stores_nothing(
    staff_of, upload, session, payload, filename
):
    client, _staff = staff_of(0)

    response = upload(client, payload, filename=filename)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "No pudimos leer el archivo" in page or "Elige el archivo" in page
    assert session.query(PlanUpload).count() == 0


def test_a_file_of_another_type_is_refused_by_its_name(staff_of, upload, session):
    client, _staff = staff_of(0)

    response = upload(client, valid_csv(), filename="plan.pdf")

    assert response.status_code == 400
    assert "Sube un archivo CSV o XLSX." in response.get_data(as_text=True)
    assert session.query(PlanUpload).count() == 0


def test_a_year_outside_the_offered_ones_is_refused(staff_of, upload, session):
    client, _staff = staff_of(0)

    assert upload(client, valid_csv(), year=YEAR + 5).status_code == 400
    assert session.query(PlanUpload).count() == 0


def test_an_upload_over_the_size_limit_gets_a_clear_413_page(app, staff_of, upload, session):
    client, _staff = staff_of(0)
    app.config["PORTAL_PLAN_UPLOAD_MAX_BYTES"] = 2048

    response = upload(client, valid_csv(200))

    assert response.status_code == 413
    assert "supera el máximo" in response.get_data(as_text=True)
    assert session.query(PlanUpload).count() == 0


def test_the_default_size_limit_is_25_mb(staff_of, session):
    """The body is built here as bytes: the test client would spool a large file it builds
    itself to a temporary file that it never closes."""
    client, _staff = staff_of(0)
    body = b"".join(
        (
            b'--limite\r\nContent-Disposition: form-data; name="plan_file"; filename="pac.csv"',
            b"\r\nContent-Type: text/csv\r\n\r\n",
            b"x" * (25 * 1024 * 1024),
            b"\r\n--limite--\r\n",
        )
    )

    response = client.post(
        "/entidad/plan", data=body, content_type="multipart/form-data; boundary=limite"
    )

    assert response.status_code == 413
    assert "25 MB" in response.get_data(as_text=True)


def test_administrators_choose_the_entity_by_name_or_ruc(signed_in, entities):
    client, _admin = signed_in(role=Role.ADMIN)

    chooser = client.get("/entidad/plan").get_data(as_text=True)
    by_name = client.get("/entidad/plan?entidad=anta").get_data(as_text=True)
    by_ruc = client.get(f"/entidad/plan?entidad={entities[1].ruc}").get_data(as_text=True)

    assert 'name="entidad"' in chooser
    assert f'href="/entidad/plan?entidad={entities[0].id}"' in by_name
    assert entities[1].name not in by_name
    assert 'enctype="multipart/form-data"' in by_ruc and entities[1].name in by_ruc


def test_administrators_upload_for_the_entity_they_chose(signed_in, entities, draft_of, session):
    client, _admin = signed_in(role=Role.ADMIN)

    draft_id = draft_of(client, valid_csv(), entity=entities[1].id)

    assert session.get(PlanUpload, draft_id).buyer_id == entities[1].id


def test_an_administrator_upload_without_an_entity_asks_for_one(signed_in, upload, session):
    client, _admin = signed_in(role=Role.ADMIN)

    response = upload(client, valid_csv())

    assert response.status_code == 400
    assert 'name="entidad"' in response.get_data(as_text=True)
    assert session.query(PlanUpload).count() == 0


def test_the_entity_page_links_to_the_upload_and_lists_its_drafts(staff_of, draft_of, entities):
    client, _staff = staff_of(0)
    draft_id = draft_of(client, valid_csv(), filename="pac-enero.csv")

    page = client.get(f"/entidad/{entities[0].id}").get_data(as_text=True)

    assert f'href="/entidad/plan?entidad={entities[0].id}"' in page
    assert f'href="/entidad/plan/borrador/{draft_id}">pac-enero.csv</a>' in page


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\ana\\PAC 2026.xlsx", "PAC 2026.xlsx"),
        ("/home/ana/pac.csv", "pac.csv"),
        ("  plan anual\t 2026.csv ", "plan anual 2026.csv"),
        ("", "plan"),
    ],
)
def test_a_draft_keeps_the_files_own_name_without_folders(sent, kept):
    assert display_filename(sent) == kept


def test_a_file_about_another_entity_or_year_is_shown_as_problems(staff_of, draft_of, session):
    client, _staff = staff_of(0)
    payload = f"Año: {YEAR - 1}\nRUC: 20131312955\n".encode() + valid_csv()

    draft_id = draft_of(client, payload)

    upload = session.get(PlanUpload, draft_id)
    assert {column for _row, column, _message in upload.problems} == {"Año", "RUC"}
    assert upload.line_count == 0
