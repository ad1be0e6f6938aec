"""Plan versions with chosen lines and dates: amendments are about what differs between them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from factories import NOW, create_plan

from portal.opportunities.models import ObjectType
from portal.plans.models import PlanLine


def plan_line(reference: str, **fields) -> PlanLine:
    """A goods line for March in Lima worth S/ 1,000.00, with only what a test is about changed."""
    values = {
        "reference_number": reference,
        "description": f"Línea {reference}",
        "object_type": ObjectType.GOODS,
        "estimated_value": Decimal("1000.00"),
        "planned_month": 3,
        "region_code": "15",
    }
    return PlanLine(**(values | fields))


@pytest.fixture
def make_version(session):
    """make_version(buyer, version, [plan_line(...)], days_ago=...) -> a committed plan version."""

    def make(buyer, version: int, lines: list[PlanLine], days_ago: int = 0, **fields):
        plan = create_plan(
            session,
            buyer=buyer,
            version=version,
            lines=0,
            published_at=NOW - timedelta(days=days_ago),
            **fields,
        )
        plan.lines = lines
        session.commit()
        return plan

    return make
