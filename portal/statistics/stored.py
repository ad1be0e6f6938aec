"""Reading the snapshot: which slices it holds, and a slice's rows summed by key."""

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, String, and_, func, literal, select

from notifications.models import AlertDelivery
from portal.opportunities.models import Opportunity
from portal.statistics.measures import ALERTS, Measure, family, utc_bounds
from portal.statistics.models import ANY, StatisticsSnapshot, lead_time_months
from portal.statistics.tally import BREAKDOWNS, KEY, Filters


def stored_slices(measure: Measure) -> dict[tuple[bool, bool], set[str]]:
    """What the snapshot holds of a measure, by (one region?, one sector?): totals, and its
    breakdowns except buyers within a sector and anything within a region and a sector at
    once, which are few facts and counted live."""
    within_sector = {name for name in measure.breakdowns if name != "buyer"}
    return {
        (False, False): {"total", *measure.breakdowns},
        (True, False): {"total", *measure.breakdowns},
        (False, True): {"total", *within_sector},
        (True, True): {"total"},
    }


def is_covered(measure: Measure, filters: Filters, dimension: str) -> bool:
    """Breakdowns by region or sector read the snapshot's per-region or per-sector totals."""
    if dimension in ("month", "region", "sector"):
        dimension = "total"
    slice_ = (filters.region is not None, filters.sector is not None)
    return dimension in stored_slices(measure)[slice_]


def snapshot_part(
    snapshot: StatisticsSnapshot,
    measure: Measure,
    filters: Filters,
    dimension: str,
    whole: tuple[date, date],
    values: Sequence[str] | None,
    columns: tuple[str, ...],
) -> Select:
    rows = lead_time_months.c
    region, sector = filters.region or ANY, filters.sector or ANY
    where = [
        rows.snapshot_id == snapshot.id,
        rows.measure == measure.key,
        rows.month >= whole[0],
        rows.month <= whole[1],
    ]
    grouped = True
    if dimension == "region" and filters.region is None:
        key = rows.region_code
        where += [rows.region_code != ANY, rows.sector_code == sector, rows.dimension == "total"]
    elif dimension == "sector" and filters.sector is None:
        key = rows.sector_code
        where += [rows.region_code == region, rows.sector_code != ANY, rows.dimension == "total"]
    else:
        grouped = dimension in ("month", *BREAKDOWNS)
        key = {
            "month": rows.month,
            "total": literal(ANY, String(20)),
            "region": literal(region, String(20)),
            "sector": literal(sector, String(20)),
        }.get(dimension, rows.value)
        stored = dimension if dimension in BREAKDOWNS else "total"
        where += [rows.region_code == region, rows.sector_code == sector]
        where.append(rows.dimension == stored)
    if values is not None:
        # a filter, not an index condition: PostgreSQL would scan the month range once per
        # value (the key comes after the month in the index)
        where.append((key + literal("", String(20))).in_(list(values)))
    query = select(key.label(KEY), *(func.sum(rows[name]).label(name) for name in columns))
    query = query.where(*where)
    return query.group_by(key) if grouped else query


def since(
    measure: Measure, snapshot: StatisticsSnapshot, whole: tuple[date, date], offset: int
) -> ColumnElement[bool]:
    """Facts of the whole months that the snapshot does not hold, found by what is newer
    than it (the sending time; the id) rather than by their date."""
    low, high = utc_bounds(whole[0], month_end(whole[1]), offset)
    if measure.family == ALERTS:
        since = max(low, snapshot.alerts_before)
        return and_(AlertDelivery.sent_at >= since, AlertDelivery.sent_at < high)
    moment = family(measure.family).moment
    return and_(Opportunity.id > snapshot.calls_through_id, moment >= low, moment < high)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
