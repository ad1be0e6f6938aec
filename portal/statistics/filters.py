"""The dashboard's query string: a date range in Lima days, a region, a sector, a breakdown.

Without dates the range is the last twelve whole months, this one included, which the
snapshot answers without counting any partial month live.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from portal.plans.params import parse_region
from portal.search.params import InvalidSearchParams
from portal.statistics.tally import Filters

PUBLIC_BREAKDOWNS = ("region", "sector", "procedure", "object")
ADMIN_BREAKDOWNS = (*PUBLIC_BREAKDOWNS, "buyer")
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
LABELS = {"desde": _l("Desde"), "hasta": _l("Hasta"), "por": _l("Desglosar por")}
SECTOR_MESSAGE = _l("debe ser un sector de la lista (un segmento UNSPSC de 8 dígitos)")


def utc_offset_minutes(zone: str, now: datetime) -> int:
    """Minutes from UTC of the portal's zone now: -300 in Lima (see portal.statistics.sql)."""
    return int(now.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 60)


def default_range(today: date) -> tuple[date, date]:
    """The twelve months ending with this one (its last day may be ahead)."""
    first = today.replace(day=1)
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def parse_filters(args: MultiDict, today: date) -> Filters:
    """Filters from `desde`, `hasta` (YYYY-MM-DD), `region` and `sector`; InvalidSearchParams
    names a value the page never offers."""
    start, end = default_range(today)
    start = _date(args.get("desde"), "desde") or start
    end = _date(args.get("hasta"), "hasta") or end
    if start > end:
        message = _l("debe ser anterior o igual a «%(end)s»", end=LABELS["hasta"])
        raise InvalidSearchParams("desde", message, LABELS["desde"])
    return Filters(start, end, parse_region(args.get("region")), _sector(args.get("sector")))


def parse_breakdown(args: MultiDict, choices: tuple[str, ...]) -> str:
    chosen = args.get("por") or choices[0]
    if chosen not in choices:
        message = _l("no es uno de los desgloses de la lista")
        raise InvalidSearchParams("por", message, LABELS["por"])
    return chosen


def filter_args(filters: Filters, breakdown: str | None = None) -> dict[str, str]:
    """The query string that gives these filters back (for chart and CSV links)."""
    args = {"desde": filters.start.isoformat(), "hasta": filters.end.isoformat()}
    if filters.region:
        args["region"] = filters.region
    if filters.sector:
        args["sector"] = filters.sector
    if breakdown:
        args["por"] = breakdown
    return args


def _date(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        value = date.fromisoformat(text) if text.isascii() and len(text) == 10 else None
    except ValueError:
        value = None
    if value is None or not EARLIEST <= value <= LATEST:
        message = _l("debe ser una fecha AAAA-MM-DD entre 2000 y 2100")
        raise InvalidSearchParams(field, message, LABELS[field])
    return value


def _sector(text: str | None) -> str | None:
    """A UNSPSC segment: eight ASCII digits ending in six zeros."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) == 8 and text.endswith("000000")):
        raise InvalidSearchParams("sector", SECTOR_MESSAGE)
    if not "10" <= text[:2] <= "98":
        raise InvalidSearchParams("sector", SECTOR_MESSAGE)
    return text
