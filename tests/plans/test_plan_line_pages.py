"""A PAC can hold 50,000 lines: its page shows them a page at a time, and a link to one line
opens the page that holds it."""

from factories import create_buyer, create_plan

from portal.plans.queries import LINES_PER_PAGE


def _rows(page: str) -> int:
    return page.count('<tr id="linea-')


def test_a_long_plan_is_shown_a_page_at_a_time(client, session):
    plan = create_plan(session, lines=LINES_PER_PAGE * 2 + 50)
    url = f"/planes/{plan.buyer_id}/{plan.fiscal_year}"

    first = client.get(url).text
    last = client.get(f"{url}?pagina=3").text

    assert _rows(first) == LINES_PER_PAGE and 'id="linea-1"' in first
    assert "Página 1 de 3" in first and 'rel="next"' in first
    assert _rows(last) == 50 and f'id="linea-{LINES_PER_PAGE * 2 + 50}"' in last
    assert 'rel="next"' not in last
    assert _rows(client.get(f"{url}?pagina=99").text) == 50  # past the end: the last page


def test_a_link_to_a_line_opens_the_page_that_holds_it(client, session):
    plan = create_plan(session, lines=LINES_PER_PAGE * 2 + 50)
    reference = str(LINES_PER_PAGE + 7)

    page = client.get(f"/planes/{plan.buyer_id}/{plan.fiscal_year}?linea={reference}").text

    assert f'id="linea-{reference}"' in page and "Página 2 de 3" in page


def test_an_unknown_line_or_a_bad_page_number(client, session):
    plan = create_plan(session, lines=3)
    url = f"/planes/{plan.buyer_id}/{plan.fiscal_year}"

    assert _rows(client.get(f"{url}?linea=no-existe").text) == 3
    response = client.get(f"{url}?pagina=dos")
    assert response.status_code == 400 and "número de página" in response.text


def test_the_buyer_page_shows_the_first_lines_and_links_to_the_whole_plan(client, session):
    buyer = create_buyer(session)
    create_plan(session, buyer=buyer, lines=45)

    page = client.get(f"/entidades/{buyer.id}").text

    assert _rows(page) == 20
    assert "Ver todas las líneas del plan" in page
