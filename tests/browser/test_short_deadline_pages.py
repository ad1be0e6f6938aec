"""The short-deadline warning, the search filter and the administrators' page in headless
Chromium at 390 px and 1366 px: the warning visible, no console error, no sideways scroll."""

import pytest
from account_factories import PASSWORD, create_account
from browser_pages import VIEWPORTS, Problems, check_page, sign_in
from factories import create_buyer, create_opportunity

from portal.accounts.models import Role

LONG_TITLE = (
    "Adquisición de kits de útiles escolares para las instituciones educativas públicas del "
    "ámbito de la Unidad de Gestión Educativa Local AS-SM-0042-2026-UGEL-CHUCUITO-JULI-1"
)
SHORT = {
    "procedure_type_code": "AS",
    "minimum_days": 6,
    "minimum_day_kind": "business",
    "minimum_basis": "legal",
    "given_days": 4,
    "short_deadline": True,
}


@pytest.fixture
def short_call(session):
    buyer = create_buyer(
        session, name="Unidad de Gestión Educativa Local de Chucuito - Juli, Puno " * 2
    )
    return create_opportunity(session, buyer=buyer, title=LONG_TITLE, **SHORT)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda viewport: f"{viewport['width']}px")
def test_the_warning_shows_and_fits(new_context, live_server, short_call, screenshots, viewport):
    page = new_context().new_page()
    problems = Problems(live_server)
    problems.watch(page)
    page.set_viewport_size(viewport)
    page.goto(f"{live_server}/oportunidades/{short_call.id}")

    warning = page.locator("p.warning.short-deadline")
    assert warning.is_visible()
    assert "Plazo legal mínimo: 6 días hábiles; esta convocatoria da 4." in warning.inner_text()
    page.screenshot(path=str(screenshots / f"plazo-corto-{viewport['width']}.png"), full_page=True)
    failures = check_page(page, problems, f"{live_server}/oportunidades/{short_call.id}")
    assert not failures, "\n".join(failures)


def test_search_with_the_filter_works_in_a_browser(
    new_context, live_server, short_call, screenshots
):
    page = new_context().new_page()
    problems = Problems(live_server)
    problems.watch(page)

    url = f"{live_server}/buscar?q=escolares&deadline_check=short"
    failures = check_page(page, problems, url, screenshots)

    assert not failures, "\n".join(failures)
    assert (
        page.locator(".short-deadline-badge")
        .first.inner_text()
        .endswith("Plazo corto: 4 de 6 días hábiles")
    )


def test_the_administrators_page_works_in_a_browser(new_context, live_server, session, screenshots):
    admin = create_account(session, role=Role.ADMIN)
    page = new_context().new_page()
    problems = Problems(live_server)
    problems.watch(page)
    assert sign_in(page, live_server, admin.email, PASSWORD) == []
    problems.take()

    failures = check_page(page, problems, f"{live_server}/admin/plazos", screenshots)
    assert not failures, "\n".join(failures)

    page.get_by_label("Plazo mínimo para procedimientos sin plazo legal (días hábiles)").fill("5")
    with page.expect_navigation():
        page.get_by_role("button", name="Guardar y recalcular").click()
    assert "Plazo guardado." in page.inner_text("body")
    assert not problems.take()
