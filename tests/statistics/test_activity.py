"""Activity figures: unsubscribes are recorded when a mail link stops alerts (once per stop)
and counted by Lima month; subscribed SMEs and active subscriptions by size and region."""

from datetime import date

from account_factories import create_account
from data_set import lima
from sqlalchemy import select

from portal.accounts.models import CompanyProfile
from portal.accounts.tokens import Purpose, make_token
from portal.db import utcnow
from portal.reference.models import Department
from portal.statistics.activity import subscribers_by, unsubscribes_between
from portal.statistics.models import UnsubscribeEvent, UnsubscribeKind
from portal.statistics.tally import Filters
from portal.statistics.unsubscribes import record_unsubscribe
from portal.subscriptions.models import Subscription

ONE_CLICK = {
    "data": "List-Unsubscribe=One-Click",
    "content_type": "application/x-www-form-urlencoded",
}


def _subscription(session, user, active=True) -> Subscription:
    subscription = Subscription(user_id=user.id, name="Uniformes", active=active)
    session.add(subscription)
    session.commit()
    return subscription


def test_stopping_every_alert_from_mail_is_recorded_once(client, session, make_user):
    user = make_user()
    path = f"/alertas/baja/{make_token(Purpose.STOP_ALERTS, {'user': user.id}, utcnow())}"

    client.post(path, **ONE_CLICK)
    client.post(path, **ONE_CLICK)  # mail clients click twice

    events = session.scalars(select(UnsubscribeEvent)).all()
    assert [(event.kind, event.user_id) for event in events] == [
        (UnsubscribeKind.ALL_ALERTS, user.id)
    ]


def test_stopping_one_subscription_from_mail_is_recorded_once(client, session, make_user):
    user = make_user()
    subscription = _subscription(session, user)
    payload = {"user": user.id, "subscription": subscription.id}
    path = f"/alertas/baja/suscripcion/{make_token(Purpose.STOP_SUBSCRIPTION, payload, utcnow())}"

    client.post(path, **ONE_CLICK)
    client.post(path, **ONE_CLICK)

    events = session.scalars(select(UnsubscribeEvent)).all()
    assert [(event.kind, event.subscription_id) for event in events] == [
        (UnsubscribeKind.SUBSCRIPTION, subscription.id)
    ]


def test_unsubscribes_are_counted_by_lima_month(session, make_user):
    user = make_user()
    for moment in (lima(2026, 3, 31, 23, 30), lima(2026, 4, 1, 0, 30), lima(2026, 4, 20)):
        record_unsubscribe(session, UnsubscribeKind.ALL_ALERTS, user.id, None, moment)
    session.commit()

    counts = unsubscribes_between(session, Filters(date(2026, 3, 1), date(2026, 4, 30)), -300)

    assert counts == {date(2026, 3, 1): 1, date(2026, 4, 1): 2}


def test_subscribed_smes_by_size_and_region(session):
    lima_region, cusco = session.get(Department, "15"), session.get(Department, "08")
    micro = create_account(session, email="micro@empresa.pe")
    small = create_account(session, email="pequena@empresa.pe")
    paused = create_account(session, email="pausada@empresa.pe")
    for user, size, regions in (
        (micro, "micro", [lima_region, cusco]),
        (small, "small", [lima_region]),
        (paused, "micro", [cusco]),
    ):
        session.add(
            CompanyProfile(
                user_id=user.id,
                ruc="20131312955",
                name=user.email,
                size_class_code=size,
                regions=regions,
            )
        )
    _subscription(session, micro)
    _subscription(session, micro)
    _subscription(session, small)
    _subscription(session, paused, active=False)  # counts nowhere: no active subscription
    spring = Filters(date(2026, 3, 1), date(2026, 4, 30))

    by_size = subscribers_by(session, "size", spring)
    by_region = subscribers_by(session, "region", spring)
    in_cusco = subscribers_by(session, "size", Filters(spring.start, spring.end, region="08"))

    assert by_size == {"micro": (1, 2), "small": (1, 1)}
    assert by_region == {"15": (2, 3), "08": (1, 2)}  # micro is in both regions
    assert in_cusco == {"micro": (1, 2)}
