"""The database itself refuses what must never be stored, on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime

import pytest
from foundation_factories import make_buyer, make_opportunity, make_source
from sqlalchemy.exc import IntegrityError, StatementError

from notifications.models import AlertDelivery, DeliveryKind
from portal.accounts.models import Role, User
from portal.opportunities.models import ObjectType
from portal.plans.models import AnnualPlan, PlanLine


def _user(session, email="sme@ejemplo.pe", **fields) -> User:
    user = User(email=email, password_hash="x", **fields)
    session.add(user)
    session.flush()
    return user


def test_one_source_id_is_one_opportunity(session):
    source = make_source(session)
    make_opportunity(session, source=source, source_ref="AS-SM-1-2026-MPA-1")
    session.commit()
    with pytest.raises(IntegrityError):
        make_opportunity(session, source=source, source_ref="AS-SM-1-2026-MPA-1")
    session.rollback()
    other_source = make_source(session)
    make_opportunity(session, source=other_source, source_ref="AS-SM-1-2026-MPA-1")
    session.commit()


def test_one_delivery_per_user_and_opportunity(session):
    user = _user(session)
    opportunity = make_opportunity(session)
    key = f"opportunity:{opportunity.id}"
    session.add(
        AlertDelivery(user=user, opportunity=opportunity, kind=DeliveryKind.MATCH, dedup_key=key)
    )
    session.commit()
    session.add(  # the call fulfilling a forecast is the same opportunity: refused too
        AlertDelivery(
            user=user, opportunity=opportunity, kind=DeliveryKind.FOLLOW_UP, dedup_key=key
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_a_delivery_is_about_exactly_one_thing(session):
    user = _user(session)
    session.add(AlertDelivery(user=user, kind=DeliveryKind.MATCH, dedup_key="opportunity:0"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_alert_preferences_are_checked_by_the_database(session):
    for values in (
        {"daily_alert_cap": 0},
        {"quiet_from_hour": 22},
        {"quiet_from_hour": 24, "quiet_until_hour": 7},
    ):
        user = _user(session)
        for name, value in values.items():
            setattr(user, name, value)
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()


def test_agency_staff_row_without_buyer_is_refused_by_the_database(session):
    session.add(User(email="staff@ejemplo.pe", password_hash="x", role=Role.AGENCY_STAFF))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_plan_line_month_and_reference_are_checked(session):
    plan = AnnualPlan(
        buyer=make_buyer(session), fiscal_year=2026, source_id=make_source(session).id
    )
    session.add(plan)
    session.flush()
    line = dict(description="Uniformes", object_type=ObjectType.GOODS)
    session.add(PlanLine(plan=plan, reference_number="001", planned_month=13, **line))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_plan_needs_provenance_and_unique_versions(session):
    buyer = make_buyer(session)
    source = make_source(session)
    session.commit()
    session.add(AnnualPlan(buyer=buyer, fiscal_year=2026))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(AnnualPlan(buyer_id=buyer.id, fiscal_year=2026, version=1, source_id=source.id))
    session.commit()
    session.add(AnnualPlan(buyer_id=buyer.id, fiscal_year=2026, version=1, source_id=source.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_unknown_enum_value_is_refused(session):
    opportunity = make_opportunity(session)
    session.commit()
    with pytest.raises(StatementError):
        session.execute(
            User.__table__.insert().values(email="x@ejemplo.pe", password_hash="x", role="king")
        )
    session.rollback()
    assert opportunity.status.value == "open"


def test_naive_datetimes_are_refused(session):
    with pytest.raises(StatementError, match="naive datetime"):
        make_opportunity(session, deadline_at=datetime(2026, 1, 1))
    session.rollback()


def test_times_come_back_in_utc(session):
    moment = datetime.fromisoformat("2026-03-01T10:00:00-05:00")
    opportunity = make_opportunity(session, deadline_at=moment)
    session.commit()
    session.expire_all()
    assert opportunity.deadline_at == moment
    assert opportunity.deadline_at.tzinfo == UTC
    assert opportunity.deadline_at.hour == 15
