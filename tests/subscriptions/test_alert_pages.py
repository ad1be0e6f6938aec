"""The alerts pages: one-click creation from a search, the form, pause, delete, limits, owners."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.app import create_app
from portal.db import db
from portal.subscriptions.models import Frequency, Subscription


def _subscriptions(session, user) -> list[Subscription]:
    session.expire_all()
    return list(session.scalars(select(Subscription).where(Subscription.user_id == user.id)))


def test_one_click_from_a_search_saves_it_and_shows_its_preview(
    signed_in, session, make_opportunity
):
    make_opportunity(title="Adquisición de uniformes escolares", classifications=("53102700",))
    client, user = signed_in()
    search = client.get("/buscar?q=uniformes+escolares&region=15&object_type=goods&sort=closing")
    page = search.get_data(as_text=True)
    assert "Crear alerta con esta búsqueda" in page
    query = re.search(r'name="search" value="([^"]*)"', page).group(1).replace("&amp;", "&")

    response = client.post("/cuenta/alertas/desde-busqueda", data={"search": query})

    [subscription] = _subscriptions(session, user)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cuenta/alertas/{subscription.id}"
    assert subscription.name == "Alerta: uniformes escolares"
    assert subscription.keywords == "uniformes escolares"
    assert [region.code for region in subscription.regions] == ["15"]
    assert [str(item.object_type) for item in subscription.object_types] == ["goods"]
    assert subscription.frequency == Frequency.DAILY and subscription.active
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vista previa: últimos 30 días" in edit
    assert "<mark>uniformes</mark> <mark>escolares</mark>" in edit


def test_default_name_uses_the_main_filter_without_keywords(signed_in, session):
    client, user = signed_in()
    client.post("/cuenta/alertas/desde-busqueda", data={"search": "region=08&region=15"})
    [subscription] = _subscriptions(session, user)
    assert subscription.name == "Alerta: Cusco, Lima"


def test_anonymous_visitors_are_sent_to_sign_in_and_back_to_the_prefilled_form(client):
    page = client.get("/buscar?q=uniformes").get_data(as_text=True)
    link = re.search(r'href="(/ingresar\?next=[^"]*)"[^>]*>Crear alerta', page).group(1)
    next_page = parse_qs(urlsplit(link.replace("&amp;", "&")).query)["next"][0]
    assert next_page == "/cuenta/alertas/nueva?q=uniformes"

    response = client.get(next_page)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/ingresar" and not location.netloc
    assert parse_qs(location.query)["next"] == ["/cuenta/alertas/nueva?q=uniformes"]
    anonymous_post = client.post("/cuenta/alertas/desde-busqueda", data={"search": "q=x"})
    assert anonymous_post.status_code == 302
    assert urlsplit(anonymous_post.headers["Location"]).path == "/ingresar"


def test_prefilled_create_page_saves_with_one_click(signed_in, session):
    client, user = signed_in()
    page = client.get("/cuenta/alertas/nueva?q=cemento&value_max=50000").get_data(as_text=True)
    assert 'value="cemento"' in page and 'value="Alerta: cemento"' in page
    assert "Vista previa: últimos 30 días" in page

    response = client.post(
        "/cuenta/alertas/nueva",
        data={
            "name": "Alerta: cemento",
            "q": "cemento",
            "value_max": "50000",
            "frequency": "weekly",
            "digest_hour": "9",
            "save": "Guardar alerta",
        },
    )

    [subscription] = _subscriptions(session, user)
    assert response.status_code == 302
    assert subscription.keywords == "cemento"
    assert subscription.max_value == 50000
    assert subscription.frequency == Frequency.WEEKLY and subscription.digest_hour == 9
    assert not subscription.include_forecasts


def test_invalid_search_cannot_become_an_alert(signed_in, session):
    client, user = signed_in()
    response = client.post("/cuenta/alertas/desde-busqueda", data={"search": "value_min=abc"})
    assert response.status_code == 400
    assert "value_min" in response.get_data(as_text=True)
    unknown_sector = client.post(
        "/cuenta/alertas/desde-busqueda", data={"search": "sector=99990000"}
    )
    assert unknown_sector.status_code == 400
    assert _subscriptions(session, user) == []


def test_editing_changes_criteria_and_preview_alone_saves_nothing(signed_in, session):
    client, user = signed_in()
    client.post("/cuenta/alertas/desde-busqueda", data={"search": "q=uniformes"})
    [subscription] = _subscriptions(session, user)
    form = {
        "name": "Uniformes en Cusco",
        "q": "uniformes",
        "sector": ["53000000"],
        "region": ["08"],
        "frequency": "immediate",
        "digest_hour": "7",
    }

    previewed = client.post(f"/cuenta/alertas/{subscription.id}", data=form | {"preview": "1"})
    assert previewed.status_code == 200
    assert "cambios sin guardar" in previewed.get_data(as_text=True)
    [unchanged] = _subscriptions(session, user)
    assert unchanged.name == "Alerta: uniformes" and unchanged.regions == []

    saved = client.post(f"/cuenta/alertas/{subscription.id}", data=form | {"save": "1"})
    assert saved.status_code == 302
    [changed] = _subscriptions(session, user)
    assert changed.name == "Uniformes en Cusco"
    assert [region.code for region in changed.regions] == ["08"]
    assert [sector.code for sector in changed.sectors] == ["53000000"]
    assert changed.frequency == Frequency.IMMEDIATE


def test_form_refuses_what_the_search_refuses(signed_in, session):
    client, user = signed_in()
    response = client.post(
        "/cuenta/alertas/nueva",
        data={
            "q": "x",
            "value_min": "9",
            "value_max": "1",
            "frequency": "daily",
            "digest_hour": "7",
            "save": "1",
        },
    )
    assert response.status_code == 400
    assert "debe ser mayor o igual que «Valor desde (S/)»" in response.get_data(as_text=True)
    assert _subscriptions(session, user) == []


def test_pause_resume_and_delete(signed_in, session):
    client, user = signed_in()
    client.post("/cuenta/alertas/desde-busqueda", data={"search": "q=cemento"})
    [subscription] = _subscriptions(session, user)

    client.post(f"/cuenta/alertas/{subscription.id}/pausar")
    assert not _subscriptions(session, user)[0].active
    listing = client.get("/cuenta/alertas").get_data(as_text=True)
    assert "En pausa" in listing and "Palabras: «cemento»" in listing

    client.post(f"/cuenta/alertas/{subscription.id}/reanudar")
    assert _subscriptions(session, user)[0].active

    response = client.post(f"/cuenta/alertas/{subscription.id}/eliminar")
    assert response.status_code == 302
    assert _subscriptions(session, user) == []


def test_state_changes_need_post(signed_in, session):
    client, user = signed_in()
    client.post("/cuenta/alertas/desde-busqueda", data={"search": "q=cemento"})
    [subscription] = _subscriptions(session, user)
    assert client.get(f"/cuenta/alertas/{subscription.id}/eliminar").status_code == 405
    assert len(_subscriptions(session, user)) == 1


def test_the_twenty_first_subscription_is_refused(signed_in, session):
    client, user = signed_in()
    for number in range(20):
        client.post("/cuenta/alertas/desde-busqueda", data={"search": f"q=palabra{number}"})
    assert len(_subscriptions(session, user)) == 20

    response = client.post(
        "/cuenta/alertas/desde-busqueda", data={"search": "q=una+mas"}, follow_redirects=True
    )
    assert "Ya tiene 20 alertas, el máximo por cuenta" in response.get_data(as_text=True)
    form = client.post(
        "/cuenta/alertas/nueva",
        data={"q": "otra", "frequency": "daily", "digest_hour": "7", "save": "1"},
    )
    assert "Ya tiene 20 alertas, el máximo por cuenta" in form.get_data(as_text=True)
    assert len(_subscriptions(session, user)) == 20


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("post", ""), ("post", "/pausar"), ("post", "/reanudar"), ("post", "/eliminar")],
)
def test_only_the_owner_reaches_a_subscription(signed_in, session, method, suffix):
    owner_client, owner = signed_in()
    owner_client.post("/cuenta/alertas/desde-busqueda", data={"search": "q=cemento"})
    [subscription] = _subscriptions(session, owner)
    other_client, _other = signed_in()

    response = getattr(other_client, method)(
        f"/cuenta/alertas/{subscription.id}{suffix}",
        data={"q": "robado", "frequency": "daily", "digest_hour": "7", "save": "1"},
    )

    assert response.status_code == 404
    [untouched] = _subscriptions(session, owner)
    assert untouched.keywords == "cemento" and untouched.active
    assert "cemento" not in other_client.get("/cuenta/alertas").get_data(as_text=True)


def test_one_click_without_csrf_token_is_refused(app, session, make_user):
    from account_factories import sign_in_client

    protected = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    user = make_user()
    client = protected.test_client()
    sign_in_client(client, user)

    response = client.post("/cuenta/alertas/desde-busqueda", data={"search": "q=cemento"})
    with protected.app_context():  # its own engine: close its connections now, not at GC,
        db.engine.dispose()  # where psycopg's warning fails whichever test is running

    assert response.status_code == 400
    assert _subscriptions(session, user) == []
