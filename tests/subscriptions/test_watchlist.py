"""The watchlist: saved from an opportunity's page, listed with days left, reminders changed."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from factories import NOW
from sqlalchemy import select

from portal.subscriptions.models import SavedOpportunity


def _saved(session, user) -> dict[int, int | None]:
    session.expire_all()
    entries = session.scalars(select(SavedOpportunity).where(SavedOpportunity.user_id == user.id))
    return {entry.opportunity_id: entry.remind_days_before for entry in entries}


def test_anonymous_visitors_get_a_sign_in_link_back_to_the_page(client, make_opportunity):
    opportunity = make_opportunity()
    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)
    link = re.search(r'class="watch-login" href="([^"]*)"', page).group(1)
    assert parse_qs(urlsplit(link.replace("&amp;", "&")).query)["next"] == [
        f"/oportunidades/{opportunity.id}"
    ]


def test_saving_from_the_opportunity_page(signed_in, session, make_opportunity, make_buyer):
    buyer = make_buyer(name="Municipalidad de Surco")
    opportunity = make_opportunity(title="Compra de pupitres", buyer=buyer)
    client, user = signed_in()
    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)
    assert "Seguir" in page

    response = client.post(
        f"/cuenta/guardadas/{opportunity.id}",
        data={"remind_days_before": "5", "next": f"/oportunidades/{opportunity.id}"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/oportunidades/{opportunity.id}"
    assert _saved(session, user) == {opportunity.id: 5}
    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)
    assert "Siguiendo (recordatorio 5 días antes del cierre)" in page
    assert f'action="/cuenta/guardadas/{opportunity.id}/quitar"' in page

    listing = client.get("/cuenta/guardadas").get_data(as_text=True)
    assert "Compra de pupitres" in listing and "Municipalidad de Surco" in listing
    assert re.search(r"quedan (9|10) días", listing)
    assert 'name="remind_days_before" type="number"' in listing and 'value="5"' in listing


def test_reminder_can_be_changed_or_turned_off_and_is_bounded(signed_in, session, make_opportunity):
    opportunity = make_opportunity()
    client, user = signed_in()
    url = f"/cuenta/guardadas/{opportunity.id}"
    client.post(url, data={"remind_days_before": "3"})

    client.post(url, data={"remind_days_before": "", "next": "/cuenta/guardadas"})
    assert _saved(session, user) == {opportunity.id: None}

    refused = client.post(url, data={"remind_days_before": "45"}, follow_redirects=True)
    assert "entre 0 y 30" in refused.get_data(as_text=True)
    assert _saved(session, user) == {opportunity.id: None}


def test_removing_and_redirects_stay_on_site(signed_in, session, make_opportunity):
    opportunity = make_opportunity()
    client, user = signed_in()
    saved = client.post(
        f"/cuenta/guardadas/{opportunity.id}",
        data={"remind_days_before": "2", "next": "https://evil.example/"},
    )
    assert saved.headers["Location"] == f"/oportunidades/{opportunity.id}"

    removed = client.post(f"/cuenta/guardadas/{opportunity.id}/quitar", data={"next": "//evil"})

    assert removed.headers["Location"] == "/cuenta/guardadas"
    assert _saved(session, user) == {}


def test_watchlist_is_private_and_sorted_by_deadline(signed_in, session, make_opportunity):
    later = make_opportunity(title="Cierra después", deadline_at=NOW + timedelta(days=20))
    sooner = make_opportunity(title="Cierra pronto", deadline_at=NOW + timedelta(days=2))
    closed = make_opportunity(title="Ya cerró", deadline_at=NOW - timedelta(days=1))
    client, user = signed_in()
    for opportunity in (later, closed, sooner):
        client.post(f"/cuenta/guardadas/{opportunity.id}", data={"remind_days_before": "1"})

    listing = client.get("/cuenta/guardadas").get_data(as_text=True)
    other_client, _other = signed_in()
    other_listing = other_client.get("/cuenta/guardadas").get_data(as_text=True)

    positions = [listing.index(title) for title in ("Cierra pronto", "Cierra después", "Ya cerró")]
    assert positions == sorted(positions)
    assert "plazo vencido" in listing
    assert "Cierra pronto" not in other_listing


def test_saving_an_unknown_opportunity_is_404(signed_in):
    client, _user = signed_in()
    assert client.post("/cuenta/guardadas/999999", data={}).status_code == 404


def test_watchlist_needs_sign_in(client):
    response = client.get("/cuenta/guardadas")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/ingresar"
