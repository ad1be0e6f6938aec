"""The sender against a real SMTP server: what arrives, what is marked, what waits or stops."""

from datetime import timedelta
from pathlib import Path

from factories import NOW
from sending_support import lima_time, plain_text, record_delivery, subscribe
from sqlalchemy import select

from notifications import sending
from notifications.models import (
    AlertDelivery,
    DeliveryAddressState,
    DeliveryKind,
    DeliveryStatus,
)
from notifications.schedule import next_digest_at
from notifications.sending import BACKOFF, MAX_ATTEMPTS, send_due
from portal.opportunities.enums import ChangeKind, OpportunityStatus
from portal.opportunities.models import OpportunityChange
from portal.subscriptions.models import Frequency

NOON = lima_time(12)


def send(session, now=NOON, digest=False, name="sender-test"):
    tally = send_due(session, now, digest=digest, sender_name=name)
    session.expire_all()
    return tally


def test_immediate_alert_reaches_the_user_with_every_item_and_rows_are_marked_sent(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user()
    subscription = subscribe(session, user)
    first, second = make_opportunity(), make_opportunity()
    deliveries = [record_delivery(session, subscription, opp) for opp in (first, second)]

    tally = send(session)

    [message] = smtp_sink.messages
    assert message["To"] == user.email
    assert first.title in plain_text(message) and second.title in plain_text(message)
    assert (tally.claimed, tally.messages, tally.sent) == (2, 1, 2)
    for delivery, opportunity in zip(deliveries, (first, second), strict=True):
        assert delivery.status == DeliveryStatus.SENT
        assert NOON <= delivery.sent_at < NOON + timedelta(minutes=1)
        assert delivery.deadline_at_notice == opportunity.deadline_at
        assert delivery.message_id == message["Message-ID"]
    assert send(session).claimed == 0 and len(smtp_sink.messages) == 1


def test_each_user_gets_one_message_with_only_their_own_items(
    session, make_user, make_opportunity, smtp_sink
):
    ana, beto = make_user(), make_user()
    shared, only_ana = make_opportunity(), make_opportunity()
    ana_alert, beto_alert = subscribe(session, ana), subscribe(session, beto)
    for opportunity in (shared, only_ana):
        record_delivery(session, ana_alert, opportunity)
    record_delivery(session, beto_alert, shared)

    assert send(session).messages == 2

    [to_ana], [to_beto] = smtp_sink.to(ana.email), smtp_sink.to(beto.email)
    assert only_ana.title in plain_text(to_ana) and shared.title in plain_text(to_ana)
    assert shared.title in plain_text(to_beto) and only_ana.title not in plain_text(to_beto)


def test_rows_not_yet_due_or_of_the_other_kind_of_pass_wait(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user()
    immediate = subscribe(session, user)
    daily = subscribe(session, user, name="Diario", frequency=Frequency.DAILY)
    later = record_delivery(session, immediate, make_opportunity(), due_at=NOON + timedelta(1))
    for_digest = record_delivery(session, daily, make_opportunity())

    assert send(session).claimed == 0
    assert send(session, digest=True).messages == 1

    assert later.status == DeliveryStatus.PENDING and for_digest.status == DeliveryStatus.SENT


def test_digest_groups_the_users_daily_and_weekly_rows_into_one_message(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user()
    daily = subscribe(session, user, frequency=Frequency.DAILY)
    weekly = subscribe(session, user, name="Semanal", frequency=Frequency.WEEKLY)
    opportunities = [make_opportunity() for _ in range(3)]
    record_delivery(session, daily, opportunities[0])
    record_delivery(session, daily, opportunities[1])
    record_delivery(session, weekly, opportunities[2])

    tally = send(session, digest=True)

    [digest] = smtp_sink.messages
    assert all(opportunity.title in plain_text(digest) for opportunity in opportunities)
    assert (tally.messages, tally.sent) == (1, 3)
    assert send(session, digest=True).claimed == 0  # an empty digest is never sent
    assert len(smtp_sink.messages) == 1


def test_temporary_failure_is_retried_after_the_backoff_then_sent(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user()
    delivery = record_delivery(session, subscribe(session, user), make_opportunity())
    smtp_sink.replies[user.email] = ["451 4.3.0 Inténtelo más tarde"]

    tally = send(session)

    assert (tally.messages, tally.retried) == (0, 1)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.due_at == NOON + BACKOFF[0] and "451" in delivery.last_error
    assert send(session, now=NOON + BACKOFF[0] - timedelta(seconds=1)).claimed == 0

    assert send(session, now=NOON + BACKOFF[0]).messages == 1
    assert delivery.status == DeliveryStatus.SENT and len(smtp_sink.to(user.email)) == 1


def test_temporary_failures_end_in_failed_after_the_last_attempt(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user()
    subscription = subscribe(session, user)
    delivery = record_delivery(session, subscription, make_opportunity(), attempts=MAX_ATTEMPTS - 1)
    smtp_sink.replies[user.email] = ["421 4.7.0 Demasiadas conexiones"]

    assert send(session).failed == 1

    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert delivery.last_error.startswith(f"gave up after {MAX_ATTEMPTS} attempts: 421")
    assert session.scalars(select(DeliveryAddressState)).all() == []


def test_permanent_failures_are_recorded_and_the_third_pauses_the_address(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user()
    subscription = subscribe(session, user)
    smtp_sink.replies[user.email] = ["550 5.1.1 Buzón inexistente"] * 3
    failed = []
    for attempt in range(3):
        failed.append(record_delivery(session, subscription, make_opportunity()))
        tally = send(session, now=NOON + timedelta(minutes=attempt))
        assert tally.failed == 1 and tally.paused_addresses == (attempt == 2)

    assert all(row.status == DeliveryStatus.FAILED for row in failed)
    expected = f"permanent: <{user.email}> 550 5.1.1 Buzón inexistente"
    assert all(row.last_error == expected for row in failed)
    [paused] = session.scalars(select(DeliveryAddressState)).all()
    assert paused.email == user.email and "550 5.1.1" in paused.reason
    later = record_delivery(session, subscription, make_opportunity())
    assert send(session, now=NOON + timedelta(minutes=5)).skipped == 1
    assert later.status == DeliveryStatus.SKIPPED and "paused" in later.last_error
    assert smtp_sink.messages == [] and len(smtp_sink.recipients_tried) == 3


def test_past_the_daily_cap_immediate_alerts_move_to_the_next_daily_digest(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user()
    user.daily_alert_cap = 2
    subscription = subscribe(session, user, digest_hour=18)
    rows = []
    for minute in range(3):
        rows.append(record_delivery(session, subscription, make_opportunity()))
        send(session, now=NOON + timedelta(minutes=minute))

    capped = rows[-1]
    assert len(smtp_sink.messages) == 2
    assert capped.status == DeliveryStatus.PENDING and capped.frequency == Frequency.DAILY
    assert capped.due_at == lima_time(18) == next_digest_at(Frequency.DAILY, 18, NOON)
    assert send(session, now=lima_time(18), digest=True).messages == 1
    assert capped.status == DeliveryStatus.SENT and len(smtp_sink.messages) == 3
    # The next Lima day starts a new count.
    record_delivery(session, subscription, make_opportunity())
    assert send(session, now=lima_time(9, days=1)).messages == 1


def test_immediate_alerts_wait_out_quiet_hours(session, make_user, make_opportunity, smtp_sink):
    user = make_user()
    user.quiet_from_hour, user.quiet_until_hour = 22, 7
    delivery = record_delivery(session, subscribe(session, user), make_opportunity())

    tally = send(session, now=lima_time(23))

    assert smtp_sink.messages == [] and tally.deferred == 1
    assert delivery.status == DeliveryStatus.PENDING and delivery.due_at == lima_time(7, days=1)
    assert send(session, now=lima_time(7, days=1)).messages == 1


def test_deliveries_nobody_should_get_are_skipped_with_the_reason(
    session, make_user, make_opportunity, smtp_sink
):
    expected = {}

    def alert_for(user, subscription_fields=None, **opportunity_fields):
        subscription = subscribe(session, user, **(subscription_fields or {}))
        return record_delivery(session, subscription, make_opportunity(**opportunity_fields))

    deleted, inactive, stopped = make_user(), make_user(), make_user()
    deleted.deleted_at, inactive.active, stopped.alerts_stopped_at = NOW, False, NOW
    expected[alert_for(deleted).id] = "account deleted"
    expected[alert_for(inactive).id] = "account deactivated"
    expected[alert_for(stopped).id] = "alerts stopped by the user"
    reader = make_user()
    expected[alert_for(reader, {"active": False}).id] = "subscription paused or deleted"
    orphan = alert_for(reader)
    orphan.subscription_id = None
    expected[orphan.id] = "subscription deleted"
    cancelled = alert_for(reader, status=OpportunityStatus.CANCELLED)
    expected[cancelled.id] = "opportunity no longer open"
    expected[alert_for(reader, deadline_at=NOON - timedelta(hours=1)).id] = (
        "opportunity no longer open"
    )
    change = OpportunityChange(
        opportunity_id=cancelled.opportunity_id,
        kind=ChangeKind.STATUS_CHANGED,
        field="status",
        old_value="open",
        new_value="cancelled",
    )
    session.add(change)
    session.flush()
    told = record_delivery(
        session,
        subscribe(session, reader),
        cancelled.opportunity,
        kind=DeliveryKind.CHANGE,
        dedup_key=f"change:{change.id}",
        change_id=change.id,
        subscription_id=None,
    )

    tally = send(session)

    assert tally.skipped == len(expected) and tally.messages == 1
    for delivery in session.scalars(select(AlertDelivery).where(AlertDelivery.id != told.id)):
        assert (delivery.status, delivery.last_error) == (
            DeliveryStatus.SKIPPED,
            expected[delivery.id],
        )
    [message] = smtp_sink.messages  # the cancellation of a followed process is still news
    assert message["To"] == reader.email and told.status == DeliveryStatus.SENT


def test_rows_of_a_sender_whose_lease_ran_out_are_sent_by_the_next(
    session, make_user, make_opportunity, smtp_sink
):
    abandoned_user, busy_user = make_user(), make_user()
    abandoned = record_delivery(session, subscribe(session, abandoned_user), make_opportunity())
    busy = record_delivery(session, subscribe(session, busy_user), make_opportunity())
    abandoned.status = busy.status = DeliveryStatus.SENDING
    abandoned.claimed_by = busy.claimed_by = "killed-sender"
    abandoned.claimed_until = NOON - timedelta(seconds=1)
    busy.claimed_until = NOON + timedelta(minutes=4)
    session.commit()

    assert send(session, name="next-sender").messages == 1

    assert [message["To"] for message in smtp_sink.messages] == [abandoned_user.email]
    assert abandoned.status == DeliveryStatus.SENT and abandoned.claimed_by == "next-sender"
    assert busy.status == DeliveryStatus.SENDING


def test_without_a_server_deliveries_stay_pending_untouched(
    app, session, make_user, make_opportunity, smtp_sink
):
    user = make_user()
    delivery = record_delivery(session, subscribe(session, user), make_opportunity())
    app.config["SMTP_URL"] = "smtp://127.0.0.1:9"  # discard port: nothing listens

    tally = send(session)

    assert tally.server_error.startswith("cannot connect") and tally.deferred == 1
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0
    assert delivery.due_at == NOW - timedelta(days=2)


def test_without_smtp_url_alerts_land_in_the_outbox_folder(
    job_context, session, make_user, make_opportunity
):
    user = make_user()
    record_delivery(session, subscribe(session, user), make_opportunity())

    assert send(session).messages == 1

    [written] = Path(job_context.config["PORTAL_OUTBOX_DIR"]).glob("*.eml")
    assert f"To: {user.email}" in written.read_text()


def test_many_rows_for_one_user_go_out_twenty_at_a_time(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user()
    subscription = subscribe(session, user)
    for _ in range(23):
        record_delivery(session, subscription, make_opportunity())

    assert send(session).sent == 20
    assert send(session, now=NOON + timedelta(minutes=1)).sent == 3
    assert len(smtp_sink.messages) == 2


def test_a_pass_whose_claim_is_running_out_sends_nothing_more_and_lets_go(
    session, make_user, make_opportunity, smtp_sink, monkeypatch
):
    user = make_user()
    delivery = record_delivery(session, subscribe(session, user), make_opportunity())
    monkeypatch.setattr(sending, "LEASE_MARGIN", sending.LEASE)  # the margin is the whole lease

    tally = send(session)

    assert (tally.claimed, tally.messages, tally.deferred) == (1, 0, 1)
    assert smtp_sink.messages == [] and delivery.status == DeliveryStatus.PENDING
    assert delivery.claimed_by is None and delivery.attempts == 0
