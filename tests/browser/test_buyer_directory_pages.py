"""/entidades/ and a detail page with its codes, in headless Chromium at 390 px and 1366 px:
nothing sticks out sideways, no console error, no axe-core violation; on a phone the list of
entities is cards that need no sideways scrolling, and its search box finds an entity typed
without accents."""

from datetime import timedelta

import pytest
from browser_pages import VIEWPORTS, Problems, accessibility_violations, sideways_overflow
from factories import NOW, create_buyer, create_opportunity

from portal.opportunities.models import OpportunityClassification

PHONE, LAPTOP = VIEWPORTS
LONG_BUYER = (
    "Municipalidad Distrital de San Juan de Lurigancho - Gerencia de Servicios a la Ciudad "
    "y Gestión Ambiental"
)
SCROLLING_INSIDE = """() => [...document.querySelectorAll('main *')].filter((element) =>
    element.scrollWidth > element.clientWidth + 1 && element.checkVisibility()
    && ['auto', 'scroll'].includes(getComputedStyle(element).overflowX))
  .map((element) => `${element.tagName.toLowerCase()}.${element.className}`)"""


@pytest.fixture
def directory_site(session) -> dict:
    """Forty entities (a long one among them, one with open calls) and a call with codes."""
    long_buyer = create_buyer(session, name=LONG_BUYER, acronym="MDSJL", ruc="20131705434")
    create_buyer(session, name="Gobierno Regional de Áncash", acronym="GRA")
    for number in range(38):
        create_buyer(session, name=f"Municipalidad Distrital de prueba número {number:02d}")
    call = create_opportunity(
        session,
        buyer=long_buyer,
        source_ref="AS-SM-219-2026-MVES-1",
        title="Adquisición de cemento portland para obras por administración directa",
        deadline_at=NOW + timedelta(days=5),
    )
    call.classifications = [
        OpportunityClassification(
            scheme="CUBSO",
            code="3011160100012345",
            description="CEMENTO PORTLAND TIPO I X 42.5 KG EN BOLSA DE PAPEL TRILAMINADO",
        ),
        OpportunityClassification(scheme="UNSPSC", code="30111601"),
        OpportunityClassification(scheme="UNSPSC", code="46181605"),
    ]
    session.commit()
    return {
        "list": "/entidades/",
        "search": "/entidades/?q=lurigancho",
        "second page": "/entidades/?pagina=2",
        "detail": f"/oportunidades/{call.id}",
    }


@pytest.fixture
def open_page(new_context, live_server):
    def make(viewport: dict):
        page = new_context().new_page()
        page.set_viewport_size(viewport)
        problems = Problems(live_server)
        problems.watch(page)
        return page, problems

    return make


@pytest.mark.parametrize("name", ["list", "search", "second page", "detail"])
def test_the_page_fits_both_widths_without_accessibility_violations(
    open_page, live_server, directory_site, screenshots, name
):
    failures = []
    for viewport in VIEWPORTS:
        page, problems = open_page(viewport)
        response = page.goto(live_server + directory_site[name], wait_until="load")
        found = [] if response.status == 200 else [f"answered {response.status}"]
        found += sideways_overflow(page)
        if viewport is PHONE:
            found += [f"scrolls sideways inside: {box}" for box in page.evaluate(SCROLLING_INSIDE)]
        found += accessibility_violations(page)
        found += problems.take()
        if found:
            shot = screenshots / f"{name.replace(' ', '_')}-{viewport['width']}.png"
            page.screenshot(path=str(shot), full_page=True)
            found.append(f"screenshot: {shot}")
        failures += [f"[{viewport['width']}px] {item}" for item in found]

    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda viewport: f"{viewport['width']}px")
def test_the_header_link_and_the_search_box_find_an_entity_typed_without_accents(
    open_page, live_server, directory_site, viewport
):
    page, problems = open_page(viewport)
    page.goto(live_server + "/")

    page.get_by_role("navigation", name="Navegación principal").get_by_role(
        "link", name="Entidades"
    ).click()
    page.get_by_label("Nombre, sigla o RUC").fill("ancash")
    page.get_by_role("button", name="Buscar").click()

    rows = page.locator("table.directory tbody tr")
    assert rows.count() == 1
    assert rows.first.get_by_role("link").inner_text() == "Gobierno Regional de Áncash"
    assert page.locator("p.directory-count").inner_text().startswith("1 entidad")
    assert problems.take() + sideways_overflow(page) == []


def test_a_phone_shows_each_entity_as_a_card_with_its_open_calls(
    open_page, live_server, directory_site
):
    page, problems = open_page(PHONE)
    page.goto(live_server + "/entidades/?q=lurigancho")

    row = page.locator("table.directory tbody tr").first
    cells = row.locator("td")
    boxes = [cells.nth(index).bounding_box() for index in range(cells.count())]

    assert all(box["width"] > 300 for box in boxes)  # stacked, one per line
    assert [box["y"] for box in boxes] == sorted(box["y"] for box in boxes)
    assert cells.nth(3).get_attribute("data-label") == "Convocatorias abiertas"
    assert cells.nth(3).get_by_role("link").inner_text() == "1"
    assert problems.take() == []
