from datetime import timedelta

from factories import NOW

from portal.buyers.queries import median_lead_days
from portal.opportunities.models import OpportunityStatus


def test_buyer_page_lists_open_opportunities_and_current_plan(
    client, make_buyer, make_opportunity, make_plan
):
    buyer = make_buyer(name="Municipalidad de Piura")
    make_opportunity(buyer=buyer, title="Mantenimiento de pistas")
    make_opportunity(buyer=buyer, title="Obra ya cerrada", status=OpportunityStatus.CLOSED)
    make_plan(buyer=buyer, version=1)
    make_plan(buyer=buyer, version=2, lines=3)

    page = client.get(f"/entidades/{buyer.id}").get_data(as_text=True)

    assert "Municipalidad de Piura" in page
    assert "Mantenimiento de pistas" in page
    assert "Obra ya cerrada" not in page
    assert f"PAC {NOW.year}, versión 2" in page
    assert "Compra planificada 3" in page


def test_buyer_statistics_count_by_status_and_median_lead(
    client, session, make_buyer, make_opportunity
):
    buyer = make_buyer()
    for days in (5, 10, 20, 40):
        make_opportunity(buyer=buyer, published_at=NOW, deadline_at=NOW + timedelta(days=days))
    make_opportunity(buyer=buyer, status=OpportunityStatus.AWARDED)

    page = client.get(f"/entidades/{buyer.id}").get_data(as_text=True)

    assert abs(median_lead_days(session, buyer.id) - 11.0) < 1e-6
    assert '<dd class="median-lead">11.0</dd>' in page
    assert '<dd class="count-open">4</dd>' in page
    assert '<dd class="count-awarded">1</dd>' in page


def test_median_is_none_without_dated_opportunities(session, make_buyer):
    assert median_lead_days(session, make_buyer().id) is None


def test_unknown_buyer_is_404(client):
    assert client.get("/entidades/424242").status_code == 404
