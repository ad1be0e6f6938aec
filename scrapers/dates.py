"""Source dates to aware UTC datetimes: the database refuses naive ones, so parsers never emit them.

A date without an offset is read in the source's own zone (Peru's by default), which is how
SEACE writes "28/01/2026 15:09" and how PLACSP writes its deadlines. A fact that is a day and
not a moment (an award's date) goes through `to_utc_day` instead, so it is shown as that day.
"""

import re
import time
from datetime import UTC, date, datetime, tzinfo
from datetime import time as time_of_day
from email.utils import parsedate_to_datetime

_DAY_FIRST = re.compile(
    r"^(?P<day>\d{1,2})[/-](?P<month>\d{1,2})[/-](?P<year>\d{4})"
    r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$"
)
# xs:date ("2026-03-05", "2026-03-05Z", "2026-03-05+01:00"): fromisoformat reads the offset as
# a time of day.
_XS_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[Zz]|[+-]\d{2}:\d{2})?$")
# A day stored as a moment: noon UTC is that same day everywhere from UTC-11 to UTC+11, so
# the portal shows it as the day the source gave in whatever zone it shows times.
_DAY_AS_MOMENT = time_of_day(12, tzinfo=UTC)
# "+01:00" at the end of an RFC 822 date: feeds write it, the email parser takes only "+0100".
_COLON_OFFSET = re.compile(r"([+-]\d{2}):(\d{2})$")


def to_utc(value: object, zone: tzinfo) -> datetime | None:
    """Any date a source gives (ISO 8601, dd/mm/yyyy [HH:MM], RFC 822, struct_time) in UTC."""
    if value is None:
        return None
    if isinstance(value, time.struct_time):
        return _from_struct_time(value)
    if isinstance(value, datetime):
        return _aware(value, zone)
    if isinstance(value, date):
        return _aware(datetime(value.year, value.month, value.day), zone)
    text = str(value).strip()
    if not text:
        return None
    for reader in (_from_day_first, _from_iso, _from_rfc822):
        parsed = reader(text)
        if parsed is not None:
            return _aware(parsed, zone)
    return None


def to_utc_day(value: object, zone: tzinfo) -> datetime | None:
    """Like to_utc, for a fact that may be a bare day: "2026-03-05", an xs:date with its zone
    or that day's midnight (OCDS publishers write "2026-03-05T00:00:00Z" or "-04:00" for a
    date) is stored as 12:00 UTC of that day, so it never shows as the day before in Lima (nor
    after in Madrid). A value with a time of day is the moment it says."""
    day = _bare_day(value)
    return datetime.combine(day, _DAY_AS_MOMENT) if day is not None else to_utc(value, zone)


def _bare_day(value: object) -> date | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    elif value is not None and not isinstance(value, time.struct_time):
        text = str(value).strip()
        if match := _XS_DATE.match(text):
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
        moment = _from_day_first(text) or _from_iso(text)
    else:
        return None
    return moment.date() if moment is not None and moment.time() == time_of_day() else None


def _aware(moment: datetime, zone: tzinfo) -> datetime | None:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _from_struct_time(value: time.struct_time) -> datetime | None:
    """feedparser normalises feed dates to UTC struct_time."""
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (ValueError, TypeError):
        return None


def _from_day_first(text: str) -> datetime | None:
    match = _DAY_FIRST.match(text)
    if not match:
        return None
    parts = {key: int(number) for key, number in match.groupdict().items() if number is not None}
    try:
        return datetime(
            parts["year"],
            parts["month"],
            parts["day"],
            parts.get("hour", 0),
            parts.get("minute", 0),
            parts.get("second", 0),
        )
    except ValueError:
        return None


def _from_iso(text: str) -> datetime | None:
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _from_rfc822(text: str) -> datetime | None:
    text = _COLON_OFFSET.sub(r"\1\2", text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None and text.endswith("-0000"):
        return moment.replace(tzinfo=UTC)  # RFC 5322: UTC, only the writer's own zone unknown
    return moment
