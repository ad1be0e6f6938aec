"""PAC files as an entity writes them (SEACE column names), two entities with RUCs, and
fixtures that upload through the pages. Conftests re-export the fixtures by importing them."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from portal.accounts.models import Role
from portal.buyers.ruc import ruc_check_digit

YEAR = datetime.now(ZoneInfo("America/Lima")).year
HEADER = (
    "Nº",
    "Tipo de proceso",
    "Objeto",
    "Descripción",
    "Código CUBSO",
    "Valor estimado",
    "Moneda",
    "Mes previsto",
    "Departamento",
)


def ruc(first_ten: str) -> str:
    return first_ten + str(ruc_check_digit(first_ten))


def plan_line(number: int, **cells: str) -> dict[str, str]:
    """A valid line in the SEACE layout; `cells` (by header text) override its values."""
    values = {
        "Nº": str(number),
        "Tipo de proceso": "Adjudicación Simplificada",
        "Objeto": "Bienes",
        "Descripción": f"Adquisición de bombas de riego lote {number}",
        "Código CUBSO": "4015150100000001",
        "Valor estimado": "1500.50",
        "Moneda": "PEN",
        "Mes previsto": f"{(number - 1) % 12 + 1:02d}/{YEAR}",
        "Departamento": "Cusco",
    }
    return values | cells


def plan_csv(lines: list[dict[str, str]], header: tuple[str, ...] = HEADER) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    writer.writerows(lines)
    return buffer.getvalue().encode("utf-8")


def valid_csv(count: int = 3, first: int = 1) -> bytes:
    return plan_csv([plan_line(number) for number in range(first, first + count)])


@pytest.fixture
def entities(make_buyer):
    return (
        make_buyer(name="Municipalidad Distrital de Anta", ruc=ruc("2014567890")),
        make_buyer(name="Gobierno Regional de Puno", ruc=ruc("2020987654")),
    )


@pytest.fixture
def staff_of(signed_in, entities):
    """staff_of(0) -> (client, user): approved staff of entity A (1: of entity B)."""
    return lambda index: signed_in(role=Role.AGENCY_STAFF, buyer=entities[index])


@pytest.fixture
def upload():
    """upload(client, payload, filename=..., year=..., entity=...) -> the POST's response."""

    def send(client, payload: bytes, filename="pac.csv", year=YEAR, entity=None, **extra):
        data = {"plan_file": (io.BytesIO(payload), filename), "fiscal_year": str(year)} | extra
        if entity is not None:
            data["entity"] = str(entity)
        return client.post("/entidad/plan", data=data, content_type="multipart/form-data")

    return send


@pytest.fixture
def draft_of(upload):
    """draft_of(client, payload) -> the id of the draft the upload created."""

    def make(client, payload: bytes, **options) -> int:
        response = upload(client, payload, **options)
        assert response.status_code == 302, response.get_data(as_text=True)
        return int(response.headers["Location"].rsplit("/", 1)[1])

    return make
