"""Change alerts: one delivery per follower and change that matters, recorded once."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from notifications.changes import record_change_alerts
from notifications.models import AlertDelivery, DeliveryKind, DeliveryStatus
from notifications.schedule import LIMA
from portal.opportunities.models import ChangeKind, OpportunityChange
from portal.subscriptions.models import Frequency, SavedOpportunity, Subscription

NOW = datetime(2026, 6, 3, 15, 30, tzinfo=UTC)  # a Wednesday, 10:30 in Lima


@pytest.fixture
def follow(session):
    def follow(user, opportunity, follow_changes: bool = True) -> None:
        session.add(
            SavedOpportunity(
                user_id=user.id, opportunity_id=opportunity.id, follow_changes=follow_changes
            )
        )
        session.commit()

    return follow


@pytest.fixture
def change(session):
    """A change as ingest records it."""

    def change(opportunity, kind: ChangeKind, field: str, old=None, new=None):
        row = OpportunityChange(
            opportunity_id=opportunity.id,
            changed_at=NOW - timedelta(minutes=5),
            kind=kind,
            field=field,
            old_value=old,
            new_value=new,
        )
        session.add(row)
        session.commit()
        return row

    return change


@pytest.fixture
def subscribe(session):
    def subscribe(user, frequency: Frequency, hour: int = 7, active: bool = True) -> None:
        session.add(
            Subscription(
                user_id=user.id, name="x", frequency=frequency, digest_hour=hour, active=active
            )
        )
        session.commit()

    return subscribe


def deliveries(session) -> list[AlertDelivery]:
    session.expire_all()
    return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def extended(opportunity) -> tuple:
    return (opportunity, ChangeKind.DEADLINE_EXTENDED, "deadline_at", "2026-06-10", "2026-06-17")


def test_followers_and_only_followers_get_one_delivery_per_change(
    session, make_user, make_opportunity, follow, change
):
    opportunity, elsewhere = make_opportunity(), make_opportunity()
    follower, saved_only, stranger = make_user(), make_user(), make_user()
    follow(follower, opportunity)
    follow(saved_only, opportunity, follow_changes=False)
    follow(stranger, elsewhere)
    moved = change(*extended(opportunity))

    assert record_change_alerts(session, NOW) == 1

    [delivery] = deliveries(session)
    assert (delivery.user_id, delivery.kind, delivery.dedup_key) == (
        follower.id,
        DeliveryKind.CHANGE,
        f"change:{moved.id}",
    )
    assert (delivery.opportunity_id, delivery.change_id) == (opportunity.id, moved.id)
    assert (delivery.status, delivery.created_at) == (DeliveryStatus.PENDING, NOW)
    assert delivery.deadline_at_notice == opportunity.deadline_at


def test_a_rerun_records_nothing_and_every_change_read_is_marked(
    session, make_user, make_opportunity, follow, change
):
    opportunity = make_opportunity()
    follow(make_user(), opportunity)
    moved = change(*extended(opportunity))
    retitled = change(opportunity, ChangeKind.DETAILS_CHANGED, "title", "Compra", "Compra de")
    record_change_alerts(session, NOW)
    session.commit()

    assert record_change_alerts(session, NOW + timedelta(hours=1)) == 0

    assert len(deliveries(session)) == 1
    assert moved.alerted_at == NOW and retitled.alerted_at == NOW


def test_a_change_marked_alerted_is_not_read_again(
    session, make_user, make_opportunity, follow, change
):
    opportunity = make_opportunity()
    follow(make_user(), opportunity)
    moved = change(*extended(opportunity))
    moved.alerted_at = NOW - timedelta(days=1)
    session.commit()

    assert record_change_alerts(session, NOW) == 0
    assert deliveries(session) == []


def test_only_changes_a_bidder_must_act_on_are_alerted(
    session, make_user, make_opportunity, follow, change
):
    opportunity = make_opportunity()
    user = make_user()
    follow(user, opportunity)
    ignored = [
        change(opportunity, ChangeKind.DETAILS_CHANGED, name, "antes", "después")
        for name in ("title", "description", "classifications", "procedure_text", "buyer_id")
    ]
    alerted = [
        change(*extended(opportunity)),
        change(opportunity, ChangeKind.DEADLINE_SHORTENED, "deadline_at", "b", "a"),
        change(opportunity, ChangeKind.STATUS_CHANGED, "status", "open", "cancelled"),
        change(opportunity, ChangeKind.VALUE_CHANGED, "estimated_value", "100", "120"),
        change(opportunity, ChangeKind.DETAILS_CHANGED, "deadline_at", None, "2026-06-20"),
        change(opportunity, ChangeKind.DETAILS_CHANGED, "url", "https://a", "https://b"),
    ]

    assert record_change_alerts(session, NOW) == len(alerted)

    assert [d.change_id for d in deliveries(session)] == [c.id for c in alerted]
    assert all(row.alerted_at == NOW for row in ignored)


def test_inactive_and_deleted_accounts_get_nothing(
    session, make_user, make_opportunity, follow, change
):
    opportunity = make_opportunity()
    inactive, deleted = make_user(), make_user()
    inactive.active = False
    deleted.deleted_at = NOW - timedelta(days=2)
    session.commit()
    follow(inactive, opportunity)
    follow(deleted, opportunity)
    change(*extended(opportunity))

    assert record_change_alerts(session, NOW) == 0


def test_change_alerts_follow_the_users_most_urgent_subscription(
    session, make_user, make_opportunity, follow, change, subscribe
):
    opportunity = make_opportunity()
    immediate, daily, weekly, without, paused = (make_user() for _ in range(5))
    subscribe(immediate, Frequency.WEEKLY)
    subscribe(immediate, Frequency.IMMEDIATE)
    subscribe(daily, Frequency.WEEKLY, hour=6)
    subscribe(daily, Frequency.DAILY, hour=18)
    subscribe(daily, Frequency.DAILY, hour=12)
    subscribe(weekly, Frequency.WEEKLY, hour=8)
    subscribe(paused, Frequency.WEEKLY, active=False)
    for user in (immediate, daily, weekly, without, paused):
        follow(user, opportunity)
    change(*extended(opportunity))

    record_change_alerts(session, NOW)

    timing = {d.user_id: (d.frequency, d.due_at.astimezone(LIMA)) for d in deliveries(session)}
    assert timing == {
        immediate.id: (Frequency.IMMEDIATE, NOW),
        daily.id: (Frequency.DAILY, datetime(2026, 6, 3, 12, tzinfo=LIMA)),
        weekly.id: (Frequency.WEEKLY, datetime(2026, 6, 8, 8, tzinfo=LIMA)),
        without.id: (Frequency.IMMEDIATE, NOW),
        paused.id: (Frequency.IMMEDIATE, NOW),
    }


def test_several_changes_of_one_ingest_are_one_delivery_each(
    session, make_user, make_opportunity, follow, change
):
    opportunity = make_opportunity()
    user = make_user()
    follow(user, opportunity)
    moved = change(*extended(opportunity))
    cancelled = change(opportunity, ChangeKind.STATUS_CHANGED, "status", "open", "cancelled")

    assert record_change_alerts(session, NOW) == 2

    assert {d.dedup_key for d in deliveries(session)} == {
        f"change:{moved.id}",
        f"change:{cancelled.id}",
    }


def test_a_backlog_larger_than_a_batch_is_read_to_the_end(
    session, make_user, make_opportunity, follow, change, monkeypatch
):
    from notifications import changes

    monkeypatch.setattr(changes, "BATCH_SIZE", 2)
    opportunities = [make_opportunity() for _ in range(3)]
    user = make_user()
    for opportunity in opportunities:
        follow(user, opportunity)
    rows = [change(*extended(opportunity)) for opportunity in opportunities for _ in range(2)]

    assert record_change_alerts(session, NOW) == len(rows)

    assert {d.change_id for d in deliveries(session)} == {row.id for row in rows}
    assert all(row.alerted_at == NOW for row in rows)
