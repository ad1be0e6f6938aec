"""API listings one keyset page at a time: the rows of the page and the key after which the
next page starts (None on the last page).

The search index picks every row, with or without `q`, as on the search page (one definition
of each filter: portal.search.rules); the rows themselves are then read from the database by
id. Opportunities page through the index's sort keys; plans through their ids.
"""

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.feeds.export import ROWS_PER_QUERY
from portal.opportunities.queries import opportunities_by_ids
from portal.plans.models import AnnualPlan, PlanLine
from portal.plans.queries import latest_plans_query
from portal.search.params import SearchParams
from portal.search.query import matching_plan_lines, opportunity_sort_keys


@dataclass(frozen=True)
class Page:
    rows: list
    next_key: tuple[object, int] | None  # (sort key, id) of the page's last row


def cursor_name(sort: str) -> str:
    """The sort a cursor belongs to. Its keys are the index's numbers: the prefix makes a
    cursor from the SQL listing this API once had (dates and amounts) fail as another sort's
    rather than be misread."""
    return f"index-{sort}"


def after_in_arrays(keys: np.ndarray, ids: np.ndarray, start, limit: int) -> np.ndarray:
    """Positions of the first `limit` rows after `start` = (key, id), bigger (key, id) first."""
    if start is None:
        candidates = np.arange(len(keys))
    else:
        key, last_id = start
        candidates = np.flatnonzero((keys < key) | ((keys == key) & (ids < last_id)))
    if limit < len(candidates) // 4:  # only the rows that can make the page get sorted
        threshold = np.partition(-keys[candidates], limit - 1)[limit - 1]
        candidates = candidates[-keys[candidates] <= threshold]
    order = np.lexsort((-ids[candidates], -keys[candidates]))
    return candidates[order[:limit]]


def opportunity_page(session: Session, params: SearchParams, now: datetime, start) -> Page:
    """A page of the index's hits for the filters (and `q`), in the index's column order."""
    keys, ids = opportunity_sort_keys(params, now)
    positions = after_in_arrays(keys, ids, start, params.per_page + 1)
    shown = positions[: params.per_page]
    rows = opportunities_by_ids(session, [int(ids[position]) for position in shown])
    if len(positions) <= params.per_page:
        return Page(rows, None)
    last = shown[-1]
    return Page(rows, (float(keys[last]), int(ids[last])))


MAX_BUYERS_IN_QUERY = 1000  # more than this and most plans hold a match: read them in order


@dataclass(frozen=True)
class _Matches:
    """A plan's lines that the search matches."""

    ids: np.ndarray  # ascending
    every_line: bool  # all its lines match: they are read by plan, not by id


def plan_page(
    session: Session, params: SearchParams, year: int | None, now: datetime, after_id: int | None
) -> Page:
    """Latest plan versions in id order that hold at least one line the search matches, each
    with those lines."""
    line_ids, line_buyers = matching_plan_lines(params, now)
    query = latest_plans_query(year=year).order_by(AnnualPlan.id)
    buyers = np.unique(line_buyers).tolist()
    if len(buyers) <= MAX_BUYERS_IN_QUERY:
        query = query.where(AnnualPlan.buyer_id.in_(buyers))
    kept = _plans_holding(session, query, line_ids, params.per_page + 1, after_id)
    shown = kept[: params.per_page]
    lines = _lines(session, [(plan.id, matches) for plan, matches in shown])
    rows = [
        (plan, [lines[i] for i in matches.ids.tolist() if i in lines]) for plan, matches in shown
    ]
    if len(kept) <= params.per_page:
        return Page(rows, None)
    return Page(rows, (shown[-1][0].id, shown[-1][0].id))


def _plans_holding(
    session: Session, query: Select, line_ids: np.ndarray, wanted: int, after_id: int | None
) -> list[tuple[AnnualPlan, _Matches]]:
    """The first `wanted` plans of `query` after `after_id` holding one of `line_ids` (sorted),
    read in growing batches: a selective search skips many plans."""
    kept: list[tuple[AnnualPlan, _Matches]] = []
    batch_size, exhausted = wanted, len(line_ids) == 0
    while not exhausted and len(kept) < wanted:
        batch = query if after_id is None else query.where(AnnualPlan.id > after_id)
        plans = session.scalars(batch.limit(batch_size)).all()
        matching = _matching_lines(session, [plan.id for plan in plans], line_ids)
        kept.extend((plan, matching[plan.id]) for plan in plans if plan.id in matching)
        exhausted = len(plans) < batch_size
        after_id = plans[-1].id if plans else after_id
        batch_size *= 2
    return kept


def _matching_lines(
    session: Session, plan_ids: list[int], line_ids: np.ndarray
) -> dict[int, _Matches]:
    """Per plan, its lines among `line_ids`; plans without one are absent."""
    rows = session.execute(
        select(PlanLine.id, PlanLine.plan_id).where(PlanLine.plan_id.in_(plan_ids))
    )
    pairs = np.array([tuple(row) for row in rows], dtype=np.int64).reshape(-1, 2)
    plans, counts = np.unique(pairs[:, 1], return_counts=True)
    totals = dict(zip(plans.tolist(), counts.tolist(), strict=True))
    found = pairs[np.isin(pairs[:, 0], line_ids)]
    if not len(found):
        return {}
    found = found[np.lexsort((found[:, 0], found[:, 1]))]
    plans, starts = np.unique(found[:, 1], return_index=True)
    return {
        int(plan): _Matches(ids, len(ids) == totals[int(plan)])
        for plan, ids in zip(plans, np.split(found[:, 0], starts[1:]), strict=True)
    }


def _lines(session: Session, shown: list[tuple[int, _Matches]]) -> dict[int, PlanLine]:
    """The matching lines of the plans shown: by plan for a plan matched whole, else by id."""
    whole = [plan_id for plan_id, matches in shown if matches.every_line]
    picked = [int(i) for _plan, matches in shown if not matches.every_line for i in matches.ids]
    lines = {}
    for column, values in ((PlanLine.plan_id, whole), (PlanLine.id, picked)):
        for start in range(0, len(values), ROWS_PER_QUERY):
            chunk = values[start : start + ROWS_PER_QUERY]
            found = session.scalars(select(PlanLine).where(column.in_(chunk)))
            lines.update((line.id, line) for line in found)
    return lines
