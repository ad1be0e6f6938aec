"""`portal demo` looks like the real thing: each buyer buys what its kind of entity buys, calls
are published and close in office hours on Lima business days, and running the demo again the
same day changes nothing: no change rows, no status flips, nothing to match again."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from notifications.models import AlertDelivery
from portal.buyers.models import Buyer
from portal.demo.catalogue import (
    BUYERS,
    MINING,
    MINING_COMPANY,
    MUNICIPALITY,
    PUBLIC_OFFICES,
    purchases_for,
)
from portal.demo.files import is_business_day
from portal.demo.operations import build_demo
from portal.opportunities.models import Opportunity, OpportunityChange
from portal.plans.models import AnnualPlan, PlanLine

LIMA = ZoneInfo("America/Lima")
# A Wednesday: calls close on it, so the afternoon run meets deadlines that passed since the
# morning one.
MORNING = datetime(2026, 3, 11, 9, 40, tzinfo=LIMA)
AFTERNOON = datetime(2026, 3, 11, 17, 50, tzinfo=LIMA)
COUNT = 160


@pytest.fixture
def demo(app, session):
    return build_demo(app, opportunity_count=COUNT, now=MORNING)


def _calls(session) -> list[Opportunity]:
    return list(session.scalars(select(Opportunity).order_by(Opportunity.id)))


def _state(session) -> dict[int, tuple]:
    return {
        call.id: (call.status, call.deadline_at, call.content_hash, call.updated_at)
        for call in _calls(session)
    }


def test_every_buyer_buys_what_its_kind_of_entity_buys(demo, session):
    kinds = {buyer.name: buyer.kind for buyer in (*BUYERS, MINING_COMPANY)}
    seen_kinds = set()
    for call in _calls(session):
        kind = kinds[call.buyer.name]
        seen_kinds.add(kind)
        bought = [purchase.title for purchase in purchases_for(kind)]
        assert any(call.title.startswith(title) for title in bought), (call.buyer.name, call.title)
    assert seen_kinds == PUBLIC_OFFICES | {MINING}


def test_a_municipality_buys_road_works_cleaning_and_uniforms_a_hospital_medicines(demo, session):
    municipal = {purchase.title for purchase in purchases_for(MUNICIPALITY)}
    assert {
        "Mejoramiento de pistas y veredas del centro poblado",
        "Servicio de recolección y transporte de residuos sólidos",
        "Adquisición de uniformes para el personal de serenazgo",
    } <= municipal
    hospital = session.scalar(select(Buyer).where(Buyer.name == "Hospital Regional Lambayeque"))
    titles = session.scalars(select(Opportunity.title).where(Opportunity.buyer_id == hospital.id))
    assert not any("pistas y veredas" in title or "serenazgo" in title for title in titles)


def test_calls_are_published_and_close_in_office_hours_on_business_days(demo, session):
    calls = _calls(session)
    with_deadline = [call for call in calls if call.deadline_at is not None]
    assert len(with_deadline) == len(calls)  # the feed's deadlines are read from its prose
    for call in calls:
        for moment in (call.published_at, call.deadline_at):
            local = moment.astimezone(LIMA)
            assert time(9) <= local.time() <= time(17, 30), (call.title, local)
            assert is_business_day(local.date()), (call.title, local)


def test_a_second_run_the_same_day_changes_nothing(app, demo, session):
    before = _state(session)
    plans = session.scalar(select(func.count(AnnualPlan.id)))
    deliveries = session.scalar(select(func.count(AlertDelivery.id)))
    assert before and not session.scalar(select(func.count(OpportunityChange.id)))
    closing_today = [
        call
        for call in _calls(session)
        if MORNING < call.deadline_at <= AFTERNOON  # deadlines that pass between the runs
    ]
    assert closing_today, "the day chosen must have calls closing between the two runs"

    again = build_demo(app, opportunity_count=COUNT, now=AFTERNOON)
    session.expire_all()

    assert all("nuevas 0, actualizadas 0" in line for line in again.runs), again.runs
    assert session.scalar(select(func.count(OpportunityChange.id))) == 0
    assert _state(session) == before  # no status flips, no new hashes, nothing rewritten
    assert not session.scalar(select(func.count()).where(Opportunity.needs_matching))
    assert not session.scalar(select(func.count()).where(PlanLine.needs_matching))
    assert session.scalar(select(func.count(AnnualPlan.id))) == plans
    assert session.scalar(select(func.count(AlertDelivery.id))) == deliveries
