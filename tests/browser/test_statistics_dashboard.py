"""The statistics dashboards in headless Chromium, at 390 px and 1366 px: every chart image
loads (an SVG with its own policy, under the pages' strict one), no console error (CSP
violations are console errors), no failed request, no sideways scrolling. A full-page
screenshot of each is kept: under $PORTAL_TEST_ARTEFACTS when set, else in the test's
temporary folder (pytest keeps the last runs under its basetemp)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from account_factories import PASSWORD, create_account
from browser_pages import VIEWPORTS, Problems, open_page, sideways_overflow, sign_in
from factories import NOW, create_buyer, create_opportunity

from notifications.models import AlertDelivery, DeliveryKind, DeliveryStatus
from portal.accounts.models import Role
from portal.db import db
from portal.statistics.snapshot import take_snapshot

# every chart drawn, and how many images it takes
CHARTS_LOADED = """() => [...document.querySelectorAll('img.statistics-chart')].map(
  (image) => [image.getAttribute('src'), image.complete && image.naturalWidth > 0])"""


@pytest.fixture
def statistics_site(session) -> dict:
    """Calls over the last months in two regions, some below their minimum, alerts of them,
    a snapshot taken, and one more call after it (counted live)."""
    buyers = [
        create_buyer(
            session,
            name="Municipalidad Distrital de San Juan de Lurigancho - Gerencia de Servicios a "
            "la Ciudad y Gestión Ambiental",
        ),
        create_buyer(session, name="Gobierno Regional de Cusco", region_code="08"),
    ]
    sme = create_account(session, email="ventas@textiles-cusco.pe")
    for number in range(24):
        published = NOW - timedelta(days=8 * number + 1)
        call = create_opportunity(
            session,
            buyer=buyers[number % 2],
            region_code=buyers[number % 2].region_code,
            procedure_type_code=("AS", "LP", "SIE")[number % 3],
            published_at=published,
            first_seen_at=published + timedelta(hours=number % 5),
            deadline_at=published + timedelta(days=4 + number % 15, hours=3),
            minimum_days=6,
            minimum_day_kind="business",
            minimum_basis="legal",
            given_days=3 + number % 12,
            short_deadline=3 + number % 12 < 6,
            classifications=(("43211500",), ("72101500",), ("42131600",))[number % 3],
        )
        session.add(
            AlertDelivery(
                user_id=sme.id,
                kind=DeliveryKind.MATCH,
                dedup_key=f"opportunity:{call.id}",
                opportunity_id=call.id,
                status=DeliveryStatus.SENT,
                sent_at=published + timedelta(hours=6),
                deadline_at_notice=call.deadline_at,
            )
        )
    session.commit()
    take_snapshot(db.engine, NOW, -300)
    create_opportunity(session, buyer=buyers[0], published_at=NOW - timedelta(hours=2))
    admin = create_account(session, role=Role.ADMIN, email="admin@compras-mype.pe")
    return {"admin": admin.email}


@pytest.fixture
def artefacts(tmp_path) -> Path:
    folder = Path(os.environ.get("PORTAL_TEST_ARTEFACTS") or tmp_path) / "statistics"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize(
    ("path", "as_admin"),
    [
        ("/estadisticas", False),
        ("/admin/estadisticas", True),
        ("/admin/estadisticas?por=buyer", True),
    ],
    ids=["public", "admin", "admin-by-entity"],
)
def test_the_dashboard_draws_its_charts_in_a_browser(
    new_context, live_server, statistics_site, artefacts, path, as_admin
):
    page = new_context().new_page()
    problems = Problems(live_server)
    problems.watch(page)
    failures = []
    if as_admin:
        failures += sign_in(page, live_server, statistics_site["admin"], PASSWORD)
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        found = open_page(page, problems, live_server + path)
        page.wait_for_load_state("networkidle")
        charts = page.evaluate(CHARTS_LOADED)
        found += [f"chart not drawn: {src}" for src, drawn in charts if not drawn]
        found += sideways_overflow(page) + problems.take()
        name = path.strip("/").replace("/", "_").replace("?", "-").replace("=", "-")
        shot = artefacts / f"{name}-{viewport['width']}.png"
        page.screenshot(path=str(shot), full_page=True)
        failures += [f"[{viewport['width']}px] {item}" for item in found]
        assert len(charts) >= (6 if as_admin else 5), charts
        assert shot.stat().st_size > 10_000
    print(f"screenshots in {artefacts}")
    assert not failures, "\n".join(failures)
