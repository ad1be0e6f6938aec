import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scrapers.dates import to_utc

LIMA = ZoneInfo("America/Lima")


def test_iso_with_offset_is_converted_to_utc():
    assert to_utc("2015-12-22T00:00:00-06:00", LIMA) == datetime(2015, 12, 22, 6, tzinfo=UTC)


def test_iso_with_z_and_microseconds():
    assert to_utc("2016-07-05T00:00:00.000000Z", LIMA) == datetime(2016, 7, 5, tzinfo=UTC)


def test_naive_iso_is_read_in_the_source_zone():
    assert to_utc("2026-07-23T13:00:00", ZoneInfo("Europe/Madrid")) == datetime(
        2026, 7, 23, 11, tzinfo=UTC
    )


def test_seace_day_first_with_time_is_lima_time():
    assert to_utc("28/01/2026 15:09", LIMA) == datetime(2026, 1, 28, 20, 9, tzinfo=UTC)


def test_day_first_without_time_is_lima_midnight():
    assert to_utc("05/02/2026", LIMA) == datetime(2026, 2, 5, 5, tzinfo=UTC)


def test_rfc822_from_feeds():
    assert to_utc("Tue, 03 Feb 2026 10:00:00 GMT", LIMA) == datetime(2026, 2, 3, 10, tzinfo=UTC)


def test_feedparser_struct_time_is_utc():
    assert to_utc(time.struct_time((2026, 6, 21, 2, 0, 54, 6, 172, 0)), LIMA) == datetime(
        2026, 6, 21, 2, 0, 54, tzinfo=UTC
    )


def test_result_is_always_aware():
    assert to_utc("2026-01-01", LIMA).tzinfo is UTC


@pytest.mark.parametrize("value", [None, "", "mañana", "31/02/2026", "99/99/9999 10:00"])
def test_unreadable_dates_are_none(value):
    assert to_utc(value, LIMA) is None


def test_rfc822_without_zone_is_read_in_the_source_zone():
    assert to_utc("Tue, 03 Feb 2026 10:00:00", LIMA) == datetime(2026, 2, 3, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected_hour"),
    [("Tue, 03 Feb 2026 10:00:00 +01:00", 9), ("Tue, 03 Feb 2026 10:00:00 -05:00", 15)],
)
def test_rfc822_offset_written_with_a_colon_is_honoured(text, expected_hour):
    assert to_utc(text, LIMA) == datetime(2026, 2, 3, expected_hour, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["Tue, 03 Feb 2026 10:00:00 -0000", "Tue, 03 Feb 2026 10:00 -00:00"]
)
def test_rfc822_minus_zero_offset_is_utc_not_the_source_zone(text):
    assert to_utc(text, LIMA) == datetime(2026, 2, 3, 10, tzinfo=UTC)
