"""The OCDS export as data users read it: stable ids, parties, tags and items, and the same
facts as the API.

The official OCDS 1.1.5 schemas cannot be fetched here and no PyPI package ships them, so
RELEASE_PACKAGE below restates, as JSON Schema draft 4 checked with jsonschema, what they
require of a release package and of the parts we publish: required fields, the closed
codelists (releaseTag, initiationType, tenderStatus, awardStatus, procurementCategory) and
the types of ids, amounts and dates.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from factories import NOW
from jsonschema import Draft4Validator, FormatChecker

from portal.opportunities.models import (
    OpportunityAward,
    OpportunityClassification,
    OpportunityStatus,
)

OCDS_PATHS = ("/buscar.ocds.json", "/api/v1/opportunities.ocds.json")
STRING = {"type": "string", "minLength": 1}
DATE_TIME = {"type": "string", "format": "date-time"}
VALUE = {
    "type": "object",
    "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}},
}
CLASSIFICATION = {
    "type": "object",
    "required": ["scheme", "id"],
    "properties": {"scheme": STRING, "id": STRING, "description": {"type": "string"}},
}
ORGANIZATION_REFERENCE = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": STRING, "name": {"type": "string"}},
}
RELEASE = {
    "type": "object",
    "required": ["ocid", "id", "date", "tag", "initiationType"],
    "properties": {
        "ocid": STRING,
        "id": STRING,
        "date": DATE_TIME,
        "tag": {
            "type": "array",
            "minItems": 1,
            "items": {
                "enum": [
                    *("planning", "planningUpdate", "tender", "tenderAmendment"),
                    *("tenderUpdate", "tenderCancellation", "award", "awardUpdate"),
                    *("awardCancellation", "contract", "contractUpdate", "contractAmendment"),
                    *("implementation", "implementationUpdate", "contractTermination"),
                    "compiled",
                ]
            },
        },
        "initiationType": {"enum": ["tender"]},
        "parties": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": STRING,
                    "roles": {"type": "array", "items": {"type": "string"}},
                    "identifier": {
                        "type": "object",
                        "properties": {"scheme": STRING, "id": {"type": ["string", "integer"]}},
                    },
                },
            },
        },
        "buyer": ORGANIZATION_REFERENCE,
        "tender": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": STRING,
                "status": {
                    "enum": [
                        *("planning", "planned", "active", "cancelled", "unsuccessful"),
                        *("complete", "withdrawn"),
                    ]
                },
                "mainProcurementCategory": {"enum": ["goods", "works", "services"]},
                "value": VALUE,
                "tenderPeriod": {
                    "type": "object",
                    "properties": {"startDate": DATE_TIME, "endDate": DATE_TIME},
                },
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id"],
                        "properties": {
                            "id": STRING,
                            "description": {"type": "string"},
                            "classification": CLASSIFICATION,
                            "additionalClassifications": {
                                "type": "array",
                                "items": CLASSIFICATION,
                            },
                        },
                    },
                },
            },
        },
        "awards": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": STRING,
                    "status": {"enum": ["pending", "active", "cancelled", "unsuccessful"]},
                    "date": DATE_TIME,
                    "value": VALUE,
                    "suppliers": {"type": "array", "items": ORGANIZATION_REFERENCE},
                },
            },
        },
    },
}
RELEASE_PACKAGE = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["uri", "publisher", "publishedDate", "releases", "version"],
    "properties": {
        "uri": {"type": "string", "format": "uri"},
        "version": {"type": "string", "pattern": r"^(\d+\.)(\d+)$"},
        "publishedDate": DATE_TIME,
        "publisher": {"type": "object", "required": ["name"]},
        "license": {"type": "string", "format": "uri"},
        "releases": {"type": "array", "minItems": 1, "uniqueItems": True, "items": RELEASE},
    },
}
VALIDATOR = Draft4Validator(RELEASE_PACKAGE, format_checker=FormatChecker())


def _errors(package: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in VALIDATOR.iter_errors(package)
    ]


def _package(client, query: str, path: str = OCDS_PATHS[0]) -> dict:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    package = response.get_json()
    assert _errors(package) == []
    return package


def _release(package: dict) -> dict:
    [release] = package["releases"]
    return release


def test_the_schema_check_catches_what_the_ocds_schema_refuses():
    broken = {
        "uri": "https://comprasmype.pe/buscar.ocds.json",
        "version": "1.1",
        "publishedDate": "2026-03-01",
        "publisher": {"name": "Compras MYPE"},
        "releases": [
            {
                "ocid": "",
                "id": "1",
                "date": "2026-03-01T00:00:00Z",
                "tag": ["closed"],
                "initiationType": "tender",
                "tender": {"id": "1", "status": "closed", "value": {"amount": "10.00"}},
            }
        ],
    }
    assert sorted(error.split(":")[0] for error in _errors(broken)) == [
        "publishedDate",
        "releases/0/ocid",
        "releases/0/tag/0",
        "releases/0/tender/status",
        "releases/0/tender/value/amount",
    ]


def test_an_ocid_survives_a_rebuild_of_the_database(client, session, make_opportunity):
    first = make_opportunity(title="Compra de cemento", source_ref="AS-SM-219-2026-MVES-1")
    before = _release(_package(client, "q=cemento"))["ocid"]
    session.delete(first)
    session.commit()
    make_opportunity(title="Mantenimiento de local")  # takes the freed row id on SQLite
    again = make_opportunity(title="Compra de cemento", source_ref="AS-SM-219-2026-MVES-1")

    after = _release(_package(client, "q=cemento"))["ocid"]

    assert again.id != first.id
    assert after == before and after.startswith("ocds-compras-mype-test-")


def test_different_references_get_different_ocids(client, make_opportunity):
    make_opportunity(title="Compra de cemento", source_ref="https://example.org/aviso?id=1")
    make_opportunity(title="Compra de cemento", source_ref="https://example.org/aviso?id=2")

    releases = _package(client, "q=cemento")["releases"]

    assert len({release["ocid"] for release in releases}) == 2


def test_the_source_ocid_is_kept(client, make_opportunity):
    make_opportunity(title="Compra de cemento", ocid="ocds-dgv273-seacev3-1234")

    assert _release(_package(client, "q=cemento"))["ocid"] == "ocds-dgv273-seacev3-1234"


@pytest.mark.parametrize(
    ("fields", "party_id", "identifier"),
    [
        (
            {"ruc": "20131705434"},
            "PE-RUC-20131705434",
            {"scheme": "PE-RUC", "id": "20131705434"},
        ),
        (
            {"identifier_scheme": "PY-RUC", "identifier": "80000000-1"},
            "PY-RUC-80000000-1",
            {"scheme": "PY-RUC", "id": "80000000-1"},
        ),
    ],
)
def test_the_buyer_is_a_party_with_its_own_identifier(
    client, make_buyer, make_opportunity, fields, party_id, identifier
):
    buyer = make_buyer(name="Municipalidad de Villa El Salvador", **fields)
    make_opportunity(title="Compra de cemento", buyer=buyer)

    release = _release(_package(client, "q=cemento"))

    assert release["buyer"] == {"id": party_id, "name": "Municipalidad de Villa El Salvador"}
    assert release["parties"] == [
        {
            "id": party_id,
            "name": "Municipalidad de Villa El Salvador",
            "identifier": identifier,
            "roles": ["buyer"],
        }
    ]


def test_a_buyer_known_by_name_only_gets_no_row_id(client, make_buyer, make_opportunity):
    buyer = make_buyer(name="Junta de Usuarios de Riego", identifier_scheme=None, identifier=None)
    make_opportunity(title="Compra de cemento", buyer=buyer)

    release = _release(_package(client, "q=cemento"))

    [party] = release["parties"]
    assert party["id"] == release["buyer"]["id"] and "identifier" not in party
    assert party["id"] != f"buyer-{buyer.id}" and party["id"].startswith("ocds-compras-mype-")


TAGS = {
    OpportunityStatus.OPEN: (["tender"], "active"),
    OpportunityStatus.CLOSED: (["tender"], "active"),
    OpportunityStatus.AWARDED: (["award"], "complete"),
    OpportunityStatus.CANCELLED: (["tenderCancellation"], "cancelled"),
    OpportunityStatus.DESERTED: (["tender"], "unsuccessful"),
    OpportunityStatus.PLANNED: (["planning"], "planned"),
    OpportunityStatus.SUSPENDED: (["tender"], "active"),
    OpportunityStatus.WITHDRAWN: (["tender"], "withdrawn"),
}


def test_releases_are_tagged_by_status(client, session, make_opportunity):
    made = {
        status: make_opportunity(title=f"Compra de cemento {status.value}", status=status)
        for status in OpportunityStatus
    }
    awarded = made[OpportunityStatus.AWARDED]
    session.add(
        OpportunityAward(
            opportunity_id=awarded.id,
            position=0,
            supplier_name="Constructora Andina S.A.C.",
            supplier_ruc="20601234565",
            amount=Decimal("9800.00"),
            awarded_at=NOW - timedelta(hours=2),
        )
    )
    session.commit()

    package = _package(client, "q=cemento&status=all")

    by_title = {release["tender"]["title"]: release for release in package["releases"]}
    for status, (tags, tender_status) in TAGS.items():
        release = by_title[f"Compra de cemento {status.value}"]
        assert (release["tag"], release["tender"]["status"]) == (tags, tender_status), status
    award = by_title["Compra de cemento awarded"]
    assert award["awards"][0]["suppliers"] == [
        {"id": "PE-RUC-20601234565", "name": "Constructora Andina S.A.C."}
    ]
    parties = {party["id"]: party for party in award["parties"]}
    assert parties["PE-RUC-20601234565"]["roles"] == ["supplier"]


def test_items_keep_their_descriptions_and_classifications(client, session, make_opportunity):
    opportunity = make_opportunity(title="Compra de cemento")
    opportunity.classifications = [
        OpportunityClassification(
            scheme="CUBSO", code="3011160100012345", description="CEMENTO PORTLAND TIPO I"
        ),
        OpportunityClassification(scheme="UNSPSC", code="30111601"),
        OpportunityClassification(scheme="CPV", code="44111200", description="Cemento"),
    ]
    session.commit()

    items = _release(_package(client, "q=cemento"))["tender"]["items"]

    assert sorted(item.pop("id") for item in items) == ["1", "2"]
    assert sorted(items, key=lambda item: item["classification"]["scheme"]) == [
        {
            "description": "Cemento",
            "classification": {"scheme": "CPV", "id": "44111200", "description": "Cemento"},
        },
        {
            "description": "CEMENTO PORTLAND TIPO I",
            "classification": {
                "scheme": "CUBSO",
                "id": "3011160100012345",
                "description": "CEMENTO PORTLAND TIPO I",
            },
            "additionalClassifications": [{"scheme": "UNSPSC", "id": "30111601"}],
        },
    ]


def test_every_release_says_what_the_api_says(client, session, make_buyer, make_opportunity):
    buyer = make_buyer(name="Gobierno Regional del Cusco", ruc="20131705434")
    for number in range(3):
        make_opportunity(
            title=f"Obra de saneamiento {number}",
            buyer=buyer,
            estimated_value=Decimal("1500.50") * (number + 1),
            deadline_at=NOW + timedelta(days=number + 1),
            classifications=("30111601",),
        )
    make_opportunity(title="Obra de saneamiento sin plazo", deadline_at=None, buyer=None)

    for path in OCDS_PATHS:
        package = _package(client, "q=saneamiento&sort=closing", path)
        api = client.get("/api/v1/opportunities?q=saneamiento&sort=closing").get_json()["data"]

        assert len(package["releases"]) == len(api) == 4
        for release, row in zip(package["releases"], api, strict=True):
            tender = release["tender"]
            assert tender["title"] == row["title"]
            assert tender.get("tenderPeriod", {}).get("endDate") == row["deadline_at"]
            assert tender["value"]["amount"] == float(row["estimated_value"])
            assert release["date"] == row["updated_at"]
            assert release.get("buyer", {}).get("name") == (row["buyer"] or {}).get("name")
            codes = [item["classification"]["id"] for item in tender.get("items", [])]
            assert codes == [item["code"] for item in row["classifications"]]
