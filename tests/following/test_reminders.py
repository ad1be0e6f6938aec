"""Deadline reminders: N days before the deadline, once per deadline, only while open."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from notifications.models import AlertDelivery, DeliveryKind
from notifications.reminders import record_reminders
from portal.opportunities.models import OpportunityStatus
from portal.subscriptions.models import Frequency
from portal.subscriptions.operations import save_opportunity

# 12:00 in Lima; deadlines at 17:00 Lima (22:00 UTC), as calls usually close.
NOW = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 6, 10, 22, 0, tzinfo=UTC)


def save(session, user, opportunity, remind_days_before: int | None = 3, follow=True) -> None:
    entry = save_opportunity(session, user.id, opportunity.id, remind_days_before)
    entry.follow_changes = follow
    session.commit()


def reminders(session) -> list[tuple]:
    session.expire_all()
    rows = session.scalars(select(AlertDelivery).order_by(AlertDelivery.id))
    return [(row.user_id, row.kind, row.dedup_key, row.frequency, row.due_at) for row in rows]


def notices(session) -> list:
    session.expire_all()
    return list(
        session.scalars(select(AlertDelivery.deadline_at_notice).order_by(AlertDelivery.id))
    )


def test_a_reminder_is_due_n_days_before_the_deadline_and_not_before(
    session, make_user, make_opportunity
):
    opportunity = make_opportunity(deadline_at=DEADLINE)
    user = make_user()
    save(session, user, opportunity, remind_days_before=3)
    window_opens = DEADLINE - timedelta(days=3)

    assert record_reminders(session, window_opens - timedelta(minutes=1)) == 0
    assert record_reminders(session, window_opens) == 1

    assert reminders(session) == [
        (
            user.id,
            DeliveryKind.REMINDER,
            f"reminder:{opportunity.id}:2026-06-10",
            Frequency.IMMEDIATE,
            window_opens,
        )
    ]


def test_each_deadline_is_reminded_once(session, make_user, make_opportunity):
    opportunity = make_opportunity(deadline_at=DEADLINE)
    save(session, make_user(), opportunity, remind_days_before=2)
    record_reminders(session, DEADLINE - timedelta(days=1))
    session.commit()

    assert record_reminders(session, DEADLINE - timedelta(hours=5)) == 0
    assert len(reminders(session)) == 1


def test_a_moved_deadline_is_reminded_again(session, make_user, make_opportunity):
    opportunity = make_opportunity(deadline_at=DEADLINE)
    save(session, make_user(), opportunity, remind_days_before=3)
    record_reminders(session, DEADLINE - timedelta(days=2))
    opportunity.deadline_at = DEADLINE + timedelta(days=7)
    session.commit()

    assert record_reminders(session, DEADLINE - timedelta(days=1)) == 0
    assert record_reminders(session, DEADLINE + timedelta(days=4)) == 1

    assert [key for _, _, key, _, _ in reminders(session)] == [
        f"reminder:{opportunity.id}:2026-06-10",
        f"reminder:{opportunity.id}:2026-06-17",
    ]
    assert notices(session) == [DEADLINE, DEADLINE + timedelta(days=7)]


def test_the_reminder_date_is_the_deadline_as_read_in_lima(session, make_user, make_opportunity):
    late_evening = datetime(2026, 6, 11, 3, 30, tzinfo=UTC)  # 10 June, 22:30 in Lima
    opportunity = make_opportunity(deadline_at=late_evening)
    save(session, make_user(), opportunity, remind_days_before=1)

    record_reminders(session, late_evening - timedelta(hours=2))

    assert [key for _, _, key, _, _ in reminders(session)] == [
        f"reminder:{opportunity.id}:2026-06-10"
    ]


def test_every_saved_entry_is_reminded_with_its_own_days(session, make_user, make_opportunity):
    opportunity = make_opportunity(deadline_at=DEADLINE)
    not_following, far_ahead, no_reminder = make_user(), make_user(), make_user()
    save(session, not_following, opportunity, remind_days_before=3, follow=False)
    save(session, far_ahead, opportunity, remind_days_before=10)
    save(session, no_reminder, opportunity, remind_days_before=None)

    assert record_reminders(session, DEADLINE - timedelta(days=5)) == 1
    assert record_reminders(session, DEADLINE - timedelta(days=2)) == 1

    assert [user_id for user_id, *_ in reminders(session)] == [far_ahead.id, not_following.id]


def test_no_reminder_for_closed_or_passed_or_undated_calls(session, make_user, make_opportunity):
    user = make_user()
    closing = DEADLINE - timedelta(days=1)
    for opportunity in (
        make_opportunity(deadline_at=closing, status=OpportunityStatus.CANCELLED),
        make_opportunity(deadline_at=closing, status=OpportunityStatus.CLOSED),
        make_opportunity(deadline_at=NOW - timedelta(hours=1)),
        make_opportunity(deadline_at=None),
    ):
        save(session, user, opportunity, remind_days_before=5)

    assert record_reminders(session, NOW) == 0


def test_no_reminder_for_inactive_or_deleted_accounts(session, make_user, make_opportunity):
    opportunity = make_opportunity(deadline_at=DEADLINE)
    inactive, deleted = make_user(), make_user()
    inactive.active = False
    deleted.deleted_at = NOW - timedelta(days=1)
    session.commit()
    save(session, inactive, opportunity)
    save(session, deleted, opportunity)

    assert record_reminders(session, DEADLINE - timedelta(days=1)) == 0
