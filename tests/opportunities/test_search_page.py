from datetime import timedelta
from decimal import Decimal

from factories import NOW

from portal.opportunities.models import OpportunityStatus


def _page(client, query: str = "") -> str:
    response = client.get(f"/buscar?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_search_highlights_terms_and_links_detail_and_feeds(client, make_buyer, make_opportunity):
    buyer = make_buyer(name="Gobierno Regional de Puno")
    opportunity = make_opportunity(title="Adquisición de uniformes escolares", buyer=buyer)
    make_opportunity(title="Mantenimiento de carreteras")

    page = _page(client, "q=uniformes")

    assert "<mark>uniformes</mark>" in page
    assert f'href="/oportunidades/{opportunity.id}"' in page
    assert "Mantenimiento de carreteras" not in page
    assert "1 resultado" in page
    assert '<link rel="alternate" type="application/rss+xml"' in page
    assert 'href="/buscar.atom?q=uniformes"' in page
    assert 'href="/buscar.ics?q=uniformes"' in page
    assert 'href="/buscar.ocds.json?q=uniformes"' in page


def test_facet_counts_are_shown_beside_filters(client, make_opportunity):
    make_opportunity(title="Compra de cemento", region_code="08", classifications=("30111601",))
    make_opportunity(title="Compra de cemento portland", region_code="08")
    make_opportunity(title="Compra de cemento", region_code="15")

    page = _page(client, "q=cemento")

    assert 'Cusco</a> <span class="count">(2)</span>' in page
    assert 'Lima</a> <span class="count">(1)</span>' in page
    sector_name = "Estructuras y materiales de construcción"  # from the sectors table
    assert f'{sector_name}</a> <span class="count">(1)</span>' in page


def test_region_filter_narrows_and_keeps_a_shareable_link(client, make_opportunity):
    make_opportunity(title="Compra de cemento", region_code="08")
    make_opportunity(title="Compra de cemento para Lima", region_code="15")

    page = _page(client, "q=cemento&region=08")

    assert "Compra de cemento para Lima" not in page
    assert "1 resultado" in page
    assert 'href="/buscar.rss?q=cemento&amp;region=08"' in page


def test_plan_lines_are_marked_as_forecasts_with_planned_month(client, make_plan):
    plan = make_plan(lines=3)

    page = _page(client, "q=planificada")

    assert "Pronóstico (plan anual)" in page
    assert f"Previsto para 03/{plan.fiscal_year}" in page
    assert (
        f"/planes/{plan.buyer_id}/{plan.fiscal_year}?linea={plan.lines[2].reference_number}#linea-{plan.lines[2].reference_number}"
        in page
    )


def test_pagination_links_are_stable(client, make_opportunity):
    for index in range(5):
        make_opportunity(title=f"Suministro de agua {index}")

    first = _page(client, "q=agua&per_page=2")
    second = _page(client, "page=2&per_page=2&q=agua")

    assert 'href="/buscar?q=agua&amp;page=2&amp;per_page=2"' in first
    assert "Página 2 de 3" in second
    assert 'href="/buscar?q=agua&amp;per_page=2"' in second  # back to page 1


def test_misspelling_offers_a_suggestion(client, make_opportunity):
    make_opportunity(title="Adquisición de computadoras")

    page = _page(client, "q=computadorras")

    assert "¿Quisiste decir" in page
    assert "computadoras" in page


def test_empty_state_suggests_removing_filters(client, make_opportunity):
    make_opportunity(title="Adquisición de cemento", region_code="15")

    page = _page(client, "q=cemento&region=08")

    assert "No encontramos" in page
    assert 'href="/buscar?q=cemento"' in page


def test_filters_for_status_value_and_size_apply(client, make_opportunity):
    make_opportunity(title="Obra grande de pistas", estimated_value=Decimal("90000000"))
    make_opportunity(title="Obra chica de pistas", estimated_value=Decimal("20000"))
    make_opportunity(title="Obra vieja de pistas", status=OpportunityStatus.AWARDED)

    micro = _page(client, "q=pistas&size=micro")
    awarded = _page(client, "q=pistas&status=awarded")
    ranged = _page(client, "q=pistas&value_min=50000")

    assert "Obra chica" in micro and "Obra grande" not in micro
    assert "Obra vieja" in awarded and "Obra chica" not in awarded
    assert "Obra grande" in ranged and "Obra chica" not in ranged
    assert "la mitad (50 %)" in micro  # the suitability rule is explained


def test_closing_sort_lists_soonest_deadline_first(client, make_opportunity):
    make_opportunity(title="Pintura tardía", deadline_at=NOW + timedelta(days=20))
    make_opportunity(title="Pintura urgente", deadline_at=NOW + timedelta(days=2))

    page = _page(client, "q=pintura&sort=closing")

    assert page.index("urgente") < page.index("tardía")


def test_bad_parameters_give_400_with_spanish_message(client):
    for query in ("sort=alphabetical", "per_page=0", "value_min=abc", "q=a%00"):
        response = client.get(f"/buscar?{query}")
        assert response.status_code == 400, query
        assert "No pudimos entender la búsqueda" in response.get_data(as_text=True)


def test_home_has_a_search_box_and_nav_links_to_search(client):
    page = client.get("/").get_data(as_text=True)

    assert 'action="/buscar"' in page
    assert 'href="/buscar"' in page and 'href="/planes/"' in page


def test_search_page_answers_in_english_too(client, make_opportunity):
    make_opportunity(title="Compra de cemento")

    response = client.get("/buscar?q=cemento&lang=en")

    assert response.status_code == 200
    assert '<html lang="en">' in response.get_data(as_text=True)


def _facet_link(query: str, label: str, count: int) -> str:
    return f'href="/buscar?{query}">{label}</a> <span class="count">({count})</span>'


def test_a_chosen_segment_offers_its_families_with_counts(client, make_opportunity):
    for code in ("81111800", "81111800", "81141500", "80121600"):
        make_opportunity(title="Servicio de soporte", classifications=(code,))

    segment_page = _page(client, "q=soporte&sector=81000000")

    assert "facet-family" not in _page(client, "q=soporte")
    assert _facet_link("q=soporte&amp;sector=81110000", "Familia 8111", 2) in segment_page
    assert _facet_link("q=soporte&amp;sector=81140000", "Familia 8114", 1) in segment_page
    assert "Familia 8012" not in segment_page
    assert "3 resultados" in segment_page


def test_a_chosen_family_narrows_keeps_its_siblings_and_survives_the_form(client, make_opportunity):
    for code in ("81111800", "81111800", "81141500"):
        make_opportunity(title="Servicio de soporte", classifications=(code,))

    family_page = _page(client, "q=soporte&sector=81110000")

    assert "2 resultados" in family_page
    assert _facet_link("q=soporte&amp;sector=81000000", "Familia 8111", 2) in family_page
    both = "q=soporte&amp;sector=81110000&amp;sector=81140000"
    assert _facet_link(both, "Familia 8114", 1) in family_page
    assert '<option value="81110000" selected>Familia 8111</option>' in family_page
