"""Every public page in headless Chromium at 390 px and 1366 px: nothing sticks out sideways,
no console error (CSP violations are console errors), and axe-core finds no accessibility
violation. On a phone the search page shows its first result on the first screen, with the
filters folded behind "Filtros"; the plan tables there are cards that need no sideways scrolling
of their own. The data is as long as real data gets, and a major source is stale (its banner
takes room on the search page too)."""

from datetime import UTC, datetime, timedelta

import pytest
from browser_pages import VIEWPORTS, Problems, accessibility_violations, sideways_overflow
from factories import NOW, create_buyer, create_opportunity, create_plan

from portal.db import db
from portal.statistics.snapshot import take_snapshot
from scrapers.models import Source, SourceKind

LONG_BUYER = (
    "Municipalidad Distrital de San Juan de Lurigancho - Gerencia de Servicios a la Ciudad "
    "y Gestión Ambiental"
)
LONG_TITLE = (
    "Adquisición de agua potable en cisternas para el abastecimiento de los asentamientos "
    "humanos de la zona alta del distrito, lote {number}"
)
PHONE, LAPTOP = VIEWPORTS
MISSING = "/convocatorias-que-no-existen"

PUBLIC_PAGES = (
    "/",
    "/buscar?q=agua",
    "opportunity",
    "/planes/",
    "plan",
    "plan changes",
    "buyer",
    "/fuentes",
    "/estadisticas",
    "/ingresar",
    "/registro",
    MISSING,
)
# Pages whose tables became cards on phones: not even a table may scroll sideways there.
CARD_PAGES = ("/planes/", "plan", "plan changes", "buyer")

# Elements that scroll sideways inside the page (a table in a scrolling box), as "tag.class
# content-width/box-width".
SCROLLING_INSIDE = """() => [...document.querySelectorAll('main *')].filter((element) =>
    element.scrollWidth > element.clientWidth + 1 && element.checkVisibility()
    && ['auto', 'scroll'].includes(getComputedStyle(element).overflowX))
  .map((element) => `${element.tagName.toLowerCase()}.${element.className} `
    + `${element.scrollWidth}/${element.clientWidth}px`)"""

# Where the top of an element is in the page, in CSS pixels from the top of the document.
PAGE_TOP = "(element) => element.getBoundingClientRect().top + window.scrollY"


@pytest.fixture
def public_site(session) -> dict:
    """Open calls worth a page of results, a plan amended once, a statistics snapshot, and a
    stale major source."""
    buyer = create_buyer(session, name=LONG_BUYER, ruc="20131705434")
    calls = [
        create_opportunity(
            session,
            buyer=buyer,
            title=LONG_TITLE.format(number=number),
            description=LONG_TITLE.format(number=number) * 2,
            deadline_at=NOW + timedelta(days=number % 9 + 1),
        )
        for number in range(1, 26)
    ]
    plan = create_plan(session, buyer=buyer, lines=6)
    amended = create_plan(session, buyer=buyer, lines=9, version=2)
    amended.lines[0].description = LONG_TITLE.format(number=1)
    session.add(
        Source(
            key="oece", name="Portal de Contrataciones Abiertas del OECE", kind=SourceKind.OCDS,
            major=True, last_success_at=datetime.now(UTC) - timedelta(days=4),
        )
    )  # fmt: skip
    session.commit()
    take_snapshot(db.engine, NOW, -300)
    return {
        "opportunity": f"/oportunidades/{calls[0].id}",
        "plan": f"/planes/{buyer.id}/{plan.fiscal_year}",
        "plan changes": f"/planes/{buyer.id}/{plan.fiscal_year}/cambios",
        "buyer": f"/entidades/{buyer.id}",
    }


@pytest.fixture
def phone_page(new_context, live_server):
    """page(viewport) -> a fresh page at that size, and the Problems it reports."""

    def make(viewport: dict):
        page = new_context().new_page()
        page.set_viewport_size(viewport)
        problems = Problems(live_server)
        problems.watch(page)
        return page, problems

    return make


def expected(path: str, problems: list[str]) -> list[str]:
    """The problems of a page, less the 404 that a missing page's own answer is."""
    if path != MISSING:
        return problems
    return [problem for problem in problems if not (MISSING in problem and "404" in problem)]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_fits_and_has_no_accessibility_violations(
    phone_page, live_server, public_site, screenshots, name
):
    path = public_site.get(name, name)
    failures = []
    for viewport in VIEWPORTS:
        page, problems = phone_page(viewport)
        response = page.goto(live_server + path, wait_until="load")
        status = 404 if path == MISSING else 200
        found = [] if response.status == status else [f"answered {response.status}"]
        found += sideways_overflow(page)
        if viewport is PHONE and name in CARD_PAGES:
            found += [f"scrolls sideways inside: {box}" for box in page.evaluate(SCROLLING_INSIDE)]
        found += accessibility_violations(page)
        found += expected(path, problems.take())
        if found:
            shot = screenshots / f"{name.strip('/').replace('/', '_') or 'inicio'}.png"
            page.screenshot(path=str(shot), full_page=True)
            found.append(f"screenshot: {shot}")
        failures += [f"[{viewport['width']}px] {item}" for item in found]

    assert not failures, "\n".join(failures)


def test_a_phone_shows_search_results_first_with_the_filters_folded(
    phone_page, live_server, public_site
):
    page, problems = phone_page(PHONE)
    page.goto(f"{live_server}/buscar?q=agua")
    first_result = page.locator(".search-results > li").first
    sector = page.locator("select[name=sector]")

    assert page.locator(".stale-sources").is_visible()
    assert first_result.evaluate(PAGE_TOP) + 40 < PHONE["height"]  # its title shows
    assert not sector.is_visible()
    assert page.locator(".facets").evaluate(PAGE_TOP) > first_result.evaluate(PAGE_TOP)

    page.locator("summary", has_text="Filtros").click()

    assert sector.is_visible()
    assert page.get_by_role("group", name="Estado").is_visible()
    assert problems.take() + sideways_overflow(page) == []


def test_a_laptop_shows_the_filters_open_and_the_facets_beside_the_results(
    phone_page, live_server, public_site
):
    page, problems = phone_page(LAPTOP)
    page.goto(f"{live_server}/buscar?q=agua")
    facets = page.locator(".facets").bounding_box()
    results = page.locator(".results").bounding_box()

    assert page.locator("select[name=sector]").is_visible()
    assert not page.locator(".filters-panel > summary").is_visible()
    assert facets["x"] + facets["width"] <= results["x"]
    assert facets["y"] == results["y"]
    statuses = page.get_by_role("group", name="Estado").get_by_role("checkbox")
    assert statuses.count() == 6
    assert problems.take() == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda viewport: f"{viewport['width']}px")
def test_the_first_tab_offers_to_skip_to_the_content(phone_page, live_server, viewport):
    page, problems = phone_page(viewport)
    page.goto(f"{live_server}/buscar")

    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Saltar al contenido"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"]

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")

    assert page.url.endswith("#content")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert problems.take() == []
