"""Plan linking and plan versions: a call finds its PAC line, a plan is stored once per change."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.opportunities.models import ObjectType, Opportunity
from portal.plans.models import AnnualPlan
from scrapers.ingest import Ingestor
from scrapers.models import ScrapeRun
from scrapers.plan_linking import classification_rule, description_coverage, fold_words
from scrapers.records import (
    BuyerRecord,
    ClassificationRecord,
    OpportunityRecord,
    PlanLineRecord,
    PlanRecord,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)
BUYER = BuyerRecord(name="GOBIERNO REGIONAL DE AREQUIPA", ruc="20503704065")
CEMENT_LINE = PlanLineRecord(
    reference_number="12",
    description="Adquisición de cemento portland tipo I para obras viales",
    object_type=ObjectType.GOODS,
    planned_month=3,
    procedure_type_code="LP",
    classification_code="3011160100001234",
    estimated_value=Decimal("250000"),
)
PAPER_LINE = PlanLineRecord(
    reference_number="13",
    description="Papel bond A4 para oficinas",
    object_type=ObjectType.GOODS,
    planned_month=2,
    classification_code="14111507",
)
PLAN = PlanRecord(buyer=BUYER, fiscal_year=2026, lines=(CEMENT_LINE, PAPER_LINE), source_ref="PAC")


def cement_call(ref: str = "LP-1-2026", year: int = 2026) -> OpportunityRecord:
    return OpportunityRecord(
        source_ref=ref,
        title="Adquisición de cemento portland tipo I",
        description="Cemento para obras viales de la región",
        buyer=BUYER,
        classifications=(ClassificationRecord("CUBSO", "3011160100009999"),),
        published_at=datetime(year, 2, 20, 15, tzinfo=UTC),
    )


@pytest.fixture
def ingest(session, make_source):
    source = make_source("pac-y-convocatorias")

    def run(*records, at: datetime = NOW):
        scrape_run = ScrapeRun(source_id=source.id, started_at=at)
        session.add(scrape_run)
        session.commit()
        ingestor = Ingestor(session, source, scrape_run.id, at)
        ingestor.consume(records)
        return ingestor.finish()

    return run


def test_words_are_folded_without_accents_and_filler():
    assert fold_words("Adquisición de CEMENTO pórtland") == {"cemento", "portland"}


def test_coverage_is_the_share_of_the_lines_words_the_call_mentions():
    assert description_coverage("Cemento Portland", "portland cemento") == 1.0
    assert description_coverage("Cemento Portland", "papel bond") == 0.0
    long_call = (
        "Adquisición de cemento portland tipo I para la obra de pistas y veredas del distrito, "
        "entregado en almacén central en bolsas de 42,5 kg con certificado de calidad"
    )
    assert description_coverage("Adquisición de cemento Portland", long_call) == 1.0
    assert description_coverage("Cemento Portland y fierro corrugado", long_call) == 0.5


def test_classification_rule_prefers_the_commodity_over_the_class():
    assert classification_rule(["30111601"], "3011160100001234") == "unspsc8"
    assert classification_rule(["30111602"], "30111601") == "unspsc6"
    assert classification_rule(["14111507"], "30111601") is None


def test_existing_call_is_linked_when_its_plan_arrives(session, ingest):
    ingest(cement_call())

    ingest(PLAN)

    call = session.scalar(select(Opportunity))
    assert call.plan_line.reference_number == "12"
    assert call.plan_link_rule.startswith("buyer+year+unspsc8+desc")


def test_new_call_is_linked_during_ingest_when_the_plan_is_there(session, ingest):
    ingest(PLAN)

    ingest(cement_call())

    assert session.scalar(select(Opportunity.plan_link_rule)).startswith("buyer+year+unspsc8")


def test_call_is_linked_when_an_update_brings_what_the_link_needs(session, ingest):
    ingest(PLAN)
    unclassified = replace(cement_call(), classifications=(), title="Convocatoria LP-1-2026")
    ingest(unclassified)
    assert session.scalar(select(Opportunity.plan_line_id)) is None

    ingest(cement_call())

    call = session.scalar(select(Opportunity))
    assert call.plan_line.reference_number == "12"
    assert call.plan_link_rule.startswith("buyer+year+unspsc8")


def test_call_of_another_year_is_not_linked(session, ingest):
    ingest(PLAN)

    ingest(cement_call(year=2025))

    assert session.scalar(select(Opportunity.plan_line_id)) is None


def test_same_plan_twice_keeps_one_version_and_a_change_adds_the_next(session, ingest):
    first = ingest(PLAN)
    again = ingest(PLAN)
    amended = replace(PLAN, lines=(CEMENT_LINE, replace(PAPER_LINE, planned_month=5)))
    ingest(amended)

    assert (first.new, again.new, again.unchanged) == (1, 0, 1)
    versions = session.scalars(select(AnnualPlan).order_by(AnnualPlan.version)).all()
    assert [plan.version for plan in versions] == [1, 2]
    assert all(plan.source_id is not None for plan in versions)
    assert [line.planned_month for line in versions[1].lines] == [3, 5]


def test_linked_call_records_when_its_line_was_first_published(session, ingest):
    """Line 12 is in version 1 (1 February) and again in version 2 (15 February): the call
    was announced from 1 February."""
    first, amended_at = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 15, tzinfo=UTC)
    ingest(replace(PLAN, lines=(CEMENT_LINE,)), at=first)
    ingest(PLAN, at=amended_at)

    ingest(cement_call())

    call = session.scalar(select(Opportunity))
    assert call.plan_line.plan.version == 2
    assert call.plan_noticed_at == first


def test_call_linked_when_an_amendment_arrives_gets_the_first_publication_date(session, ingest):
    first, amended_at = datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 2, 25, tzinfo=UTC)
    ingest(
        replace(PLAN, lines=(replace(CEMENT_LINE, classification_code="4410000000000000"),)),
        at=first,
    )
    ingest(cement_call())
    assert session.scalar(select(Opportunity.plan_noticed_at)) is None

    ingest(PLAN, at=amended_at)

    call = session.scalar(select(Opportunity))
    assert call.plan_line.plan.version == 2
    assert call.plan_noticed_at == first


def test_a_line_new_in_the_amendment_is_noticed_from_the_amendment(session, ingest):
    first, amended_at = datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    ingest(replace(PLAN, lines=(PAPER_LINE,)), at=first)
    ingest(PLAN, at=amended_at)

    ingest(cement_call())

    assert session.scalar(select(Opportunity.plan_noticed_at)) == amended_at
