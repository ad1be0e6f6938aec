"""API listings one keyset page at a time: the rows of the page and the key after which the
next page starts (None on the last page).

Opportunities with `q` are ranked by the search index, as on the search page (stems, accents,
every word in title or description); the cursor then walks the index's sort keys. Without `q`
the structured filters run in SQL over a stable column order.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.api.cursor import after, ordered, sort_order
from portal.buyers.models import Buyer
from portal.opportunities.filters import filtered_opportunities
from portal.opportunities.models import Opportunity
from portal.opportunities.queries import opportunities_by_ids
from portal.plans.models import AnnualPlan, PlanLine
from portal.plans.queries import latest_plans_query, line_conditions, lines_by_plan
from portal.search.params import SearchParams
from portal.search.query import opportunity_sort_keys


@dataclass(frozen=True)
class Page:
    rows: list
    next_key: tuple[object, int] | None  # (sort key, id) of the page's last row


def index_cursor_name(sort: str) -> str:
    """Index keys are numbers, SQL keys dates and amounts: a cursor fits one kind only."""
    return f"index-{sort}"


def after_in_arrays(keys: np.ndarray, ids: np.ndarray, start, limit: int) -> np.ndarray:
    """Positions of the first `limit` rows after `start` = (key, id), bigger (key, id) first."""
    if start is None:
        candidates = np.arange(len(keys))
    else:
        key, last_id = start
        candidates = np.flatnonzero((keys < key) | ((keys == key) & (ids < last_id)))
    order = np.lexsort((-ids[candidates], -keys[candidates]))
    return candidates[order[:limit]]


def searched_opportunities(session: Session, params: SearchParams, now: datetime, start) -> Page:
    """A page of the index's hits for `q` and the filters, in the index's column order."""
    keys, ids = opportunity_sort_keys(params, now)
    positions = after_in_arrays(keys, ids, start, params.per_page + 1)
    shown = positions[: params.per_page]
    rows = opportunities_by_ids(session, [int(ids[position]) for position in shown])
    if len(positions) <= params.per_page:
        return Page(rows, None)
    last = shown[-1]
    return Page(rows, (float(keys[last]), int(ids[last])))


def filtered_opportunity_page(session: Session, params: SearchParams, now: datetime, start) -> Page:
    """A page of the SQL-filtered opportunities in the sort's column order."""
    order = sort_order(params.sort, now)
    query = filtered_opportunities(session, params, now).add_columns(order.key)
    query = query.options(joinedload(Opportunity.buyer), selectinload(Opportunity.awards))
    if start is not None:
        query = after(query, order, *start)
    found = session.execute(ordered(query, order).limit(params.per_page + 1)).all()
    page = found[: params.per_page]
    rows = [row for row, _ in page]
    if len(found) <= params.per_page:
        return Page(rows, None)
    last, key = page[-1]
    return Page(rows, (key, last.id))


def plan_page(
    session: Session,
    params: SearchParams,
    year: int | None,
    now: datetime,
    after_id: int | None,
) -> Page:
    """Latest plan versions in id order, each with its lines that pass the line filters; with
    any line filter set, plans left without a line are left out."""
    conditions = line_conditions(session, params, now)
    query = latest_plans_query(year=year)
    if params.regions:
        query = query.where(Buyer.region_code.in_(params.regions))
    if params.buyer_ids:
        query = query.where(AnnualPlan.buyer_id.in_(params.buyer_ids))
    if params.published_within_days:
        since = now - timedelta(days=params.published_within_days)
        query = query.where(AnnualPlan.published_at >= since)
    if conditions:
        having_line = select(PlanLine.id).where(PlanLine.plan_id == AnnualPlan.id, *conditions)
        query = query.where(having_line.exists())
    if after_id is not None:
        query = query.where(AnnualPlan.id > after_id)
    found = session.scalars(query.order_by(AnnualPlan.id).limit(params.per_page + 1)).all()
    plans = found[: params.per_page]
    lines = lines_by_plan(session, [plan.id for plan in plans], conditions)
    rows = [(plan, lines.get(plan.id, [])) for plan in plans]
    if len(found) <= params.per_page:
        return Page(rows, None)
    return Page(rows, (plans[-1].id, plans[-1].id))
