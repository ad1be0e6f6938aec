"""Closing "en los próximos 0 días" means closing today, on the Lima date: the same in the
search (page, API, feeds) and in the alert matcher, which share portal.search.rules."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.match_engine import document_batch, match, subscription_index
from portal.search.documents import opportunity_documents
from portal.search.params import SearchParams, parse_search_args
from portal.search.query import search

LIMA = ZoneInfo("America/Lima")
# 22:00 in Lima is 03:00 UTC of the next day: a UTC date would call tomorrow "today".
LATE_EVENING = datetime(2026, 3, 10, 22, 0, tzinfo=LIMA)


@pytest.fixture
def deadlines(make_opportunity) -> dict[str, int]:
    def closing(hours: float) -> int:
        return make_opportunity(deadline_at=LATE_EVENING + timedelta(hours=hours)).id

    return {
        "tonight": closing(1.5),  # 23:30, still today in Lima
        "last_minute": closing(2 - 1 / 3600),  # 23:59:59
        "after_midnight": closing(2.5),  # 00:30 tomorrow, though within three hours
        "passed": closing(-1),  # 21:00 today, already passed
        "next_week": closing(24 * 7),
    }


def _searched(days: int) -> set[int]:
    params = SearchParams(closing_within_days=days, statuses=(), kinds=("opportunity",))
    return {hit.id for hit in search(params, LATE_EVENING).hits}


def test_zero_days_is_what_still_closes_today_in_lima(deadlines):
    assert _searched(0) == {deadlines["tonight"], deadlines["last_minute"]}


def test_one_day_reaches_past_midnight_as_before(deadlines):
    assert _searched(1) == {
        deadlines["tonight"],
        deadlines["last_minute"],
        deadlines["after_midnight"],
    }


def test_an_alert_for_closing_today_matches_what_its_search_shows(session, deadlines):
    searches = [SearchParams(closing_within_days=days, statuses=()) for days in (0, 1, 7)]
    batch = document_batch(list(opportunity_documents(session, deadlines.values())))

    subscriptions, documents = match(
        subscription_index(searches, {}), batch, LATE_EVENING.timestamp()
    )

    for row, days in enumerate((0, 1, 7)):
        matched = {
            int(batch.keys[int(document)].split(":")[1])
            for subscription, document in zip(subscriptions, documents, strict=True)
            if subscription == row
        }
        assert matched == _searched(days), days


def test_zero_is_a_valid_value_kept_in_links_and_in_the_form(client):
    params = parse_search_args({"closing_within": "0"})

    assert params.closing_within_days == 0
    assert ("closing_within", "0") in params.to_query_args()
    page = client.get("/buscar?closing_within=0").get_data(as_text=True)
    assert 'name="closing_within" inputmode="numeric" size="4" value="0"' in page
