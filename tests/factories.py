"""`make_*` fixtures for opportunities, buyers and plans: a test states only what it is about.

Each callable commits, because pages read committed rows and the search index follows commits.
Conftests re-export these fixtures by importing them.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest

from portal.buyers.models import Buyer, GovernmentLevel
from portal.opportunities.models import (
    ObjectType,
    Opportunity,
    OpportunityClassification,
    OpportunityStatus,
)
from portal.plans.models import AnnualPlan, PlanLine
from scrapers.models import Source, SourceKind

NOW = datetime.now(UTC).replace(microsecond=0)
_sequence = count(1)


def factory_source(session) -> Source:
    """The one source every factory-made opportunity and plan comes from."""
    source = session.query(Source).filter_by(key="test").one_or_none()
    if source is None:
        source = Source(key="test", name="Fuente de prueba", kind=SourceKind.MANUAL)
        session.add(source)
        session.flush()
    return source


def create_buyer(session, **fields) -> Buyer:
    number = next(_sequence)
    values = {
        "name": f"Municipalidad de prueba {number}",
        "identifier_scheme": "TEST",
        "identifier": f"buyer-{number}",
        "government_level": GovernmentLevel.LOCAL,
        "region_code": "15",
    }
    buyer = Buyer(**(values | fields))
    session.add(buyer)
    session.commit()
    return buyer


def create_opportunity(session, classifications: tuple[str, ...] = (), **fields) -> Opportunity:
    """An open goods notice in Lima published a day ago, closing in ten days."""
    number = next(_sequence)
    values = {
        "source_id": factory_source(session).id,
        "source_ref": f"ref-{number}",
        "title": f"Adquisición de bienes {number}",
        "description": "Descripción de prueba",
        "object_type": ObjectType.GOODS,
        "region_code": "15",
        "estimated_value": Decimal("10000.00"),
        "published_at": NOW - timedelta(days=1),
        "deadline_at": NOW + timedelta(days=10),
        "status": OpportunityStatus.OPEN,
        "url": f"https://example.org/convocatorias/{number}",
        "content_hash": f"{number:064d}",
    }
    opportunity = Opportunity(**(values | fields))
    opportunity.classifications = [
        OpportunityClassification(scheme="UNSPSC", code=code) for code in classifications
    ]
    session.add(opportunity)
    session.commit()
    return opportunity


def create_plan(session, buyer: Buyer | None = None, lines: int = 2, **fields) -> AnnualPlan:
    """A plan version with `lines` goods lines planned for successive months."""
    values = {
        "buyer": buyer or create_buyer(session),
        "fiscal_year": NOW.year,
        "version": 1,
        "source_id": factory_source(session).id,
        "published_at": NOW - timedelta(days=30),
    }
    plan = AnnualPlan(**(values | fields))
    plan.lines = [
        PlanLine(
            reference_number=str(index),
            description=f"Compra planificada {index}",
            object_type=ObjectType.GOODS,
            estimated_value=Decimal("5000.00") * index,
            planned_month=(index - 1) % 12 + 1,
            region_code="15",
        )
        for index in range(1, lines + 1)
    ]
    session.add(plan)
    session.commit()
    return plan


@pytest.fixture
def make_buyer(session):
    return lambda **fields: create_buyer(session, **fields)


@pytest.fixture
def make_opportunity(session):
    return lambda **fields: create_opportunity(session, **fields)


@pytest.fixture
def make_plan(session):
    return lambda **fields: create_plan(session, **fields)
