"""/api/v1/openapi.json is a valid OpenAPI 3.0 document, and what the API returns (nulls and
every status included) validates against it, read as an OpenAPI 3.0 client reads it."""

from datetime import timedelta

import pytest
from factories import NOW
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from portal.opportunities.enums import AWARD_STATUSES
from portal.opportunities.models import (
    ChangeKind,
    ObjectType,
    OpportunityAward,
    OpportunityChange,
    OpportunityStatus,
)


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def _schema(document: dict, path: str) -> dict:
    response = document["paths"][path]["get"]["responses"]["200"]
    return response["content"]["application/json"]["schema"]


def _errors(schema: dict, instance) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in OAS30Validator(schema).iter_errors(instance)
    ]


def test_the_document_is_valid_openapi(document):
    validate(document)


@pytest.fixture
def every_shape(session, make_opportunity):
    """A notice per status, one without object type, deadline rule or buyer (as feeds give
    them), with an award and a change of every kind."""
    made = [
        make_opportunity(title=f"Compra {status.value}", status=status)
        for status in OpportunityStatus
    ]
    bare = make_opportunity(
        title="Aviso de un canal RSS",
        object_type=None,
        buyer=None,
        minimum_days=None,
        minimum_day_kind=None,
        minimum_basis=None,
        estimated_value=None,
        published_at=None,
        deadline_at=None,
    )
    for number, kind in enumerate(ChangeKind):
        session.add(
            OpportunityChange(
                opportunity_id=bare.id,
                changed_at=NOW - timedelta(hours=number),
                kind=kind,
                field="deadline_at",
                old_value=None,
                new_value="2026-03-05T17:00:00Z",
            )
        )
    session.add(
        OpportunityAward(
            opportunity_id=made[0].id,
            position=0,
            supplier_name="Constructora Andina S.A.C.",
            supplier_ruc="20601234565",
            amount=None,
            status="pending",
        )
    )
    session.commit()
    return bare


def test_every_listed_opportunity_validates_against_the_document(client, document, every_shape):
    schema = _schema(document, "/api/v1/opportunities")
    body = client.get("/api/v1/opportunities?status=all&per_page=100").get_json()

    assert {row["object_type"] for row in body["data"]} == {None, "goods"}
    assert {row["status"] for row in body["data"]} == {status.value for status in OpportunityStatus}
    assert _errors(schema, body) == []


def test_an_opportunity_without_object_type_validates_in_detail(client, document, every_shape):
    schema = _schema(document, "/api/v1/opportunities/{opportunity_id}")
    body = client.get(f"/api/v1/opportunities/{every_shape.id}").get_json()

    assert body["data"]["object_type"] is None and body["data"]["minimum_day_kind"] is None
    assert len(body["data"]["changes"]) == len(ChangeKind)
    assert _errors(schema, body) == []


def test_the_enums_are_the_vocabularies_the_serializer_writes(document):
    opportunity = _schema(document, "/api/v1/opportunities")["properties"]["data"]["items"]
    fields = opportunity["properties"]

    assert fields["object_type"]["enum"] == [*(kind.value for kind in ObjectType), None]
    assert fields["status"]["enum"] == [status.value for status in OpportunityStatus]
    assert fields["minimum_day_kind"]["enum"] == ["business", "calendar", None]
    assert fields["minimum_basis"]["enum"] == ["legal", "admin", None]
    awards = fields["awards"]["items"]["properties"]
    assert awards["status"]["enum"] == list(AWARD_STATUSES)
    detail = _schema(document, "/api/v1/opportunities/{opportunity_id}")["properties"]["data"]
    kinds = detail["properties"]["changes"]["items"]["properties"]["kind"]
    assert kinds["enum"] == [kind.value for kind in ChangeKind]


def test_a_null_outside_an_enum_is_still_refused(document):
    """The nullable enums admit null and their values, nothing else."""
    fields = _schema(document, "/api/v1/opportunities")["properties"]["data"]["items"]
    object_type = fields["properties"]["object_type"]

    assert _errors(object_type, None) == []
    assert _errors(object_type, "goods") == []
    assert _errors(object_type, "furniture") != []
    assert _errors(fields["properties"]["status"], None) != []


def test_the_ocds_export_validates_against_its_documented_schema(client, document, every_shape):
    schema = _schema(document, "/api/v1/opportunities.ocds.json")
    body = client.get("/api/v1/opportunities.ocds.json?status=all").get_json()

    assert _errors(schema, body) == []
    parties = schema["properties"]["releases"]["items"]["properties"]["parties"]
    assert parties["items"]["required"] == ["id", "roles"]
