"""A subscription stores a search's criteria and gives back the same search."""

import pytest

from portal.search.params import InvalidSearchParams, SearchParams
from portal.subscriptions.models import Subscription
from portal.subscriptions.params import (
    alert_params,
    alert_params_from,
    apply_params,
    subscription_params,
)


def test_criteria_survive_a_round_trip_through_the_database(session, make_user, make_buyer):
    user, buyer = make_user(), make_buyer()
    params = alert_params_from(
        {
            "q": "uniformes escolares",
            "sector": ["53000000", "43000000"],
            "region": ["15", "08"],
            "buyer": [str(buyer.id)],
            "object_type": ["goods"],
            "procedure": ["AS"],
            "value_min": "1000.50",
            "value_max": "90000",
            "size": "micro",
            "kind": ["opportunity", "plan_line"],
        }
    )
    subscription = Subscription(user_id=user.id, name="Uniformes")
    apply_params(session, subscription, params)
    session.add(subscription)
    session.commit()
    session.expire_all()

    assert subscription_params(session.get(Subscription, subscription.id)) == params
    assert params.sectors == ("43000000", "53000000")
    assert params.statuses == ("open",)


def test_changing_object_types_keeps_the_ones_still_chosen(session, make_user):
    subscription = Subscription(user_id=make_user().id, name="Obras")
    apply_params(session, subscription, SearchParams(object_types=("goods", "works")))
    session.add(subscription)
    session.commit()

    apply_params(session, subscription, SearchParams(object_types=("services", "works")))
    session.commit()
    session.expire_all()

    assert subscription_params(subscription).object_types == ("services", "works")


def test_what_only_a_search_page_needs_is_dropped():
    params = alert_params(
        SearchParams(
            q="cemento",
            statuses=("awarded",),
            published_within_days=7,
            closing_within_days=3,
            sort="value",
            page=4,
            kinds=("plan_line",),
        )
    )
    assert params == SearchParams(q="cemento", kinds=("opportunity", "plan_line"))
    assert alert_params(SearchParams(kinds=("opportunity",))).kinds == ("opportunity",)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"value_min": "1.2345"}, "value_min"),  # no cents beyond two
        ({"value_max": "1e30"}, "value_max"),
        ({"value_min": "-5"}, "value_min"),
        ({"sector": "123"}, "sector"),
        ({"q": "x" * 501}, "q"),
        ({"q": "uniformes\x00"}, "q"),
    ],
)
def test_what_the_search_refuses_cannot_be_stored(args, field):
    with pytest.raises(InvalidSearchParams) as refused:
        alert_params_from(args)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("params", "field"),
    [
        (SearchParams(sectors=("99990000",)), "sector"),
        (SearchParams(regions=("99",)), "region"),
        (SearchParams(buyer_ids=(123456,)), "buyer"),
        (SearchParams(procedure_types=("NOPE",)), "procedure"),
    ],
)
def test_unknown_codes_are_refused(session, make_user, params, field):
    subscription = Subscription(user_id=make_user().id, name="x")
    with pytest.raises(InvalidSearchParams) as refused:
        apply_params(session, subscription, params)
    assert refused.value.field == field
