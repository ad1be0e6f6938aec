"""Hostile query strings on every GET route: a client error at worst, never a server error."""

from urllib.parse import quote

import pytest
from account_factories import sign_in_client

from portal.accounts.models import Role
from portal.plans.models import PlanUpload
from portal.subscriptions.models import Subscription

PARAMETERS = (
    *("q", "sector", "region", "buyer", "object_type", "procedure", "status", "kind", "sort"),
    "deadline_check",
    *("value_min", "value_max", "published_within", "closing_within", "size", "page"),
    *("per_page", "cursor", "year", "version", "lang", "de", "a", "formato"),
)
# What the signed-in pages read besides the search's parameters.
ACCOUNT_PARAMETERS = ("q", "next", "page", "role", "state", "action", "user", "email", "entity")
SIGNED_IN_PREFIXES = ("/cuenta", "/admin", "/entidad")
HOSTILE_VALUES = (
    *(quote(text) for text in ("\x00", "a\x01b", "\x0b", "\x7f", "²", "9" * 40, "-1", "1e999")),
    *(quote(text) for text in ("NaN", "x" * 600, "' OR 1=1 --", "<script>", "15\x00")),
    "%FF",  # not UTF-8
)
SKIPPED = {"static"}


@pytest.fixture
def admin(make_user):
    return make_user(role=Role.ADMIN)


@pytest.fixture
def route_urls(app, session, admin, make_buyer, make_opportunity, make_plan) -> list[str]:
    """Every GET route, its path arguments filled with rows that exist (the alert and the
    account are the administrator's own, so signed-in pages answer with content)."""
    buyer = make_buyer()
    opportunity = make_opportunity(buyer=buyer)
    plan = make_plan(buyer=buyer)
    subscription = Subscription(user_id=admin.id, name="Agua", keywords="agua")
    session.add(subscription)
    draft = PlanUpload(
        buyer_id=buyer.id, fiscal_year=plan.fiscal_year, filename="pac.csv", content=b"",
        size_bytes=0, sha256="0" * 64,
    )  # fmt: skip
    session.add(draft)
    session.commit()
    arguments = {
        "opportunity_id": opportunity.id,
        "buyer_id": buyer.id,
        "year": plan.fiscal_year,
        "token": "not-a-token",
        "subscription_id": subscription.id,
        "user_id": admin.id,
        "upload_id": draft.id,
        "key": "tendencia",  # a statistics chart or table
    }
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in SKIPPED or "GET" not in rule.methods:
                continue
            urls.append(rule.build({name: arguments[name] for name in rule.arguments})[1])
    return urls


@pytest.mark.parametrize("visitor", ["anonymous", "administrator"])
def test_no_route_answers_a_hostile_query_string_with_a_server_error(
    app, admin, route_urls, visitor
):
    client = app.test_client()
    parameters = PARAMETERS
    if visitor == "administrator":  # reaches every signed-in page instead of the sign-in redirect
        sign_in_client(client, admin)
        route_urls = [url for url in route_urls if url.startswith(SIGNED_IN_PREFIXES)]
        parameters = (*ACCOUNT_PARAMETERS, *PARAMETERS[1:8])
    failures = []
    for url in route_urls:
        queries = [f"{name}={value}" for name in parameters for value in HOSTILE_VALUES]
        for query in [*queries, "%00=1", "q=%00&q=%01", "&&&=&"]:
            try:  # TESTING propagates exceptions instead of answering 500
                status = client.get(f"{url}?{query}").status_code
            except Exception as error:  # noqa: BLE001  (any exception is the failure reported)
                status = f"{type(error).__name__}: {str(error)[:80]}"
            if not isinstance(status, int) or status >= 500:
                failures.append(f"{url}?{query} -> {status}")
    assert failures == []
