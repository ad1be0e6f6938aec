"""/fuentes: each active source's last success (Lima time and "hace…"), notices first seen in
the last 30 days, median delay from publication to first sight over 90 days, and health."""

import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from freshness_factories import (
    create_notice,
    create_run,
    create_source,
    lima,
    row_text,
    visible_text,
)

from portal.freshness.queries import median_delay_days, recent_notice_counts
from scrapers.fetch import Fetcher, FetchSettings, HostRegistry
from scrapers.models import RunStatus
from scrapers.pipeline import run_source

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def now():
    """The time the page will be asked at, give or take the test's own run."""
    return datetime.now(UTC)


def test_counts_only_notices_first_seen_in_the_last_30_days(session, now):
    feed, other = create_source(session, "SEACE"), create_source(session, "OECE")
    for first_seen in (now - HOUR, now - 29 * DAY, now - 31 * DAY):
        create_notice(session, feed, first_seen, delay=HOUR)
    create_notice(session, feed, now - 2 * DAY, delay=None)  # no publication date: counted
    create_notice(session, other, now - 40 * DAY, delay=HOUR)

    counts = recent_notice_counts(session, now - 30 * DAY)

    assert counts == {feed.id: 3}


def test_typical_delay_is_the_median_over_90_days_of_dated_notices(session, now):
    odd, even = create_source(session, "Impar"), create_source(session, "Par")
    for hours in (10, 1, 2):
        create_notice(session, odd, now - 5 * DAY, delay=hours * HOUR)
    for hours in (30, 2, 10, 4):  # median (4 + 10) / 2 = 7 hours
        create_notice(session, even, now - 60 * DAY, delay=hours * HOUR)
    create_notice(session, even, now - DAY, delay=None)  # undated: not measured
    create_notice(session, even, now - 91 * DAY, delay=900 * HOUR)  # before the window

    medians = median_delay_days(session, now - 90 * DAY)

    assert medians.keys() == {odd.id, even.id}
    assert medians[odd.id] * 24 == pytest.approx(2)
    assert medians[even.id] * 24 == pytest.approx(7)


def test_page_shows_each_active_source_with_its_figures(client, session, now):
    seace = create_source(session, "SEACE convocatorias", last_success_at=now - 3 * HOUR)
    create_run(session, seace, now - 3 * HOUR, RunStatus.SUCCEEDED)
    for hours in (6, 8, 50, 70):
        create_notice(session, seace, now - 2 * DAY, delay=hours * HOUR)
    daily = create_source(
        session, "Plan anual", interval_minutes=1440, last_success_at=now - 2 * DAY
    )
    create_notice(session, daily, now - 2 * DAY, delay=3 * DAY)
    create_source(session, "Fuente retirada", active=False, last_success_at=now - 90 * DAY)

    response = client.get("/fuentes")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert row_text(html, "SEACE convocatorias") == (
        f"SEACE convocatorias {lima(now - 3 * HOUR)} (hace 3 horas) 4 29 horas Al día"
    )
    assert (
        row_text(html, "Plan anual")
        == f"Plan anual {lima(now - 2 * DAY)} (hace 2 días) 1 3 días Al día"
    )
    assert "Fuente retirada" not in html


def test_a_source_without_dated_notices_says_sin_datos(client, session, now):
    create_source(session, "Feed sin fechas", last_success_at=now - HOUR)

    html = client.get("/fuentes").get_data(as_text=True)

    assert "(hace 1 hora) 0 sin datos Al día" in row_text(html, "Feed sin fechas")


@pytest.mark.parametrize(
    ("interval_minutes", "since_success", "stale"),
    [
        (60, 24 * HOUR - timedelta(minutes=1), False),  # hourly: a day at least
        (60, 24 * HOUR + timedelta(minutes=1), True),
        (1440, 3 * DAY - timedelta(minutes=1), False),  # daily: three intervals
        (1440, 3 * DAY + timedelta(minutes=1), True),
    ],
)
def test_a_source_is_stale_after_three_intervals_and_at_least_a_day(
    client, session, interval_minutes, since_success, stale, now
):
    create_source(
        session, "Fuente", interval_minutes=interval_minutes, last_success_at=now - since_success
    )

    row = row_text(client.get("/fuentes").get_data(as_text=True), "Fuente")

    assert ("Desactualizada" in row) is stale
    assert ("Al día" in row) is not stale


def test_a_stale_source_says_how_long_it_may_go_without_success(client, session, now):
    create_source(session, "Semanal", interval_minutes=2 * 1440, last_success_at=now - 8 * DAY)

    row = row_text(client.get("/fuentes").get_data(as_text=True), "Semanal")

    assert row.endswith("Desactualizada más de 6 días sin recolectarse con éxito")


def test_a_source_that_never_succeeded_is_stale_a_day_after_its_first_run(client, session, now):
    old = create_source(session, "Antigua", consecutive_failures=30)
    create_run(session, old, now - 25 * HOUR, RunStatus.FAILED, error="x: HTTP 500")
    create_run(session, old, now - HOUR, RunStatus.FAILED, error="x: HTTP 502")
    recent = create_source(session, "Reciente", consecutive_failures=1)
    create_run(session, recent, now - HOUR, RunStatus.FAILED, error="x: HTTP 500")
    create_source(session, "Nueva")  # not run yet

    html = client.get("/fuentes").get_data(as_text=True)

    assert row_text(html, "Antigua") == (
        "Antigua nunca 0 sin datos Desactualizada más de 24 horas sin recolectarse con éxito "
        "Fallaron las últimas 30 recolecciones. "
        "Último error: el sitio de la fuente tuvo una falla (HTTP 502)."
    )
    assert "Con fallas" in row_text(html, "Reciente")
    assert row_text(html, "Nueva") == "Nueva nunca 0 sin datos Todavía sin recolectar"


class _Unavailable(BaseHTTPRequestHandler):
    """Every path answers 503, robots.txt too (which the fetcher reads as "keep out")."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def unavailable_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_failing_source_tells_its_runs_and_last_error_in_plain_words(
    app, client, session, unavailable_site, now
):
    """The errors the pipeline really records, of a missing local file and a site that answers
    503, told without the address or the file's path."""
    missing = create_source(
        session,
        "Archivo local",
        url=f"file://{app.instance_path}/no-existe.xml",
        last_success_at=now - 2 * HOUR,
    )
    down = create_source(session, "Portal caído", url=f"{unavailable_site}/feed.xml")
    settings = FetchSettings(
        user_agent="ComprasMYPE-test/1.0",
        attempts=1,
        min_interval=0.0,
        local_sources_dirs=(Path(app.instance_path),),
    )
    with Fetcher(settings, HostRegistry()) as fetcher:
        for _ in range(2):
            run_source(session, missing, now - HOUR, fetcher)
        run_source(session, down, now - HOUR, fetcher)

    html = client.get("/fuentes").get_data(as_text=True)

    assert row_text(html, "Archivo local").endswith(
        "Con fallas Fallaron las últimas 2 recolecciones. "
        "Último error: no se encontró el archivo de la fuente."
    )
    assert row_text(html, "Portal caído").endswith(
        "Con fallas Falló la última recolección: el sitio de la fuente tuvo una falla (HTTP 503)."
    )
    assert "no-existe.xml" not in html and "127.0.0.1" not in html


def test_page_works_with_no_sources(client):
    response = client.get("/fuentes")

    assert response.status_code == 200
    assert "Todavía no hay fuentes activas." in visible_text(response.get_data(as_text=True))


def test_every_page_links_to_the_freshness_page(client):
    html = client.get("/").get_data(as_text=True)

    assert 'href="/fuentes"' in html
