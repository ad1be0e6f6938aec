"""A subscription keeps its search's short-deadline filter: stored and restored through the
same params conversion, so its alerts are what the search with that filter shows."""

import re
from dataclasses import replace
from urllib.parse import urlencode

from factories import NOW
from sqlalchemy import func, select

from notifications.matching import run_matching
from notifications.models import AlertDelivery
from portal.opportunities.models import Opportunity
from portal.opportunities.search_results import run_search
from portal.subscriptions.models import Subscription, SubscriptionDeadlineCheck
from portal.subscriptions.params import (
    active_searches,
    alert_params_from,
    apply_params,
    subscription_params,
)

MINIMUM = {"minimum_days": 6, "minimum_day_kind": "business", "minimum_basis": "legal"}
SHORT = MINIMUM | {"title": "Cisternas con plazo corto", "given_days": 4, "short_deadline": True}
ENOUGH = MINIMUM | {"title": "Cisternas con plazo suficiente", "given_days": 9}
NO_MINIMUM = {
    "title": "Cisternas por contratación directa",
    "procedure_type_code": "CD",
    "minimum_days": None,
    "minimum_day_kind": None,
    "minimum_basis": None,
}


def _subscribe(session, user, args: dict) -> Subscription:
    subscription = Subscription(user_id=user.id, name="Cisternas")
    apply_params(session, subscription, alert_params_from(args))
    session.add(subscription)
    session.commit()
    return subscription


def test_the_filter_survives_a_round_trip_through_the_database(session, make_user):
    user = make_user()
    params = alert_params_from({"q": "cisternas", "deadline_check": ["short"], "region": "15"})
    subscription = _subscribe(session, user, {"q": "cisternas", "deadline_check": "short"})
    apply_params(session, subscription, params)
    session.commit()
    session.expire_all()

    assert params.deadline_checks == ("short",)
    assert subscription_params(session.get(Subscription, subscription.id)) == params
    [search] = [
        item for item in active_searches(session) if item.subscription_id == subscription.id
    ]
    assert search.params == params


def test_changing_or_dropping_the_filter_rewrites_its_rows(session, make_user):
    subscription = _subscribe(session, make_user(), {"deadline_check": ["short", "enough"]})

    apply_params(session, subscription, alert_params_from({"deadline_check": "enough"}))
    session.commit()
    session.expire_all()
    assert subscription_params(subscription).deadline_checks == ("enough",)

    apply_params(session, subscription, alert_params_from({}))
    session.commit()
    session.expire_all()
    assert subscription_params(subscription).deadline_checks == ()
    rows = select(func.count()).select_from(SubscriptionDeadlineCheck)
    assert session.scalar(rows) == 0


def test_deleting_a_subscription_deletes_its_choices(session, make_user):
    subscription = _subscribe(session, make_user(), {"deadline_check": "short"})

    session.delete(subscription)
    session.commit()

    assert session.scalar(select(func.count()).select_from(SubscriptionDeadlineCheck)) == 0


def test_alerts_are_exactly_what_the_search_with_the_filter_shows(
    session, make_user, make_opportunity
):
    for fields in (SHORT, ENOUGH, NO_MINIMUM):
        make_opportunity(**fields)
    hurried, patient, anyone = make_user(), make_user(), make_user()
    searches = {
        hurried.id: {"q": "cisternas", "deadline_check": "short"},
        patient.id: {"q": "cisternas", "deadline_check": "enough"},
        anyone.id: {"q": "cisternas"},
    }
    for user in (hurried, patient, anyone):
        _subscribe(session, user, searches[user.id])

    run_matching(session, NOW)

    for user_id, args in searches.items():
        alerted = session.scalars(
            select(AlertDelivery.opportunity_id).where(AlertDelivery.user_id == user_id)
        ).all()
        page = run_search(session, replace(alert_params_from(args), per_page=100), NOW)
        assert sorted(alerted) == sorted(row.id for row in page.opportunities), args
    titles = {
        user_id: set(
            session.scalars(
                select(Opportunity.title)
                .join(AlertDelivery, AlertDelivery.opportunity_id == Opportunity.id)
                .where(AlertDelivery.user_id == user_id)
            )
        )
        for user_id in searches
    }
    assert titles[hurried.id] == {SHORT["title"]}
    assert titles[patient.id] == {ENOUGH["title"]}
    assert len(titles[anyone.id]) == 3


def test_an_alert_made_from_a_search_keeps_the_filter_and_says_so(
    session, signed_in, make_opportunity
):
    make_opportunity(**SHORT)
    client, user = signed_in()
    search = urlencode({"q": "cisternas", "deadline_check": "short"})

    response = client.post("/cuenta/alertas/desde-busqueda", data={"search": search})

    assert response.status_code == 302
    subscription = session.scalar(select(Subscription).where(Subscription.user_id == user.id))
    assert subscription_params(subscription).deadline_checks == ("short",)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _checkbox(page, "short") == "checked" and _checkbox(page, "enough") == ""
    assert "Plazo: Plazo corto (menor al mínimo)" in page


def _checkbox(page: str, value: str) -> str:
    """ "checked" if the form's deadline_check box for `value` is ticked, else "" """
    [tag] = [
        tag
        for tag in re.findall(r"<input[^>]*>", page)
        if 'name="deadline_check"' in tag and f'value="{value}"' in tag
    ]
    return "checked" if re.search(r"\schecked[\s>=]", tag) else ""


def test_the_edit_form_keeps_the_filter_when_saved_again(session, signed_in):
    client, user = signed_in()
    subscription = _subscribe(session, user, {"q": "cisternas", "deadline_check": "short"})
    form = {
        "name": "Cisternas",
        "q": "cisternas",
        "deadline_check": "short",
        "frequency": "daily",
        "digest_hour": "7",
        "save": "1",
    }

    response = client.post(f"/cuenta/alertas/{subscription.id}", data=form)
    session.expire_all()

    assert response.status_code in (302, 303)
    assert subscription_params(session.get(Subscription, subscription.id)).deadline_checks == (
        "short",
    )
    del form["deadline_check"]
    client.post(f"/cuenta/alertas/{subscription.id}", data=form)
    session.expire_all()
    assert subscription_params(session.get(Subscription, subscription.id)).deadline_checks == ()
