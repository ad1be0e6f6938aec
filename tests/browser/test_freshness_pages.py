"""/fuentes and the stale-source banner of the search pages in headless Chromium, at 390 px and
1366 px: no console error (CSP violations are console errors), no failed request, no sideways
scrolling, with names and errors as long as real ones get."""

from datetime import UTC, datetime, timedelta

import pytest
from browser_pages import VIEWPORTS, Problems, check_page
from factories import create_opportunity

from scrapers.models import RunStatus, ScrapeRun, Source, SourceKind

LONG_NAME = (
    "Portal de Contrataciones Abiertas del OECE (Organismo Especializado para las "
    "Contrataciones Públicas Eficientes) - releasesAfter"
)
PAGES = ("/fuentes", "/buscar", "/buscar?q=agua", "/")


@pytest.fixture
def sources(session) -> None:
    """A stale major source (the banner), a failing one, a healthy one with notices, a new one."""
    now = datetime.now(UTC)
    stale = Source(
        key="oece", name=LONG_NAME, kind=SourceKind.OCDS, major=True,
        last_success_at=now - timedelta(days=4), consecutive_failures=12,
    )  # fmt: skip
    failing = Source(
        key="seace", name="SEACE - Buscador público de procedimientos de selección",
        kind=SourceKind.HTML, last_success_at=now - timedelta(hours=5), consecutive_failures=2,
    )  # fmt: skip
    healthy = Source(
        key="placsp", name="Plataforma de Contratación del Sector Público (PLACSP)",
        kind=SourceKind.FEED, interval_minutes=30, last_success_at=now - timedelta(minutes=20),
    )  # fmt: skip
    waiting = Source(key="nueva", name="Fuente recién agregada", kind=SourceKind.FEED)
    session.add_all([stale, failing, healthy, waiting])
    session.flush()
    error = "https://" + "a" * 300 + ".gob.pe/listado?pagina=2: HTTP 503 tras 3 intentos"
    for source in (stale, failing):
        session.add(
            ScrapeRun(
                source_id=source.id, started_at=now - timedelta(hours=1),
                status=RunStatus.FAILED, error=error,
            )
        )  # fmt: skip
    session.commit()
    for hours in range(1, 40):
        create_opportunity(
            session,
            source_id=healthy.id,
            title=f"Adquisición de agua en cisternas, lote {hours}",
            first_seen_at=now - timedelta(hours=hours),
            published_at=now - timedelta(hours=hours + 3),
        )


@pytest.mark.parametrize("path", PAGES)
def test_freshness_page_and_banner_work_in_a_browser(
    new_context, live_server, sources, screenshots, path
):
    page = new_context().new_page()
    problems = Problems(live_server)
    problems.watch(page)

    failures = check_page(page, problems, live_server + path, screenshots)

    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda viewport: f"{viewport['width']}px")
def test_search_page_shows_the_banner_with_its_link(
    new_context, live_server, sources, screenshots, viewport
):
    page = new_context().new_page()
    page.set_viewport_size(viewport)
    page.goto(f"{live_server}/buscar")
    page.screenshot(path=str(screenshots / f"buscar-{viewport['width']}.png"), full_page=True)

    banner = page.locator(".stale-sources")
    assert banner.is_visible()
    assert f"La fuente {LONG_NAME} no se actualiza desde el" in banner.inner_text()
    with page.expect_navigation():
        banner.get_by_role("link").click()
    assert page.url == f"{live_server}/fuentes"
    assert page.get_by_role("table").locator("caption").is_visible()
    stale_row = page.locator("tbody tr", has_text=LONG_NAME)
    assert stale_row.is_visible()
    assert "Desactualizada" in stale_row.inner_text()
    page.screenshot(path=str(screenshots / f"fuentes-{viewport['width']}.png"), full_page=True)
