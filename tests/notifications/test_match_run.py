"""A matcher run: deliveries recorded with the flags cleared, once per user and document."""

from datetime import timedelta
from decimal import Decimal

from account_factories import create_account
from factories import NOW, create_opportunity, create_plan
from sqlalchemy import func, select

from notifications.matching import run_matching
from notifications.models import AlertDelivery, DeliveryKind
from notifications.schedule import next_digest_at
from portal.opportunities.models import Opportunity
from portal.plans.models import PlanLine
from portal.search.params import parse_search_args
from portal.subscriptions.models import Frequency, Subscription
from portal.subscriptions.params import apply_params


def subscribe(session, user, frequency=Frequency.IMMEDIATE, hour=7, **args) -> Subscription:
    subscription = Subscription(
        user_id=user.id, name="Alerta", frequency=frequency, digest_hour=hour
    )
    apply_params(session, subscription, parse_search_args(args))
    session.add(subscription)
    session.commit()
    return subscription


def deliveries(session, **where) -> list[AlertDelivery]:
    query = select(AlertDelivery).filter_by(**where).order_by(AlertDelivery.id)
    return list(session.scalars(query))


def test_a_new_notice_reaches_the_subscribers_it_matches(session):
    ana, beto = create_account(session), create_account(session)
    subscribe(session, ana, q="uniformes")
    subscribe(session, beto, q="computadoras")
    notice = create_opportunity(session, title="Adquisición de UNIFORMES escolares")

    tally = run_matching(session, NOW)

    [delivery] = deliveries(session)
    assert (delivery.user_id, delivery.opportunity_id) == (ana.id, notice.id)
    assert delivery.kind == DeliveryKind.MATCH and delivery.dedup_key == f"opportunity:{notice.id}"
    assert delivery.due_at == NOW and delivery.deadline_at_notice == notice.deadline_at
    assert tally.matches == 1
    assert session.scalar(select(func.count()).where(Opportunity.needs_matching)) == 0


def test_overlapping_subscriptions_give_one_delivery_named_by_the_most_urgent(session):
    user = create_account(session)
    subscribe(session, user, Frequency.WEEKLY, q="uniformes")
    urgent = subscribe(session, user, Frequency.IMMEDIATE, region="15")
    subscribe(session, user, Frequency.DAILY, q="escolares")
    create_opportunity(session, title="Uniformes escolares", region_code="15")

    run_matching(session, NOW)

    [delivery] = deliveries(session)
    assert delivery.subscription_id == urgent.id and delivery.frequency == Frequency.IMMEDIATE


def test_digest_subscriptions_are_due_at_their_hour(session):
    user = create_account(session)
    subscribe(session, user, Frequency.DAILY, hour=18, q="uniformes")
    create_opportunity(session, title="Uniformes")

    run_matching(session, NOW)

    [delivery] = deliveries(session)
    assert delivery.due_at == next_digest_at(Frequency.DAILY, 18, NOW)


def test_a_rerun_or_a_changed_notice_never_tells_a_user_twice(session):
    user = create_account(session)
    subscribe(session, user, q="uniformes")
    notice = create_opportunity(session, title="Uniformes")
    run_matching(session, NOW)

    notice.deadline_at = NOW + timedelta(days=20)
    notice.needs_matching = True
    session.commit()
    second = run_matching(session, NOW)

    assert len(deliveries(session)) == 1
    assert second.documents == 1 and second.matches == 0


def test_a_change_that_brings_a_notice_into_range_is_a_match(session):
    user = create_account(session)
    subscribe(session, user, q="uniformes", value_min="50000")
    notice = create_opportunity(session, title="Uniformes", estimated_value=Decimal(1000))
    run_matching(session, NOW)
    assert deliveries(session) == []

    notice.estimated_value = Decimal(80_000)
    notice.needs_matching = True
    session.commit()
    run_matching(session, NOW)

    assert [d.opportunity_id for d in deliveries(session)] == [notice.id]


