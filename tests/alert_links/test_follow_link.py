"""Following a process from the one-click link in an alert: a page with the process and one
button, no sign-in, and the follow lands on the link's own user only."""

import re
from datetime import timedelta

import pytest

from portal.accounts.tokens import Purpose, make_token
from portal.db import utcnow
from portal.subscriptions.models import SavedOpportunity

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def _follow_path(user, opportunity, now=None) -> str:
    payload = {"user": user.id, "opportunity": opportunity.id}
    return f"/alertas/seguir/{make_token(Purpose.FOLLOW_OPPORTUNITY, payload, now or utcnow())}"


def _entry(session, user, opportunity) -> SavedOpportunity | None:
    session.expire_all()
    return session.get(SavedOpportunity, (user.id, opportunity.id))


def test_the_link_shows_the_process_and_one_button_follows_it(
    csrf_app, session, make_user, make_opportunity
):
    user = make_user()
    opportunity = make_opportunity(title="Adquisición de uniformes escolares")
    browser = csrf_app.test_client()  # not signed in
    path = _follow_path(user, opportunity)

    page = browser.get(path)
    assert page.status_code == 200
    assert "Adquisición de uniformes escolares" in page.get_data(as_text=True)
    assert _entry(session, user, opportunity) is None  # a GET (a link scanner) follows nothing

    token = CSRF_FIELD.search(page.get_data(as_text=True)).group(1)
    done = browser.post(path, data={"csrf_token": token})

    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "Ahora sigue este proceso" in text
    assert 'href="/cuenta/guardadas"' in text
    entry = _entry(session, user, opportunity)
    assert entry.follow_changes and entry.remind_days_before == 3


def test_the_button_keeps_the_sites_csrf_protection(csrf_app, session, make_user, make_opportunity):
    user, opportunity = make_user(), make_opportunity()

    response = csrf_app.test_client().post(_follow_path(user, opportunity))

    assert response.status_code == 400
    assert _entry(session, user, opportunity) is None


def test_following_a_saved_process_turns_change_alerts_on_and_keeps_its_reminder(
    client, session, make_user, make_opportunity
):
    user, opportunity = make_user(), make_opportunity()
    session.add(
        SavedOpportunity(
            user_id=user.id,
            opportunity_id=opportunity.id,
            remind_days_before=7,
            follow_changes=False,
        )
    )
    session.commit()

    for _ in range(2):  # a second click changes nothing more
        assert client.post(_follow_path(user, opportunity)).status_code == 200

    entry = _entry(session, user, opportunity)
    assert entry.follow_changes and entry.remind_days_before == 7


def test_the_link_follows_for_its_own_user_whoever_is_signed_in(
    signed_in, session, make_user, make_opportunity
):
    owner, opportunity = make_user(email="duena@panaderia-arequipa.pe"), make_opportunity()
    browser, someone_else = signed_in()

    response = browser.post(_follow_path(owner, opportunity))

    assert response.status_code == 200
    assert "duena@panaderia-arequipa.pe" in response.get_data(as_text=True)
    assert _entry(session, owner, opportunity).follow_changes
    assert _entry(session, someone_else, opportunity) is None


def test_a_tampered_or_foreign_token_follows_nothing(client, session, make_user, make_opportunity):
    user, victim, opportunity = make_user(), make_user(), make_opportunity()
    mine = _follow_path(user, opportunity).split("/")[-1]
    theirs = _follow_path(victim, opportunity).split("/")[-1]
    forged = f"{theirs.split('.')[0]}.{mine.split('.', 1)[1]}"
    unsubscribe = make_token(Purpose.STOP_ALERTS, {"user": victim.id}, utcnow())

    for token in (forged, unsubscribe, mine[:-2], "not-a-token"):
        for method in (client.get, client.post):
            response = method(f"/alertas/seguir/{token}")
            assert response.status_code == 400
            assert "Este enlace no es válido" in response.get_data(as_text=True)
    assert _entry(session, user, opportunity) is None
    assert _entry(session, victim, opportunity) is None


def test_an_expired_follow_link_says_so(client, session, make_user, make_opportunity):
    user, opportunity = make_user(), make_opportunity()
    path = _follow_path(user, opportunity, utcnow() - timedelta(days=61))

    response = client.post(path)

    assert response.status_code == 410
    assert "Este enlace ya venció" in response.get_data(as_text=True)
    assert _entry(session, user, opportunity) is None


def test_a_link_to_a_deleted_opportunity_is_gone(client, session, make_user, make_opportunity):
    user, opportunity = make_user(), make_opportunity()
    path = _follow_path(user, opportunity)
    session.delete(opportunity)
    session.commit()

    assert client.get(path).status_code == 410
    assert client.post(path).status_code == 410
