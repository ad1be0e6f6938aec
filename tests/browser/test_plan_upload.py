"""An entity's clerk publishes the annual plan in headless Chromium: downloads the template,
uploads a file with mistakes, reads each one by row and column, uploads the corrected file,
publishes it and lands on the public plan page. Each page fits 390 px and 1366 px without
sideways scrolling, console errors or failed requests."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from account_factories import PASSWORD, create_account
from browser_pages import Problems, check_page, sign_in
from factories import create_buyer

from portal.accounts.models import Role
from portal.plans.models import AnnualPlan

YEAR = datetime.now(ZoneInfo("America/Lima")).year
ENTITY = (
    "Municipalidad Provincial de Huamanga - Gerencia de Administración y Finanzas, Subgerencia "
    "de Logística y Control Patrimonial"
)
HEADER = ("Nº", "Tipo de proceso", "Objeto", "Descripción", "Código CUBSO", "Valor estimado",
          "Mes previsto", "Departamento")  # fmt: skip
LONG_DESCRIPTION = (
    "Adquisición de equipos de bombeo sumergibles de acero inoxidable para la captación de "
    "agua en los centros poblados de la zona alta del distrito"
)


def plan_file(mistakes: bool) -> bytes:
    """Three lines; with mistakes, line 2 has a procedure nobody knows and line 3 a month
    written as thirteen."""
    rows = [
        ("1", "AS", "Bienes", LONG_DESCRIPTION, "4015150100000001", "120.000,00", "03", "Ayacucho"),
        ("2", "Trueque comunal" if mistakes else "LP", "Servicios",
         "Servicio de limpieza de locales municipales", "", "85000", "05/" + str(YEAR), "05"),
        ("3", "CP", "Obras", "Mejoramiento del camino vecinal Huamanga - Quinua", "",
         "1500000", "13" if mistakes else "Setiembre", "Ayacucho"),
    ]  # fmt: skip
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1252")


@pytest.fixture
def clerk(session):
    buyer = create_buyer(session, name=ENTITY)
    user = create_account(session, role=Role.AGENCY_STAFF, buyer=buyer)
    return buyer, user


def upload(page, payload: bytes, filename: str) -> None:
    page.set_input_files(
        "input[name=plan_file]",
        files=[{"name": filename, "mimeType": "text/csv", "buffer": payload}],
    )
    with page.expect_navigation():
        page.locator("form.upload-form [type=submit]").click()


def test_a_clerk_uploads_fixes_and_publishes_the_plan(
    new_context, live_server, clerk, session, screenshots
):
    buyer, user = clerk
    page = new_context().new_page()
    problems = Problems(live_server)
    problems.watch(page)
    assert sign_in(page, live_server, user.email, PASSWORD) == []
    assert check_page(page, problems, f"{live_server}/entidad/plan", screenshots) == []

    with page.expect_download() as template:
        page.locator("a.template-csv").click()
    header = template.value.path().read_text(encoding="utf-8-sig").splitlines()[0]
    assert "Mes previsto" in header
    xlsx = page.request.get(live_server + page.locator("a.template-xlsx").get_attribute("href"))
    assert xlsx.status == 200 and xlsx.headers["content-type"].endswith("sheet")

    upload(page, plan_file(mistakes=True), "PAC 2026 con errores.csv")
    rows = page.locator("table.upload-problems tbody tr")
    found = [tuple(rows.nth(i).locator("td").all_inner_texts()[:2]) for i in range(rows.count())]
    assert found == [("3", "Tipo de proceso"), ("4", "Mes previsto")]
    assert page.locator("button.publish").count() == 0
    assert check_page(page, problems, page.url, screenshots) == []

    page.goto(f"{live_server}/entidad/plan")
    upload(page, plan_file(mistakes=False), "PAC 2026 corregido.csv")
    assert page.locator("dd.problem-count").inner_text() == "0"
    assert check_page(page, problems, page.url, screenshots) == []
    with page.expect_navigation():
        page.locator("button.publish").click()

    assert page.url == f"{live_server}/planes/{buyer.id}/{YEAR}"
    assert page.get_by_text(LONG_DESCRIPTION).count() == 1
    assert check_page(page, problems, page.url, screenshots) == []
    assert session.query(AnnualPlan).filter_by(buyer_id=buyer.id, version=1).count() == 1
