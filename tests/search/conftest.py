"""Factories for search tests: rows written through the ORM and committed, as ingest does."""

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from portal.buyers.models import Buyer
from portal.opportunities.models import (
    ObjectType,
    Opportunity,
    OpportunityClassification,
    OpportunityStatus,
)
from portal.plans.models import AnnualPlan, PlanLine
from scrapers.models import Source, SourceKind

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def source(session) -> Source:
    source = Source(key="test", name="Fuente de prueba", kind=SourceKind.MANUAL)
    session.add(source)
    session.commit()
    return source


@pytest.fixture
def make_buyer(session):
    counter = itertools.count(1)

    def make(name: str = "", region_code: str | None = "15") -> Buyer:
        number = next(counter)
        buyer = Buyer(
            name=name or f"Municipalidad {number}",
            identifier_scheme="TEST",
            identifier=str(number),
            region_code=region_code,
        )
        session.add(buyer)
        session.commit()
        return buyer

    return make


@pytest.fixture
def make_opportunity(session, source):
    """Commits one opportunity; keyword arguments override sensible open defaults."""
    counter = itertools.count(1)

    def make(
        title: str = "Adquisición de bienes",
        description: str = "",
        *,
        codes: tuple[str, ...] = (),
        commit: bool = True,
        **fields,
    ) -> Opportunity:
        number = next(counter)
        values = {
            "source_id": source.id,
            "source_ref": f"ref-{number}",
            "title": title,
            "description": description,
            "object_type": ObjectType.GOODS,
            "status": OpportunityStatus.OPEN,
            "published_at": NOW - timedelta(days=2),
            "deadline_at": NOW + timedelta(days=10),
            "estimated_value": Decimal("100000"),
            "content_hash": f"hash-{number}",
            "region_code": "15",
        }
        values.update(fields)
        opportunity = Opportunity(**values)
        opportunity.classifications = [
            OpportunityClassification(scheme="UNSPSC", code=code) for code in codes
        ]
        session.add(opportunity)
        if commit:
            session.commit()
        else:
            session.flush()
        return opportunity

    return make


@pytest.fixture
def make_plan_line(session, source, make_buyer):
    counter = itertools.count(1)

    def make(description: str, **fields) -> PlanLine:
        number = next(counter)
        buyer = fields.pop("buyer", None) or make_buyer()
        plan = AnnualPlan(
            buyer_id=buyer.id,
            fiscal_year=fields.pop("fiscal_year", 2026),
            version=fields.pop("version", 1),
            source_id=source.id,
            published_at=NOW - timedelta(days=30),
        )
        values = {
            "reference_number": str(number),
            "description": description,
            "object_type": ObjectType.GOODS,
            "planned_month": 6,
            "estimated_value": Decimal("50000"),
        }
        values.update(fields)
        line = PlanLine(plan=plan, **values)
        session.add(plan)
        session.commit()
        return line

    return make
