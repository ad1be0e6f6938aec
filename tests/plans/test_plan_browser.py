from factories import NOW


def test_plan_index_lists_latest_version_per_entity_and_filters_by_year_and_region(
    client, make_buyer, make_plan
):
    lima = make_buyer(name="Ministerio en Lima", region_code="15")
    cusco = make_buyer(name="Municipalidad del Cusco", region_code="08")
    make_plan(buyer=lima, version=1)
    make_plan(buyer=lima, version=2, lines=5)
    make_plan(buyer=cusco, fiscal_year=NOW.year - 1)

    everything = client.get("/planes/").get_data(as_text=True)
    this_year = client.get(f"/planes/?year={NOW.year}").get_data(as_text=True)
    in_cusco = client.get("/planes/?region=08").get_data(as_text=True)

    assert "Ministerio en Lima" in everything and "Municipalidad del Cusco" in everything
    assert everything.count("Ministerio en Lima") == 1
    assert 'data-label="Líneas">5</td>' in everything
    assert "Municipalidad del Cusco" not in this_year
    assert "Ministerio en Lima" not in in_cusco


def test_plan_page_shows_latest_version_and_older_on_request(client, make_buyer, make_plan):
    buyer = make_buyer()
    make_plan(buyer=buyer, version=1, lines=1)
    make_plan(buyer=buyer, version=2, lines=2)

    latest = client.get(f"/planes/{buyer.id}/{NOW.year}").get_data(as_text=True)
    first = client.get(f"/planes/{buyer.id}/{NOW.year}?version=1").get_data(as_text=True)

    assert "Versión 2" in latest and "Compra planificada 2" in latest
    assert f'href="/planes/{buyer.id}/{NOW.year}?version=1"' in latest
    assert "Versión 1" in first and "Compra planificada 2" not in first


def test_missing_plan_or_version_is_404(client, make_plan):
    plan = make_plan()
    assert client.get(f"/planes/{plan.buyer_id}/1999").status_code == 404
    assert client.get(f"/planes/{plan.buyer_id}/{plan.fiscal_year}?version=9").status_code == 404


def test_impossible_year_filter_is_400_not_500(client):
    assert client.get("/planes/?year=99999999999").status_code == 400


def test_a_region_that_is_not_a_department_code_is_400_not_500(client):
    for region in ("%00", "1", "abc", "%D9%A1%D9%A5"):  # the last: Arabic-Indic "15"
        assert client.get(f"/planes/?region={region}").status_code == 400, region
    assert client.get("/planes/?region=").status_code == 200
