"""The alerts page's sending preferences (daily cap, quiet hours) and the way back after a
List-Unsubscribe click, used as a person does: the forms the page renders, posted back with
CSRF on."""

from datetime import UTC, datetime

import lxml.html
import pytest

CAP_LABEL = "Máximo de correos de alertas inmediatas por día"
FROM_LABEL = "Horas de silencio: desde las"
UNTIL_LABEL = "Horas de silencio: hasta las"
PREFERENCES = "/cuenta/alertas/preferencias"
RESUME = "/cuenta/alertas/reanudar-correos"


@pytest.fixture
def csrf_app(app):
    """CSRF on, as in production (Flask-WTF reads the setting on every request)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def rendered_form(client, action: str) -> dict[str, str]:
    """The values of the /cuenta/alertas form posting to `action`, as the page renders it."""
    page = lxml.html.fromstring(client.get("/cuenta/alertas").get_data(as_text=True))
    [form] = [form for form in page.forms if form.action == action]
    return dict(form.form_values())


def submit(client, action: str, **changes):
    """Post the page's form to `action` with the named fields changed, as a browser would."""
    return client.post(action, data=rendered_form(client, action) | changes, follow_redirects=True)


def text_of(response) -> str:
    return " ".join(lxml.html.fromstring(response.get_data(as_text=True)).text_content().split())


def saved(session, user) -> tuple:
    session.refresh(user)
    return (user.daily_alert_cap, user.quiet_from_hour, user.quiet_until_hour)


def test_a_stopped_user_sees_since_when_in_lima_and_turns_alert_mail_back_on(
    csrf_app, signed_in, session
):
    client, user = signed_in()
    # 03:30 on 2 June in UTC is still 1 June in Lima (UTC-5).
    user.alerts_stopped_at = datetime(2026, 6, 2, 3, 30, tzinfo=UTC)
    session.commit()
    stopped = text_of(client.get("/cuenta/alertas"))
    assert "Desde el 01/06/2026 no le enviamos correos de alertas" in stopped

    resumed = submit(client, RESUME)

    assert resumed.request.path == "/cuenta/alertas"
    page = text_of(resumed)
    assert "Volveremos a enviarle correos de alertas." in page
    assert "no le enviamos correos de alertas" not in page
    session.refresh(user)
    assert user.alerts_stopped_at is None


def test_nothing_to_resume_for_a_user_who_never_stopped(csrf_app, signed_in, session):
    client, user = signed_in()
    page = client.get("/cuenta/alertas").get_data(as_text=True)
    assert "Volver a recibir alertas" not in page
    token = rendered_form(client, PREFERENCES)["csrf_token"]

    response = client.post(RESUME, data={"csrf_token": token}, follow_redirects=True)

    assert response.request.path == "/cuenta/alertas"
    assert "Volveremos a enviarle" not in response.get_data(as_text=True)
    session.refresh(user)
    assert user.alerts_stopped_at is None


def test_resuming_without_the_pages_token_is_refused(csrf_app, signed_in, session):
    client, user = signed_in()
    stopped_at = datetime(2026, 6, 2, 3, 30, tzinfo=UTC)
    user.alerts_stopped_at = stopped_at
    session.commit()

    refused = client.post(RESUME)

    assert refused.status_code == 400
    session.refresh(user)
    assert user.alerts_stopped_at == stopped_at


def test_the_form_shows_the_defaults_and_explains_them(csrf_app, signed_in):
    client, _user = signed_in()

    values = rendered_form(client, PREFERENCES)

    assert (values["daily_alert_cap"], values["quiet_from_hour"], values["quiet_until_hour"]) == (
        "20",
        "",
        "",
    )
    page = text_of(client.get("/cuenta/alertas"))
    assert "el resto le llega en el siguiente resumen diario" in page
    assert "esperan hasta que terminen" in page


def test_cap_and_quiet_hours_across_midnight_are_saved_and_shown(csrf_app, signed_in, session):
    client, user = signed_in()

    response = submit(
        client, PREFERENCES, daily_alert_cap="5", quiet_from_hour="22", quiet_until_hour="7"
    )

    assert response.request.path == "/cuenta/alertas"
    assert "Preferencias de envío guardadas." in text_of(response)
    assert saved(session, user) == (5, 22, 7)
    values = rendered_form(client, PREFERENCES)
    assert (values["daily_alert_cap"], values["quiet_from_hour"], values["quiet_until_hour"]) == (
        "5",
        "22",
        "7",
    )


def test_quiet_hours_are_removed_by_choosing_none_for_both(csrf_app, signed_in, session):
    client, user = signed_in()
    submit(client, PREFERENCES, quiet_from_hour="0", quiet_until_hour="6")
    assert saved(session, user) == (20, 0, 6)

    submit(client, PREFERENCES, quiet_from_hour="", quiet_until_hour="")

    assert saved(session, user) == (20, None, None)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"daily_alert_cap": "0"}, f"«{CAP_LABEL}» debe ser un número entero del 1 al 100."),
        ({"daily_alert_cap": "101"}, f"«{CAP_LABEL}» debe ser un número entero del 1 al 100."),
        ({"daily_alert_cap": "diez"}, f"«{CAP_LABEL}» debe ser un número entero del 1 al 100."),
        ({"daily_alert_cap": ""}, f"«{CAP_LABEL}» debe ser un número entero del 1 al 100."),
        (
            {"quiet_from_hour": "22"},
            f"«{UNTIL_LABEL}»: elija también esta hora, o deje las dos horas de silencio en "
            "«Ninguna».",
        ),
        (
            {"quiet_until_hour": "7"},
            f"«{FROM_LABEL}»: elija también esta hora, o deje las dos horas de silencio en "
            "«Ninguna».",
        ),
        (
            {"quiet_from_hour": "8", "quiet_until_hour": "8"},
            f"«{UNTIL_LABEL}» debe ser distinta de «{FROM_LABEL}»",
        ),
        (
            {"quiet_from_hour": "24", "quiet_until_hour": "7"},
            f"«{FROM_LABEL}»: elija una hora de la lista.",
        ),
    ],
)
def test_a_refused_value_is_named_by_its_label_and_nothing_changes(
    csrf_app, signed_in, session, changes, error
):
    client, user = signed_in()

    response = submit(client, PREFERENCES, **changes)

    assert response.status_code == 400
    page = lxml.html.fromstring(response.get_data(as_text=True))
    errors = [" ".join(node.text_content().split()) for node in page.find_class("field-error")]
    assert len(errors) == 1 and errors[0].startswith(error), errors
    assert saved(session, user) == (20, None, None)


def test_preferences_without_the_pages_token_are_refused(csrf_app, signed_in, session):
    client, user = signed_in()

    refused = client.post(PREFERENCES, data={"daily_alert_cap": "3"})

    assert refused.status_code == 400
    assert saved(session, user) == (20, None, None)


def test_each_user_changes_only_their_own_preferences(csrf_app, signed_in, make_user, session):
    client, user = signed_in()
    other = make_user()

    submit(client, PREFERENCES, daily_alert_cap="1", quiet_from_hour="20", quiet_until_hour="6")

    assert saved(session, user) == (1, 20, 6)
    assert saved(session, other) == (20, None, None)
