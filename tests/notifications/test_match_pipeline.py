"""The matcher's pipeline: the engine a few rounds ahead in a thread, whole users a round,
rows written in the outbox's order, already recorded pairs left out, failures undone."""

import threading

import pytest
from account_factories import create_account
from factories import NOW, create_opportunity, create_plan
from sqlalchemy import func, select

from notifications import match_engine, matching
from notifications.matching import _ahead, run_matching
from notifications.models import AlertDelivery, DeliveryKind
from portal.opportunities.models import Opportunity
from portal.search.params import parse_search_args
from portal.subscriptions.models import Frequency, Subscription
from portal.subscriptions.params import apply_params


def subscribe(session, user, frequency=Frequency.IMMEDIATE, **args) -> Subscription:
    subscription = Subscription(user_id=user.id, name="Alerta", frequency=frequency, digest_hour=7)
    apply_params(session, subscription, parse_search_args(args))
    session.add(subscription)
    session.commit()
    return subscription


def recorded(session) -> list[AlertDelivery]:
    return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def test_rows_go_in_by_user_then_dedup_key(session, monkeypatch):
    """Ids follow (user, dedup key), the order of the outbox's unique index, across rounds:
    notice 10 before notice 9 for each user, as text sorts."""
    monkeypatch.setattr(match_engine, "PAIRS_PER_ROUND", 2)
    users = [create_account(session) for _ in range(3)]
    for user in reversed(users):  # subscriptions made in the opposite order of the users
        subscribe(session, user, q="uniformes")
    notices = [create_opportunity(session, title="Uniformes") for _ in range(12)]

    run_matching(session, NOW)

    rows = [(d.user_id, d.dedup_key) for d in recorded(session)]
    assert len(rows) == 36 and rows == sorted(rows)
    first_user = [key for user_id, key in rows if user_id == users[0].id]
    by_number = [f"opportunity:{notice.id}" for notice in notices]
    assert first_user == sorted(by_number) != by_number  # ids 1 to 12: 10 sorts before 2


def test_a_round_holds_all_of_a_users_subscriptions(session, monkeypatch):
    """With one subscription's candidates a round, the rounds still keep each user's
    subscriptions together, so the most urgent one names the delivery."""
    monkeypatch.setattr(match_engine, "PAIRS_PER_ROUND", 1)
    users = [create_account(session) for _ in range(2)]
    for user in users:  # each user's subscriptions far apart by id
        subscribe(session, user, Frequency.WEEKLY, q="uniformes")
    for user in users:
        subscribe(session, user, Frequency.DAILY, q="escolares")
    urgent = {user.id: subscribe(session, user, region="15") for user in users}
    create_opportunity(session, title="Uniformes escolares", region_code="15")

    tally = run_matching(session, NOW)

    assert {(d.user_id, d.subscription_id, d.frequency) for d in recorded(session)} == {
        (user.id, urgent[user.id].id, Frequency.IMMEDIATE) for user in users
    }
    assert tally.matches == 2


def test_a_call_both_followed_up_and_matched_is_told_once(session):
    """The follow-up is recorded first; the same user's match of the call is then left out
    (PostgreSQL copies rows without ON CONFLICT: it must not even be sent to the server)."""
    user = create_account(session)
    subscribe(session, user, q="planificada uniformes", kind=["opportunity", "plan_line"])
    plan = create_plan(session, lines=1)
    [line] = plan.lines
    line.description = "Compra planificada de uniformes"
    session.commit()
    run_matching(session, NOW)
    [forecast] = recorded(session)
    assert forecast.kind == DeliveryKind.FORECAST

    call = create_opportunity(
        session, title="Compra planificada de uniformes", plan_line_id=line.id
    )
    tally = run_matching(session, NOW)

    [follow_up] = [d for d in recorded(session) if d.opportunity_id == call.id]
    assert follow_up.kind == DeliveryKind.FOLLOW_UP
    assert (tally.follow_ups, tally.matches) == (1, 0)


def test_a_changed_notice_is_matched_again_without_a_second_delivery(session):
    ana, beto = create_account(session), create_account(session)
    subscribe(session, ana, q="uniformes")
    notice = create_opportunity(session, title="Uniformes")
    run_matching(session, NOW)

    subscribe(session, beto, q="uniformes")
    notice.needs_matching = True
    session.commit()
    tally = run_matching(session, NOW)

    assert sorted(d.user_id for d in recorded(session)) == sorted([ana.id, beto.id])
    assert tally.matches == 1  # beto's; ana's pair was recorded already


def test_an_engine_failure_records_nothing_and_a_rerun_records_all(session, monkeypatch):
    """The engine's error reaches the caller from its thread after rows of earlier rounds
    were written; the transaction is rolled back with them and the flags stay set."""
    monkeypatch.setattr(match_engine, "PAIRS_PER_ROUND", 1)
    users = [create_account(session) for _ in range(3)]
    for user in users:
        subscribe(session, user, q="uniformes")
    create_opportunity(session, title="Uniformes")
    real_rounds = matching.match_rounds

    def failing_rounds(*args, **kwargs):
        rounds = real_rounds(*args, **kwargs)
        yield next(rounds)
        raise RuntimeError("engine failed")

    monkeypatch.setattr(matching, "match_rounds", failing_rounds)
    with pytest.raises(RuntimeError, match="engine failed"):
        run_matching(session, NOW)
    session.rollback()
    assert recorded(session) == []
    flagged = select(func.count()).where(Opportunity.needs_matching)
    assert session.scalar(flagged) == 1

    monkeypatch.setattr(matching, "match_rounds", real_rounds)
    tally = run_matching(session, NOW)

    assert tally.matches == 3 and len(recorded(session)) == 3
    assert session.scalar(flagged) == 0


def test_ahead_hands_over_items_in_order_and_raises_the_workers_error():
    def items():
        yield from range(5)
        raise ValueError("at the sixth")

    seen = []
    with pytest.raises(ValueError, match="at the sixth"):
        for item in _ahead(items(), depth=2):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_ahead_stops_its_worker_when_the_caller_stops():
    produced = []

    def endless():
        number = 0
        while True:
            produced.append(number)
            yield number
            number += 1

    before = threading.active_count()
    items = _ahead(endless(), depth=2)
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()  # what an error while writing does to the generator

    assert threading.active_count() == before
    assert len(produced) <= 3 + 2 + 1  # taken, queued, and the one the worker held
