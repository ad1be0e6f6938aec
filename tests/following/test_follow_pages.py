"""Following as a user does it: the forms the pages render, posted back with CSRF on."""

import lxml.html
import pytest
from sqlalchemy import select

from portal.subscriptions.models import SavedOpportunity


@pytest.fixture
def csrf_app(app):
    """CSRF on, as in production (Flask-WTF reads the setting on every request)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def submit(client, path: str, action: str, **changes):
    """GET the page, fill the form posting to `action` as rendered (hidden CSRF token
    included), change the named fields and post it."""
    page = lxml.html.fromstring(client.get(path).get_data(as_text=True))
    [form] = [form for form in page.forms if form.action == action]
    fields = dict(form.form_values()) | changes
    return client.post(action, data=fields, follow_redirects=True)


def entries(session, user) -> dict[int, tuple[int | None, bool]]:
    session.expire_all()
    rows = session.scalars(select(SavedOpportunity).where(SavedOpportunity.user_id == user.id))
    return {row.opportunity_id: (row.remind_days_before, row.follow_changes) for row in rows}


def watch_section(response) -> str:
    page = lxml.html.fromstring(response.get_data(as_text=True))
    [section] = page.find_class("watch")
    return " ".join(section.text_content().split())


def test_following_from_the_opportunity_page(csrf_app, signed_in, session, make_opportunity):
    opportunity = make_opportunity(title="Compra de pupitres")
    client, user = signed_in()
    path = f"/oportunidades/{opportunity.id}"
    assert "Seguir" in watch_section(client.get(path))

    followed = submit(client, path, f"/cuenta/guardadas/{opportunity.id}", remind_days_before="5")

    assert followed.request.path == path
    assert entries(session, user) == {opportunity.id: (5, True)}
    state = watch_section(followed)
    assert "Siguiendo (recordatorio 5 días antes del cierre) · dejar de seguir" in state
    assert "Sigue esta convocatoria" in followed.get_data(as_text=True)


def test_following_with_a_blank_reminder_sets_none(csrf_app, signed_in, session, make_opportunity):
    opportunity = make_opportunity()
    client, user = signed_in()
    path = f"/oportunidades/{opportunity.id}"

    followed = submit(client, path, f"/cuenta/guardadas/{opportunity.id}", remind_days_before="")

    assert entries(session, user) == {opportunity.id: (None, True)}
    assert "Siguiendo · dejar de seguir" in watch_section(followed)


def test_unfollowing_from_the_opportunity_page(csrf_app, signed_in, session, make_opportunity):
    opportunity = make_opportunity()
    client, user = signed_in()
    path = f"/oportunidades/{opportunity.id}"
    submit(client, path, f"/cuenta/guardadas/{opportunity.id}")

    unfollowed = submit(client, path, f"/cuenta/guardadas/{opportunity.id}/quitar")

    assert unfollowed.request.path == path
    assert entries(session, user) == {}
    assert "Siguiendo" not in watch_section(unfollowed)


def test_a_post_without_the_pages_token_changes_nothing(
    csrf_app, signed_in, session, make_opportunity
):
    opportunity = make_opportunity()
    client, user = signed_in()

    refused = client.post(
        f"/cuenta/guardadas/{opportunity.id}/avisos", data={"follow_changes": "1"}
    )

    assert refused.status_code == 400
    assert entries(session, user) == {}


def test_change_alerts_switched_off_and_on_in_the_watchlist(
    csrf_app, signed_in, session, make_opportunity
):
    opportunity = make_opportunity()
    client, user = signed_in()
    submit(client, f"/oportunidades/{opportunity.id}", f"/cuenta/guardadas/{opportunity.id}")
    toggle = f"/cuenta/guardadas/{opportunity.id}/avisos"

    off = submit(client, "/cuenta/guardadas", toggle)

    assert off.request.path == "/cuenta/guardadas"
    assert entries(session, user) == {opportunity.id: (3, False)}
    assert "Avisos de cambios: desactivados" in off.get_data(as_text=True)
    page = watch_section(client.get(f"/oportunidades/{opportunity.id}"))
    assert "Guardada, sin avisos de cambios (recordatorio 3 días antes del cierre)" in page

    on = submit(client, "/cuenta/guardadas", toggle)

    assert entries(session, user) == {opportunity.id: (3, True)}
    assert "Avisos de cambios: activados" in on.get_data(as_text=True)


def test_following_again_from_the_page_keeps_the_reminder(
    csrf_app, signed_in, session, make_opportunity
):
    opportunity = make_opportunity()
    client, user = signed_in()
    path = f"/oportunidades/{opportunity.id}"
    submit(client, path, f"/cuenta/guardadas/{opportunity.id}", remind_days_before="7")
    submit(client, "/cuenta/guardadas", f"/cuenta/guardadas/{opportunity.id}/avisos")

    followed = submit(client, path, f"/cuenta/guardadas/{opportunity.id}/avisos")

    assert entries(session, user) == {opportunity.id: (7, True)}
    assert "Siguiendo (recordatorio 7 días antes del cierre)" in watch_section(followed)


def test_reminder_days_changed_in_the_watchlist_leave_following_alone(
    csrf_app, signed_in, session, make_opportunity
):
    opportunity = make_opportunity()
    client, user = signed_in()
    submit(client, f"/oportunidades/{opportunity.id}", f"/cuenta/guardadas/{opportunity.id}")

    changed = submit(
        client, "/cuenta/guardadas", f"/cuenta/guardadas/{opportunity.id}", remind_days_before=""
    )

    assert entries(session, user) == {opportunity.id: (None, True)}
    assert "Recordatorio cambiado." in changed.get_data(as_text=True)


def test_switching_off_what_one_does_not_follow_changes_nothing(
    signed_in, session, make_opportunity
):
    opportunity = make_opportunity()
    owner, owner_user = signed_in()
    owner.post(f"/cuenta/guardadas/{opportunity.id}", data={"remind_days_before": "3"})
    other, other_user = signed_in()

    response = other.post(f"/cuenta/guardadas/{opportunity.id}/avisos", data={})

    assert response.status_code == 302
    assert entries(session, other_user) == {}
    assert entries(session, owner_user) == {opportunity.id: (3, True)}


def test_following_an_unknown_opportunity_is_404(signed_in):
    client, _user = signed_in()
    response = client.post("/cuenta/guardadas/999999/avisos", data={"follow_changes": "1"})
    assert response.status_code == 404
