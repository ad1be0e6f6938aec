"""Paging through a search as a visitor does: back from page 2, and a link past the end."""


def _page(client, query: str) -> str:
    response = client.get(f"/buscar?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_page_two_of_the_default_search_links_back_to_page_one(client, make_opportunity):
    for index in range(21):  # 20 a page by default
        make_opportunity(title=f"Suministro de agua {index}")

    second = _page(client, "page=2")

    # page 1 of the default search has an empty query string: still a page to go back to
    assert '<a rel="prev" href="/buscar?">Anterior</a>' in second
    assert "Página 2 de 2" in second


def test_a_page_past_the_end_says_so_and_links_the_last_page(client, make_opportunity):
    for index in range(3):
        make_opportunity(title=f"Suministro de agua {index}")

    past = _page(client, "q=agua&per_page=2&page=9")

    assert "3 resultados" in past
    assert "No encontramos" not in past
    assert "La página 9 no existe: esta búsqueda tiene 2 páginas." in past
    assert 'href="/buscar?q=agua&amp;page=2&amp;per_page=2">Ir a la última página</a>' in past
