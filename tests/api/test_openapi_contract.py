"""The API honours its own OpenAPI document: no 5xx, responses match the schemas."""

from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from factories import NOW
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from portal.opportunities.models import ChangeKind, OpportunityAward, OpportunityChange


@pytest.fixture
def api_schema(app, session, make_opportunity, make_plan):
    opportunity = make_opportunity(title="Adquisición de uniformes", classifications=("53102700",))
    make_opportunity(deadline_at=None, estimated_value=None, published_at=None)
    session.add(
        OpportunityChange(
            opportunity_id=opportunity.id,
            changed_at=NOW - timedelta(hours=1),
            kind=ChangeKind.VALUE_CHANGED,
            field="estimated_value",
            old_value="1",
            new_value="2",
        )
    )
    session.add(
        OpportunityAward(
            opportunity_id=opportunity.id,
            position=0,
            supplier_name="Confecciones Textiles del Sur S.A.C.",
            supplier_ruc="20601234565",
            amount=Decimal("98000.00"),
            awarded_at=NOW - timedelta(hours=2),
        )
    )
    session.commit()
    make_plan()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_api_conforms_to_its_openapi_document(api_schema):
    """Operations are driven one by one: schemathesis' pytest lazy loader breaks on pytest 9."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 4
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        def conforms(case):
            # OpenAPI cannot state value_min <= value_max or "a cursor this server signed", so
            # schema-valid requests may rightly get 400; every other check stays on.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        conforms()


def json_error_body(ctx, response, case) -> None:
    """Every 4xx answers the documented JSON error object, never an HTML page."""
    if 400 <= response.status_code < 500:
        assert response.headers.get("content-type", [""])[0].startswith("application/json")
        error = response.json()["error"]
        assert isinstance(error["message"], str) and error["message"]


def _sends_an_empty_value(case) -> bool:
    """An empty string, list or object all reach the server as `name=` (nothing given)."""
    values = (case.query or {}).values()
    return any(
        _empty(value) or (isinstance(value, list) and any(map(_empty, value))) for value in values
    )


def _empty(value) -> bool:
    return value == "" or value == [] or value == {}


def test_api_refuses_invalid_requests_with_json_errors(api_schema):
    """Schema-violating requests (negative data): never a 5xx, a JSON body with every 4xx, and
    refused unless the only violation is an empty value, which means "not given" (the search
    form sends empty selects) as the OpenAPI document says."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE))
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def refused(case):
            lenient = [negative_data_rejection] if _sends_an_empty_value(case) else []
            case.call_and_validate(additional_checks=[json_error_body], excluded_checks=lenient)

        refused()
