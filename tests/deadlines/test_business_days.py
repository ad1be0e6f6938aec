"""Business days as procurement law counts them, checked against dates worked out by hand on
the 2024-2026 calendars: from the day after the call, Monday to Friday, without Peru's
public holidays, on Lima dates."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.deadlines.business_days import (
    business_days_after,
    calendar_days_after,
    lima_date,
    weekday_holidays,
)

LIMA = ZoneInfo("America/Lima")


@pytest.mark.parametrize(
    ("published", "deadline", "expected"),
    [
        # Mon 2 Mar 2026 -> Fri 6 Mar: Tue, Wed, Thu, Fri; the call's own day never counts.
        (date(2026, 3, 2), date(2026, 3, 6), 4),
        # Fri 6 Mar -> Mon 9 Mar: the weekend gives nothing.
        (date(2026, 3, 6), date(2026, 3, 9), 1),
        # A Saturday deadline adds nothing to Tue-Fri.
        (date(2026, 3, 2), date(2026, 3, 7), 4),
        # Published on Saturday 7 Mar: counting starts on Monday 9; to Fri 13 is five.
        (date(2026, 3, 7), date(2026, 3, 13), 5),
        # Fiestas Patrias 2026: Thu 23 Jul (Air Force day), Tue 28 and Wed 29 are holidays;
        # Wed 22 -> Fri 31 leaves Fri 24, Mon 27, Thu 30, Fri 31.
        (date(2026, 7, 22), date(2026, 7, 31), 4),
        # Thu 8 Oct 2026 (Angamos): Mon 5 -> Fri 9 leaves Tue 6, Wed 7, Fri 9.
        (date(2026, 10, 5), date(2026, 10, 9), 3),
        # Fri 1 Nov 2024 (All Saints): Wed 30 Oct -> Mon 4 Nov leaves Thu 31 and Mon 4.
        (date(2024, 10, 30), date(2024, 11, 4), 2),
        # Tue 8 and Wed 9 Dec 2026 (Immaculate Conception, Ayacucho): Fri 4 -> Fri 11 leaves
        # Mon 7, Thu 10, Fri 11.
        (date(2026, 12, 4), date(2026, 12, 11), 3),
        # Christmas, Fri 25 Dec 2026: Mon 21 -> Tue 29 leaves 22, 23, 24, 28, 29.
        (date(2026, 12, 21), date(2026, 12, 29), 5),
        # Holy Thursday and Good Friday 2026 are 2 and 3 April (Easter on the 5th):
        # Mon 30 Mar -> Tue 7 Apr leaves Tue 31, Wed 1, Mon 6, Tue 7.
        (date(2026, 3, 30), date(2026, 4, 7), 4),
        # Holy week 2025 is 17-18 April: Wed 16 -> Mon 21 leaves only Mon 21.
        (date(2025, 4, 16), date(2025, 4, 21), 1),
        # Across the year: Wed 31 Dec 2025 -> Mon 5 Jan 2026; 1 January is a holiday.
        (date(2025, 12, 31), date(2026, 1, 5), 2),
        # Across a month: Thu 26 Feb -> Tue 3 Mar 2026 is Fri 27, Mon 2, Tue 3.
        (date(2026, 2, 26), date(2026, 3, 3), 3),
        # An LP called on Mon 6 Jul 2026 and closing on Wed 5 Aug: 30 calendar days, but July
        # gives 19 weekdays after the 6th less three holidays (16) and August three more.
        (date(2026, 7, 6), date(2026, 8, 5), 19),
        # Deadline on the call's day, or before it: nothing given.
        (date(2026, 3, 2), date(2026, 3, 2), 0),
        (date(2026, 3, 2), date(2026, 2, 27), 0),
    ],
)
def test_business_days_after_the_call(published, deadline, expected):
    assert business_days_after(published, deadline) == expected


def test_calendar_days_count_every_day_after_the_call():
    assert calendar_days_after(date(2026, 3, 2), date(2026, 3, 13)) == 11
    assert business_days_after(date(2026, 3, 2), date(2026, 3, 13)) == 9
    assert calendar_days_after(date(2026, 7, 22), date(2026, 7, 31)) == 9  # holidays count
    assert calendar_days_after(date(2026, 3, 2), date(2026, 3, 1)) == 0


def test_days_are_lima_dates_not_utc_dates():
    late_in_lima = datetime(2026, 3, 5, 23, 30, tzinfo=LIMA)  # Thursday in Lima
    assert late_in_lima.astimezone(UTC).date() == date(2026, 3, 6)  # already Friday in UTC
    assert lima_date(late_in_lima.astimezone(UTC)) == date(2026, 3, 5)
    published = lima_date(datetime(2026, 3, 2, 15, tzinfo=UTC))  # Monday 10:00 in Lima
    assert business_days_after(published, lima_date(late_in_lima.astimezone(UTC))) == 3


def test_the_holidays_come_from_the_library_and_only_weekdays_are_kept():
    days = weekday_holidays(2026)
    assert date(2026, 7, 28) in days and date(2026, 12, 25) in days
    assert date(2026, 11, 1) not in days  # a Sunday in 2026: already not a business day
    assert all(day.weekday() < 5 for day in days)
    assert list(days) == sorted(days)


def test_a_long_span_subtracts_each_years_holidays():
    """Two whole years: 2025 and 2026 have 261 weekdays each; the library's weekday holidays
    are taken away year by year."""
    start, end = date(2024, 12, 31), date(2026, 12, 31)
    weekdays = sum(
        (start + timedelta(days=n)).weekday() < 5 for n in range(1, (end - start).days + 1)
    )
    assert weekdays == 522
    holidays_2025_2026 = len(weekday_holidays(2025)) + len(weekday_holidays(2026))
    assert business_days_after(start, end) == weekdays - holidays_2025_2026
