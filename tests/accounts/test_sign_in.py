"""Signing in and out: identical failures, the audit trail, remember-me, `next` kept on site."""

from urllib.parse import quote, urlsplit

import pytest
from account_factories import PASSWORD
from sent_mail import page_without_tokens
from sqlalchemy import func, select

from portal.accounts.models import AuditAction, AuditEvent, AuthAttempt, User


def _sign_in(client, email, password=PASSWORD, **fields):
    return client.post("/ingresar", data={"email": email, "password": password, **fields})


def test_signing_in_lands_home_and_records_the_time(client, make_user, session):
    user = make_user()
    response = _sign_in(client, user.email.upper())
    assert response.status_code == 302 and response.headers["Location"] == "/"
    session.expire_all()
    assert session.get(User, user.id).last_login_at is not None
    page = client.get("/").get_data(as_text=True)
    assert user.email in page and 'action="/salir"' in page


def test_wrong_password_and_unknown_email_get_the_identical_page(app, make_user):
    user = make_user(email="registrada@empresa.pe")
    wrong = _sign_in(app.test_client(), user.email, "no-es-la-clave")
    unknown = _sign_in(app.test_client(), "desconocida@empresa.pe", "no-es-la-clave")
    assert wrong.status_code == unknown.status_code == 200
    assert "El correo o la contraseña no son correctos." in wrong.get_data(as_text=True)
    assert page_without_tokens(wrong, user.email) == page_without_tokens(
        unknown, "desconocida@empresa.pe"
    )


def test_every_failure_is_counted_and_audited_without_what_was_typed(client, make_user, session):
    user = make_user(email="registrada@empresa.pe")
    _sign_in(client, user.email, "clave-equivocada-1")
    _sign_in(client, "desconocida@empresa.pe", "clave-equivocada-2")

    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [event.action for event in events] == [AuditAction.LOGIN_FAILED] * 2
    assert [event.subject_id for event in events] == [user.id, None]
    assert all(event.client_address == "127.0.0.1" for event in events)
    for event in events:
        assert "empresa.pe" not in event.detail and "equivocada" not in event.detail
    keys = list(session.scalars(select(AuthAttempt.key)))
    assert len(keys) == 4  # per account and per address, for each failure
    assert all(len(key) == 64 and "@" not in key and "127.0.0.1" not in key for key in keys)


def test_deactivated_and_deleted_accounts_cannot_sign_in(client, make_user, session):
    user = make_user()
    user.active = False
    session.commit()
    response = _sign_in(client, user.email)
    assert response.status_code == 200
    assert "desactivada" in response.get_data(as_text=True)
    assert client.get("/cuenta").status_code == 302


def test_the_remember_me_cookie_is_set_only_when_asked(app, make_user):
    user = make_user()
    plain = app.test_client()
    _sign_in(plain, user.email)
    assert plain.get_cookie("remember_token") is None
    assert plain.get_cookie("session").expires is not None  # a permanent 12-hour session

    remembered = app.test_client()
    _sign_in(remembered, user.email, remember_me="y")
    cookie = remembered.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only


def test_logout_is_a_post_that_signs_out(client, make_user):
    user = make_user()
    _sign_in(client, user.email)
    assert client.get("/salir").status_code == 405
    response = client.post("/salir")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/cuenta").status_code == 302


HOSTILE_NEXT = [
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    " //evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "http:/evil.example",
]


def _stays_on_site(location: str) -> bool:
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
        and "evil.example" not in parts.netloc
    )


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_leaves_the_site_from_the_form(client, make_user, target):
    user = make_user()
    response = _sign_in(client, user.email, next=target)
    assert response.status_code == 302
    assert _stays_on_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_leaves_the_site_from_the_query_string(client, make_user, target):
    user = make_user()
    form = client.get(f"/ingresar?next={quote(target, safe='%')}")
    assert form.status_code == 200
    response = client.post(
        f"/ingresar?next={quote(target, safe='%')}",
        data={"email": user.email, "password": PASSWORD},
    )
    assert _stays_on_site(response.headers["Location"]), response.headers["Location"]


def test_a_path_on_the_site_is_kept_through_the_login_form(client, make_user):
    user = make_user()
    bounced = client.get("/cuenta")
    assert bounced.headers["Location"] == "/ingresar?next=%2Fcuenta"
    form = client.get("/ingresar?next=/cuenta/alertas?x=1").get_data(as_text=True)
    assert 'value="/cuenta/alertas?x=1"' in form
    response = _sign_in(client, user.email, next="/cuenta/alertas?x=1")
    assert response.headers["Location"] == "/cuenta/alertas?x=1"
    client.post("/salir")
    from_query = client.post(
        "/ingresar?next=%2Fcuenta%2Falertas%3Fx%3D1",
        data={"email": user.email, "password": PASSWORD},
    )
    assert from_query.headers["Location"] == "/cuenta/alertas?x=1"


def test_too_many_failures_for_an_account_are_refused_with_429_before_any_password_check(
    app, make_user, session
):
    user = make_user()
    client = app.test_client()
    for _attempt in range(5):
        assert _sign_in(client, user.email, "clave-equivocada").status_code == 200
    throttled = _sign_in(client, user.email)  # the right password does not help now
    assert throttled.status_code == 429
    assert "Demasiados intentos. Vuelve a intentarlo en 15 minutos" in throttled.get_data(
        as_text=True
    )
    assert int(throttled.headers["Retry-After"]) > 800
    assert session.scalar(select(func.count(AuditEvent.id))) == 5  # throttled: no new check

    for _attempt in range(5):
        _sign_in(app.test_client(), "nadie@empresa.pe", "clave-equivocada")
    unknown = _sign_in(app.test_client(), "nadie@empresa.pe", "clave-equivocada")
    assert unknown.status_code == 429
    assert page_without_tokens(unknown, "nadie@empresa.pe") == page_without_tokens(
        throttled, user.email
    )
