"""Dates and times as Spanish prose writes them, in text folded by `text.fold_keeping_length`.

"15/03/2026 16:30", "15-03-26 16 hrs", "15 de marzo del 2026 a las 4:30 p.m.", "5 set. 2026"
(Peru writes "setiembre"), "hasta las 16:30 horas del 15/03/2026", "2026-03-15T16:30". The
result is naive: the caller knows the source's zone (`dates.to_utc`).
"""

import re
from datetime import datetime

from scrapers.text import fold_keeping_length

MONTHS = {
    "enero": 1, "ene": 1, "febrero": 2, "feb": 2, "marzo": 3, "mar": 3, "abril": 4, "abr": 4,
    "mayo": 5, "may": 5, "junio": 6, "jun": 6, "julio": 7, "jul": 7, "agosto": 8, "ago": 8,
    "setiembre": 9, "septiembre": 9, "set": 9, "sept": 9, "sep": 9, "octubre": 10, "oct": 10,
    "noviembre": 11, "nov": 11, "diciembre": 12, "dic": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE = re.compile(
    r"(?<![\d/.-])(?:"
    r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4}|\d{2})"
    rf"|(?P<wday>\d{{1,2}})(?:\s+de)?[\s/-]+(?P<wmonth>{_MONTH_NAMES})\.?(?:\s+del?\s+|[\s,/-]+)"
    r"(?P<wyear>\d{4})"
    r"|(?P<iyear>\d{4})-(?P<imonth>\d{2})-(?P<iday>\d{2})"
    r")(?![\d/])"
)
_MERIDIEM = r"(?P<meridiem>[ap]\.?\s?m\b\.?)"
_TIME_AFTER = re.compile(
    r"(?:\s*(?:,|-|–|a\s+las|a\s+la|hasta\s+las|horas?:?|hrs?\.?:?|t)\s*)*"
    r"\s*(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?(?::\d{2})?"
    rf"\s*(?P<suffix>horas|hrs?\b\.?|h\b)?\s*{_MERIDIEM}?"
)
_TIME_BEFORE = re.compile(
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})\s*(?:horas|hrs?\b\.?|h\b)?\s*"
    rf"{_MERIDIEM}?\s*(?:del?|,)?\s*(?:dia\s+)?$"
)
# What ends a period: "del 10/03/2026 al 15/03/2026", "hasta el lunes 16 de marzo".
_PERIOD_END = re.compile(r"(?:hasta|al|a)\s+(?:el\s+)?(?:dia\s+)?(?:\w+\s*,?\s+)?$")


def parse_spanish_date(text: str) -> tuple[int, int, int] | None:
    """(day, month, year) of the first date in a Spanish text."""
    match = DATE.search(fold_keeping_length(text))
    return date_parts(match) if match else None


def period_end(folded: str) -> datetime | None:
    """When a period written in a folded text ends: the date after "hasta"/"al" or else the
    first date, at the time written beside it, or at the end of that day."""
    dates = list(DATE.finditer(folded))
    if not dates:
        return None
    ends = [match for match in dates if _PERIOD_END.search(folded, 0, match.start())]
    chosen = (ends or dates)[0]
    day, month, year = date_parts(chosen)
    hour, minute = _time_near(chosen, folded) or (23, 59)
    try:
        return datetime(year, month, day, hour, minute, 59 if (hour, minute) == (23, 59) else 0)
    except ValueError:
        return None


def date_parts(match: re.Match) -> tuple[int, int, int]:
    if match["day"]:
        year = int(match["year"])
        return int(match["day"]), int(match["month"]), year + 2000 if year < 100 else year
    if match["wday"]:
        return int(match["wday"]), MONTHS[match["wmonth"]], int(match["wyear"])
    return int(match["iday"]), int(match["imonth"]), int(match["iyear"])


def _time_near(match: re.Match, folded: str) -> tuple[int, int] | None:
    """The time written after the date ("16:30", "a las 4:30 p.m.", "16 hrs") or just before
    it ("hasta las 16:30 horas del 15/03/2026"); a bare number after it is not a time."""
    after = _TIME_AFTER.match(folded, match.end())
    if after and (after["minute"] or after["suffix"] or after["meridiem"]):
        return _clock(after)
    before = _TIME_BEFORE.search(folded, 0, match.start())
    return _clock(before) if before else None


def _clock(match: re.Match) -> tuple[int, int] | None:
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    meridiem = (match["meridiem"] or " ")[0]
    if meridiem == "p" and hour < 12:
        hour += 12
    elif meridiem == "a" and hour == 12:
        hour = 0
    return (hour, minute) if hour < 24 and minute < 60 else None
