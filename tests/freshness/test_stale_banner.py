"""The search pages (/buscar and the home page) warn when a major source is stale, and only then:
the same rule as /fuentes, for active sources marked major."""

from datetime import UTC, datetime, timedelta

import pytest
from freshness_factories import create_run, create_source, lima, visible_text

from portal.freshness.health import is_stale, stale_after
from scrapers.models import RunStatus

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
SEARCH_PAGES = ("/buscar", "/", "/buscar?q=agua&page=2", "/buscar?page=0")  # the last one a 400
WARNING = "puede faltar información reciente"


@pytest.fixture
def now():
    return datetime.now(UTC)


def banner(client, path: str) -> str:
    """The banner's text on the page at `path` ("" if none), and its link to /fuentes."""
    html = client.get(path).get_data(as_text=True)
    start = html.find('<div class="warning stale-sources"')
    if start < 0:
        return ""
    block = html[start : html.index("</div>", start)]
    assert 'href="/fuentes"' in block
    return visible_text(block)


@pytest.mark.parametrize("path", SEARCH_PAGES)
def test_a_stale_major_source_is_announced_on_the_search_pages(client, session, now, path):
    last = now - 2 * DAY
    create_source(session, "OECE datos abiertos", major=True, last_success_at=last)

    text = banner(client, path)

    assert text.startswith(
        f"La fuente OECE datos abiertos no se actualiza desde el {lima(last)}; {WARNING}."
    )


@pytest.mark.parametrize("path", SEARCH_PAGES)
def test_no_banner_for_a_stale_minor_source_or_a_fresh_major_one(client, session, now, path):
    create_source(session, "Municipalidad de Ate", last_success_at=now - 30 * DAY)
    create_source(session, "SEACE", major=True, last_success_at=now - 20 * HOUR)
    create_source(session, "Retirada", major=True, active=False, last_success_at=now - 30 * DAY)

    assert banner(client, path) == ""


def test_a_major_source_that_never_succeeded_is_announced_a_day_after_its_first_run(
    client, session, now
):
    failing = create_source(session, "PLACSP", major=True, consecutive_failures=2)
    create_run(session, failing, now - 26 * HOUR, RunStatus.FAILED, error="HTTP 500")
    create_run(session, failing, now - 2 * HOUR, RunStatus.FAILED, error="HTTP 500")
    create_source(session, "Recién agregada", major=True)  # no run yet: nothing to say

    text = banner(client, "/buscar")

    assert text.startswith(f"La fuente PLACSP todavía no se ha podido actualizar; {WARNING}.")
    assert "Recién agregada" not in text


def test_every_stale_major_source_is_named(client, session, now):
    for name in ("Fuente A", "Fuente B"):
        create_source(session, name, major=True, last_success_at=now - 3 * DAY)

    text = banner(client, "/")

    assert "La fuente Fuente A no se actualiza" in text
    assert "La fuente Fuente B no se actualiza" in text


@pytest.mark.parametrize(
    ("interval_minutes", "floor"),
    [(1, timedelta(hours=24)), (60, timedelta(hours=24)), (480, timedelta(hours=24))],
)
def test_stale_means_longer_than_a_day_for_sources_visited_often(interval_minutes, floor):
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)

    assert stale_after(interval_minutes) == floor
    assert not is_stale(now - floor, None, interval_minutes, now)
    assert is_stale(now - floor - timedelta(seconds=1), None, interval_minutes, now)


def test_stale_means_longer_than_three_intervals_for_sources_visited_seldom():
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    interval_minutes = 481  # three intervals: just over a day

    assert stale_after(interval_minutes) == timedelta(minutes=1443)
    assert not is_stale(now - timedelta(minutes=1443), None, interval_minutes, now)
    assert is_stale(now - timedelta(minutes=1443, seconds=1), None, interval_minutes, now)


def test_a_source_without_success_counts_from_its_first_run_and_waits_without_one():
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)

    assert is_stale(None, now - 25 * HOUR, 60, now)
    assert not is_stale(None, now - 23 * HOUR, 60, now)
    assert not is_stale(None, None, 60, now)
    assert not is_stale(now - HOUR, now - 400 * DAY, 60, now)  # the last success counts
