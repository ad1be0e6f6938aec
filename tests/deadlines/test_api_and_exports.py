"""The API and the spreadsheet exports carry the minimum, the days given and the flag."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

LIMA = ZoneInfo("America/Lima")
SHORT = {
    "title": "Adquisición de cisternas",
    "procedure_type_code": "AS",
    "published_at": datetime(2026, 3, 2, 10, tzinfo=LIMA),
    "deadline_at": datetime(2026, 3, 6, 17, tzinfo=LIMA),
    "minimum_days": 6,
    "minimum_day_kind": "business",
    "minimum_basis": "legal",
    "given_days": 4,
    "short_deadline": True,
}
FIELDS = ["minimum_days", "minimum_day_kind", "minimum_basis", "given_days", "short_deadline"]
DEADLINE_COLUMNS = [
    "Plazo mínimo (días)",
    "Tipo de días del mínimo",
    "Base del mínimo",
    "Días que da la convocatoria",
    "Plazo corto",
]


def test_the_api_returns_the_five_values(client, make_opportunity):
    opportunity = make_opportunity(**SHORT)
    plain = make_opportunity(title="Cisternas sin plazo mínimo", procedure_type_code="CD")

    data = client.get(f"/api/v1/opportunities/{opportunity.id}").get_json()["data"]
    other = client.get(f"/api/v1/opportunities/{plain.id}").get_json()["data"]

    assert [data[name] for name in FIELDS] == [6, "business", "legal", 4, True]
    assert [other[name] for name in FIELDS] == [None, None, None, None, False]


def test_the_openapi_document_describes_the_filter_and_the_fields(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    listing = paths["/api/v1/opportunities"]["get"]["parameters"]
    [check] = [parameter for parameter in listing if parameter["name"] == "deadline_check"]
    one = paths["/api/v1/opportunities/{opportunity_id}"]["get"]["responses"]["200"]
    schema = one["content"]["application/json"]["schema"]["properties"]["data"]

    assert check["schema"]["items"]["enum"] == ["short", "enough"]
    assert set(FIELDS) <= set(schema["properties"])
    assert schema["properties"]["short_deadline"]["type"] == "boolean"
    assert schema["properties"]["minimum_basis"]["enum"] == ["legal", "admin", None]


def test_plans_refuse_the_filter_they_cannot_honour(client):
    response = client.get("/api/v1/plans?deadline_check=short")

    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "deadline_check"


def test_the_csv_export_has_the_deadline_columns(client, make_opportunity):
    opportunity = make_opportunity(**SHORT)
    enough = {"title": "Cisternas con plazo suficiente", "given_days": 9, "short_deadline": False}
    make_opportunity(**SHORT | enough)

    response = client.get("/buscar.csv?q=cisternas&status=all&deadline_check=short")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=convocatorias.csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1
    [row] = rows
    assert [row[column] for column in DEADLINE_COLUMNS] == ["6", "business", "legal", "4", "Sí"]
    assert row["Publicado (hora de Lima)"] == "2026-03-02 10:00"
    assert row["Plazo para ofertas (hora de Lima)"] == "2026-03-06 17:00"
    assert row["Página en Compras MYPE"].endswith(f"/oportunidades/{opportunity.id}")


def test_the_xlsx_export_keeps_numbers_as_numbers(client, make_opportunity):
    make_opportunity(**SHORT)

    response = client.get("/buscar.xlsx?q=cisternas&status=all")

    sheet = load_workbook(io.BytesIO(response.data)).active
    header, row = [cell.value for cell in sheet[1]], [cell.value for cell in sheet[2]]
    values = dict(zip(header, row, strict=True))
    assert [values[column] for column in DEADLINE_COLUMNS] == [6, "business", "legal", 4, "Sí"]
    assert values["Plazo para ofertas (hora de Lima)"] == datetime(2026, 3, 6, 17, 0)
