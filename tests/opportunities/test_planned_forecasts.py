"""A tender published as a forecast (OCDS `planned`) is no open call, yet can be found."""

import re

from factories import NOW

from portal.opportunities.models import OpportunityStatus
from portal.opportunities.queries import closing_soon, latest_open


def _page(client, query: str = "") -> str:
    response = client.get(f"/buscar?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _status_option(page: str, label: str) -> str:
    """The query string of the status facet's option with this label."""
    facet = page.split('class="facet facet-status"')[1].split("</section>")[0]
    match = re.search(r'href="/buscar\?([^"]*)">' + re.escape(label) + "</a>", facet)
    assert match, f"no status option {label!r}"
    return match.group(1).replace("&amp;", "&")


def test_a_forecast_is_not_in_the_default_search_of_open_calls(client, make_opportunity):
    make_opportunity(title="Adquisición de cemento portland", status=OpportunityStatus.PLANNED)
    make_opportunity(title="Adquisición de cemento asfáltico")

    page = _page(client, "q=cemento")

    assert "1 resultado" in page
    assert "asfáltico" in page and "portland" not in page


def test_a_forecast_is_found_with_every_status_and_shown_as_prevista(client, make_opportunity):
    make_opportunity(title="Adquisición de cemento portland", status=OpportunityStatus.PLANNED)
    make_opportunity(title="Adquisición de cemento asfáltico")

    everything = _page(client, "q=cemento&status=all")
    forecasts = _page(client, _status_option(everything, "Prevista"))

    assert "2 resultados" in everything
    assert 'Prevista</a> <span class="count">(1)</span>' in everything
    assert "1 resultado" in forecasts and "portland" in forecasts
    assert "status=planned" in _status_option(everything, "Prevista")


def test_the_status_filter_offers_forecasts(client, make_opportunity):
    make_opportunity(title="Adquisición de cemento portland", status=OpportunityStatus.PLANNED)

    page = _page(client, "q=cemento&status=planned")

    assert '<input type="checkbox" name="status" value="planned" checked> Prevista' in page
    assert "portland" in page


def test_the_api_lists_forecasts_under_their_status(client, make_opportunity):
    forecast = make_opportunity(title="Adquisición de cemento", status=OpportunityStatus.PLANNED)

    response = client.get("/api/v1/opportunities?status=planned")

    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert [item["id"] for item in response.get_json()["data"]] == [forecast.id]
    assert response.get_json()["data"][0]["status"] == "planned"


def test_home_lists_of_open_calls_leave_forecasts_out(session, make_opportunity):
    make_opportunity(title="Adquisición prevista", status=OpportunityStatus.PLANNED)
    open_call = make_opportunity(title="Adquisición abierta")

    assert [call.id for call in latest_open(session, NOW)] == [open_call.id]
    assert [call.id for call in closing_soon(session, NOW)] == [open_call.id]
