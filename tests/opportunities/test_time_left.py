"""The time left to bid in words, by Lima's calendar: never "(0 días)" for tomorrow."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.opportunities.time_left import time_left_text

LIMA = ZoneInfo("America/Lima")
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 10:00 on 10 March in Lima (UTC-5)


@pytest.mark.parametrize(
    ("deadline", "words"),
    [
        (datetime(2026, 3, 10, 21, 30, tzinfo=UTC), "cierra hoy a las 16:30"),
        (datetime(2026, 3, 11, 4, 59, tzinfo=UTC), "cierra hoy a las 23:59"),  # still the 10th
        (datetime(2026, 3, 11, 9, 15, tzinfo=UTC), "cierra mañana a las 04:15"),
        (datetime(2026, 3, 12, 5, 0, tzinfo=UTC), "quedan 2 días"),
        (datetime(2026, 3, 13, 22, 0, tzinfo=UTC), "quedan 3 días"),
    ],
)
def test_words_follow_lima_calendar_days(app, deadline, words):
    with app.test_request_context():
        assert time_left_text(deadline, NOW) == words


def test_no_words_for_a_passed_or_missing_deadline(app):
    with app.test_request_context():
        assert time_left_text(datetime(2026, 3, 10, 14, 59, tzinfo=UTC), NOW) is None
        assert time_left_text(None, NOW) is None


def test_the_detail_page_says_closes_tomorrow(client, make_opportunity):
    tomorrow = datetime.now(LIMA) + timedelta(days=1)
    early = tomorrow.replace(hour=4, minute=15, second=0, microsecond=0).astimezone(UTC)
    opportunity = make_opportunity(title="Compra de cemento", deadline_at=early)

    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)

    assert "Presentación de ofertas: cierra mañana a las 04:15." in page
    assert "0 días" not in page
