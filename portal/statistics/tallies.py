"""Tallies of a measure over a date range, by one dimension: from the snapshot for the months
it covers, counted live for the rest, added up in one SQL statement.

A range splits into whole months and at most two partial months. Whole months come from the
snapshot's rows plus the facts that arrived after it (calls with a newer id, alerts sent
since); partial months, and everything when there is no snapshot or it does not hold the slice
asked for, are counted from the live tables. Live counting groups facts by key and bin first
(one bin computation per fact) and spreads the bins into columns afterwards.
"""

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import desc, func, or_, select, union_all
from sqlalchemy.orm import Session

from portal.statistics.live import filter_conditions, live_key, live_tally
from portal.statistics.measures import Measure, dated_between
from portal.statistics.models import StatisticsSnapshot
from portal.statistics.stored import is_covered, month_end, since, snapshot_part
from portal.statistics.tally import BREAKDOWNS, KEY, SUMMED, Filters, tally_from_row

DIMENSIONS = ("month", "total", "region", "sector", *BREAKDOWNS)


def tallies(
    session: Session,
    measure: Measure,
    filters: Filters,
    dimension: str,
    offset_minutes: int,
    snapshot: StatisticsSnapshot | None,
    values: Sequence[str] | None = None,
    top: int | None = None,
    rank_by: str = "short",
) -> dict:
    """{key: Tally} for the dimension (month: first days; total: ""; others: codes or ids).
    `values` keeps only those keys; `top` keeps the keys with the most `rank_by` (facts
    below the minimum, or facts), then the most facts: ranked on those two sums first, and
    only the chosen keys summed whole."""
    args = (session, measure, filters, dimension, offset_minutes, snapshot)
    if top is None:
        return _tallies(*args, values)
    ranking = ("facts",) if rank_by == "facts" else ("facts", rank_by)
    chosen = _tallies(*args, values, top, rank_by, columns=ranking)
    found = _tallies(*args, list(chosen)) if chosen else {}
    return {key: found[key] for key in chosen if key in found}


def _tallies(
    session: Session,
    measure: Measure,
    filters: Filters,
    dimension: str,
    offset_minutes: int,
    snapshot: StatisticsSnapshot | None,
    values: Sequence[str] | None = None,
    top: int | None = None,
    rank_by: str = "short",
    columns: tuple[str, ...] = SUMMED,
) -> dict:
    whole, partial = split_range(filters.start, filters.end)
    parts = []
    usable = snapshot is not None and snapshot.offset_minutes == offset_minutes
    from_snapshot = usable and whole is not None and is_covered(measure, filters, dimension)
    if from_snapshot:
        parts.append(snapshot_part(snapshot, measure, filters, dimension, whole, values, columns))
        live = [dated_between(measure.family, *span, offset_minutes) for span in partial]
        live.append(since(measure, snapshot, whole, offset_minutes))
    else:
        live = [dated_between(measure.family, filters.start, filters.end, offset_minutes)]
    filtered = filter_conditions(measure, filters, dimension, not from_snapshot, values)
    parts.append(
        live_tally(
            measure,
            {KEY: live_key(measure, dimension, offset_minutes)},
            [or_(*live), *filtered],
            values,
            sector=filters.sector if dimension == "sector" else None,
            columns=columns,
        )
    )
    combined = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    key = combined.c[KEY]
    if top is not None:  # the ranking alone: keys, no tallies
        ranked, facts = func.sum(combined.c[rank_by]), func.sum(combined.c.facts)
        query = select(key).group_by(key).order_by(desc(ranked), desc(facts), key).limit(top)
        return {row[0]: None for row in session.execute(query) if row[0] is not None}
    query = select(key, *(func.sum(combined.c[name]).label(name) for name in SUMMED))
    rows = session.execute(query.group_by(key))
    return {row[0]: tally_from_row(measure.bins, row) for row in rows if row[0] is not None}


def split_range(start: date, end: date) -> tuple[tuple[date, date] | None, list]:
    """(first and last whole month, as first days; or None) and the partial day ranges."""
    first = start if start.day == 1 else month_end(start) + timedelta(days=1)
    last = end.replace(day=1) if month_end(end) == end else end.replace(day=1) - timedelta(1)
    last = last.replace(day=1)
    if first > last:
        return None, [(start, end)] if start <= end else []
    partial = []
    if start < first:
        partial.append((start, first - timedelta(days=1)))
    if month_end(last) < end:
        partial.append((month_end(last) + timedelta(days=1), end))
    return (first, last), partial
