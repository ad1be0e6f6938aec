"""Stopping alert mail from a link: every alert (List-Unsubscribe, RFC 8058 one-click) or one
subscription, without signing in, and never for anyone but the link's own user."""

import re
from datetime import timedelta

import pytest

from portal.accounts.tokens import Purpose, make_token
from portal.db import utcnow
from portal.subscriptions.models import Subscription

ONE_CLICK = {
    "data": "List-Unsubscribe=One-Click",
    "content_type": "application/x-www-form-urlencoded",
}


@pytest.fixture
def csrf_app(app):
    """CSRF on, as in production: what mail clients and the confirmation form meet."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def _stop_all_path(user, now=None) -> str:
    return f"/alertas/baja/{make_token(Purpose.STOP_ALERTS, {'user': user.id}, now or utcnow())}"


def _stop_one_path(user, subscription, now=None) -> str:
    payload = {"user": user.id, "subscription": subscription.id}
    token = make_token(Purpose.STOP_SUBSCRIPTION, payload, now or utcnow())
    return f"/alertas/baja/suscripcion/{token}"


def _subscribe(session, user, name="Agua y cisternas") -> Subscription:
    subscription = Subscription(user_id=user.id, name=name)
    session.add(subscription)
    session.commit()
    return subscription


def _form_action(page: str) -> str:
    return re.search(r'<form method="post" action="([^"]+)"', page).group(1)


def test_the_link_shows_what_stops_and_the_button_stops_it(csrf_app, session, make_user):
    user = make_user(email="ventas@textiles-huancayo.pe")
    browser = csrf_app.test_client()

    page = browser.get(_stop_all_path(user))
    text = page.get_data(as_text=True)
    session.refresh(user)

    assert page.status_code == 200
    assert "ventas@textiles-huancayo.pe" in text
    assert user.alerts_stopped_at is None  # a GET (a link scanner, a preview) changes nothing
    done = browser.post(_form_action(text))
    assert done.status_code == 200
    assert "Ya no le enviaremos correos de alertas" in done.get_data(as_text=True)
    session.refresh(user)
    assert user.alerts_stopped_at is not None


def test_one_click_post_from_a_mail_client_needs_no_cookie_or_csrf_token(
    csrf_app, session, make_user
):
    user = make_user()
    mail_client = csrf_app.test_client(use_cookies=False)

    response = mail_client.post(_stop_all_path(user), **ONE_CLICK)

    assert response.status_code == 200
    session.refresh(user)
    assert user.alerts_stopped_at is not None


def test_stopping_twice_keeps_the_first_time(client, session, make_user):
    user = make_user()
    path = _stop_all_path(user)
    client.post(path, **ONE_CLICK)
    session.refresh(user)
    first = user.alerts_stopped_at

    assert client.post(path, **ONE_CLICK).status_code == 200
    session.refresh(user)
    assert user.alerts_stopped_at == first


def test_the_other_forms_of_the_site_still_need_their_csrf_token(csrf_app, make_user):
    """The exemption is for the unsubscribe links only."""
    user = make_user()
    client = csrf_app.test_client(use_cookies=False)

    assert client.post("/salir", **ONE_CLICK).status_code == 400
    assert client.post(_stop_all_path(user), **ONE_CLICK).status_code == 200


def test_a_subscription_link_pauses_only_that_subscription(csrf_app, session, make_user):
    user = make_user()
    water, pumps = _subscribe(session, user, "Agua"), _subscribe(session, user, "Bombas")
    browser = csrf_app.test_client()

    page = browser.get(_stop_one_path(user, water)).get_data(as_text=True)
    assert "Agua" in page
    session.refresh(water)
    assert water.active
    assert browser.post(_form_action(page)).status_code == 200

    session.expire_all()
    assert not water.active
    assert pumps.active
    assert user.alerts_stopped_at is None


def test_a_subscription_link_works_by_one_click_post_too(csrf_app, session, make_user):
    user = make_user()
    water = _subscribe(session, user)

    response = csrf_app.test_client(use_cookies=False).post(
        _stop_one_path(user, water), **ONE_CLICK
    )

    assert response.status_code == 200
    session.refresh(water)
    assert not water.active


def test_a_link_never_touches_another_users_subscription(client, session, make_user):
    """Even a genuinely signed token naming user A and B's subscription does nothing: the
    subscription must belong to the token's user."""
    owner, other = make_user(), make_user()
    theirs = _subscribe(session, owner)

    for method in (client.get, client.post):
        response = method(_stop_one_path(other, theirs))
        assert response.status_code == 410
        assert "ya no se aplica" in response.get_data(as_text=True)
    session.refresh(theirs)
    assert theirs.active


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused_and_changes_nothing(client, session, make_user, method):
    user, victim = make_user(), make_user()
    path = _stop_all_path(user)
    forged_payload = _stop_all_path(victim).split("/")[-1].split(".")[0]
    signature = path.split("/")[-1].split(".", 1)[1]
    forged = f"/alertas/baja/{forged_payload}.{signature}"
    truncated = path[:-3]

    for bad in (forged, truncated, "/alertas/baja/not-a-token"):
        response = getattr(client, method)(bad, **ONE_CLICK)
        assert response.status_code == 400
        assert "Este enlace no es válido" in response.get_data(as_text=True)
    session.expire_all()
    assert user.alerts_stopped_at is None and victim.alerts_stopped_at is None


def test_a_token_made_for_another_purpose_is_refused(client, session, make_user):
    user = make_user()
    subscription = _subscribe(session, user)
    reset = make_token(Purpose.RESET_PASSWORD, {"user": user.id}, utcnow())
    one_subscription = _stop_one_path(user, subscription).split("/")[-1]

    assert client.post(f"/alertas/baja/{reset}", **ONE_CLICK).status_code == 400
    assert client.post(f"/alertas/baja/{one_subscription}", **ONE_CLICK).status_code == 400
    session.refresh(user)
    assert user.alerts_stopped_at is None


def test_an_expired_link_says_so(client, session, make_user):
    user = make_user()
    subscription = _subscribe(session, user)
    long_ago = utcnow() - timedelta(days=366)

    for path in (_stop_all_path(user, long_ago), _stop_one_path(user, subscription, long_ago)):
        response = client.post(path, **ONE_CLICK)
        assert response.status_code == 410
        assert "Este enlace ya venció" in response.get_data(as_text=True)
    session.expire_all()
    assert user.alerts_stopped_at is None and subscription.active


def test_a_link_of_a_deleted_account_is_gone(client, session, make_user):
    user = make_user()
    path = _stop_all_path(user)
    user.deleted_at = utcnow()
    session.commit()

    assert client.get(path).status_code == 410
    assert client.post(path, **ONE_CLICK).status_code == 410