def test_closed_expired_and_unverified_get_nothing(session):
    verified, unverified = create_account(session), create_account(session, verified=False)
    stopped = create_account(session)
    stopped.alerts_stopped_at = NOW
    session.commit()
    for user in (verified, unverified, stopped):
        subscribe(session, user, q="uniformes")
    create_opportunity(session, title="Uniformes vencidos", deadline_at=NOW - timedelta(hours=1))
    fresh = create_opportunity(session, title="Uniformes nuevos")

    run_matching(session, NOW)

    assert [(d.user_id, d.opportunity_id) for d in deliveries(session)] == [(verified.id, fresh.id)]


def test_forecasts_and_the_call_that_fulfils_them(session):
    forecasting, plain = create_account(session), create_account(session)
    subscribe(session, forecasting, q="planificada", kind=["opportunity", "plan_line"])
    subscribe(session, plain, q="planificada", kind="opportunity")
    plan = create_plan(session, lines=1)
    [line] = plan.lines

    run_matching(session, NOW)
    [forecast] = deliveries(session)
    assert (forecast.user_id, forecast.kind, forecast.plan_line_id) == (
        forecasting.id,
        DeliveryKind.FORECAST,
        line.id,
    )
    assert session.get(PlanLine, line.id).needs_matching is False

    call = create_opportunity(
        session, title="Convocatoria sin palabras en común", plan_line_id=line.id
    )
    tally = run_matching(session, NOW)

    [follow_up] = deliveries(session, kind=DeliveryKind.FOLLOW_UP)
    assert (follow_up.user_id, follow_up.opportunity_id) == (forecasting.id, call.id)
    assert follow_up.dedup_key == f"opportunity:{call.id}" and tally.follow_ups == 1


def test_a_version_ingested_during_matching_is_matched_again(session, monkeypatch):
    user = create_account(session)
    subscribe(session, user, q="uniformes")
    notice = create_opportunity(session, title="Uniformes")
    from notifications import matching

    original = matching.document_batch

    def ingest_meanwhile(documents):
        with session.get_bind().begin() as other:  # another connection: a scrape committing
            other.execute(
                Opportunity.__table__.update()
                .where(Opportunity.__table__.c.id == notice.id)
                .values(updated_at=NOW + timedelta(seconds=5), needs_matching=True)
            )
        return original(documents)

    monkeypatch.setattr(matching, "document_batch", ingest_meanwhile)
    tally = run_matching(session, NOW)

    assert tally.documents == 2  # the first reading's flag was left for the newer version
    session.expire_all()
    stored = session.get(Opportunity, notice.id)
    assert stored.needs_matching is False
    assert stored.updated_at == NOW + timedelta(seconds=5)  # clearing the flag is no update


def test_many_deliveries_are_written_in_chunks_and_rounds(session, monkeypatch):
    """Rows leave the matcher a chunk at a time and pairs are verified a round at a time:
    with tiny chunks and rounds every (user, notice) is still recorded exactly once."""
    from notifications import match_engine, matching

    monkeypatch.setattr(matching, "INSERT_CHUNK", 2)
    monkeypatch.setattr(match_engine, "PAIRS_PER_ROUND", 3)
    users = [create_account(session) for _ in range(3)]
    for user in users:
        subscribe(session, user, Frequency.WEEKLY, q="uniformes")
        subscribe(session, user, Frequency.DAILY, region="15")
    notices = [create_opportunity(session, title="Uniformes", region_code="15") for _ in range(3)]

    tally = run_matching(session, NOW)

    recorded = {(d.user_id, d.opportunity_id, d.frequency) for d in deliveries(session)}
    wanted = {(u.id, n.id, Frequency.DAILY) for u in users for n in notices}
    assert recorded == wanted and tally.matches == 9


def test_times_are_written_as_the_orm_writes_them(session):
    """Compared in SQL, not only once read back: the matcher writes times without the ORM,
    and on SQLite a time is text that must be the ORM's own to compare equal."""
    user = create_account(session)
    subscribe(session, user, q="uniformes")
    notice = create_opportunity(session, title="Uniformes")

    run_matching(session, NOW)

    same = select(func.count()).where(
        AlertDelivery.created_at == NOW,
        AlertDelivery.due_at == NOW,
        AlertDelivery.deadline_at_notice == notice.deadline_at,
    )
    assert session.scalar(same) == 1
