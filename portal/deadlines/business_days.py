"""Days between a call and its deadline, counted as Peruvian procurement law counts them.

A period in days runs from the day after the call (Regl. Ley 30225 art. 70.2, Regl. Ley 32069
art. 64.1: "computados a partir del día siguiente de la convocatoria"), so the call's own day
never counts. Business days are Monday to Friday without Peru's national public holidays, taken
from the maintained `holidays` library rather than a list kept here, and without the
non-working days the government decrees besides them, which no library lists: administrators
record those (portal.deadlines.non_working) and callers pass them in. Days are Lima calendar
days: a call published at 23:30 in Lima was published that day, although it is already the
next day in UTC.

The deadline's own day counts when it is a business day. A deadline on a Saturday, Sunday or
holiday adds nothing: the call gives the business days up to the one before. (Ley 27444 moves
the last day of a period that falls on a holiday to the next business day, but that is for a
period the law states in days; a call states its deadline as a date and time, and a bidder
has until then, so the days it gives are counted up to that date.)
"""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

import holidays

PERU = ZoneInfo("America/Lima")  # the law's calendar, whatever zone the portal displays in


def lima_date(moment: datetime) -> date:
    """The Lima calendar day of an aware time (stored times are UTC)."""
    return moment.astimezone(PERU).date()


@cache
def weekday_holidays(year: int) -> tuple[date, ...]:
    """Peru's public holidays of a year that fall Monday to Friday, sorted. Building a year's
    holidays costs the library about a millisecond: each year is built once per process."""
    peru = holidays.country_holidays("PE", years=year)
    return tuple(sorted(day for day in peru if day.weekday() < 5))


def _weekdays_through(day: date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday, ordinal 1) up to `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def extra_non_working_days(days: Iterable[date]) -> tuple[date, ...]:
    """Of some decreed non-working days, those a business-day count must still leave out:
    Mondays to Fridays that are not public holidays already, sorted, each once."""
    return tuple(
        sorted({day for day in days if day.weekday() < 5 and day not in weekday_holidays(day.year)})
    )


def business_days_after(start: date, end: date, extra: Sequence[date] = ()) -> int:
    """Business days d with start < d <= end; 0 when `end` is not after `start`. `extra` are
    further non-working days as extra_non_working_days gives them."""
    if end <= start:
        return 0
    count = _weekdays_through(end) - _weekdays_through(start)
    for year in range(start.year, end.year + 1):
        days = weekday_holidays(year)
        count -= bisect_right(days, end) - bisect_right(days, start)
    return count - (bisect_right(extra, end) - bisect_right(extra, start))


def calendar_days_after(start: date, end: date) -> int:
    """Calendar days d with start < d <= end; 0 when `end` is not after `start`."""
    return max(0, (end - start).days)
