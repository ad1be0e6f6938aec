"""What a search feed lists: the head of the search, calls for bids before forecasts.

A feed reader shows the newest entries of a feed titled after a search for calls; annual-plan
forecasts are published in bulk and would push every call out of it. So a search over both
kinds lists its calls first, in the search's order, and fills the rest with forecasts; a
search for one kind (`kind=plan_line`) lists that kind alone.
"""

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from portal.opportunities.search_results import ResultRow, run_search
from portal.search.params import SearchParams

CALLS, FORECASTS = "opportunity", "plan_line"


def feed_params(params: SearchParams) -> SearchParams:
    """A feed is the first page of its search: readers poll it for what is new."""
    return replace(params, page=1)


def feed_rows(session: Session, params: SearchParams, now: datetime) -> tuple[ResultRow, ...]:
    params = feed_params(params)
    if CALLS not in params.kinds or FORECASTS not in params.kinds:
        return run_search(session, params, now).rows
    calls = run_search(session, replace(params, kinds=(CALLS,)), now).rows
    room = params.per_page - len(calls)
    if room <= 0:
        return calls
    forecasts = run_search(session, replace(params, kinds=(FORECASTS,), per_page=room), now)
    return calls + forecasts.rows


def feed_holds(params: SearchParams) -> tuple[bool, bool]:
    """Whether the feed may hold calls, and whether it may hold forecasts."""
    return CALLS in params.kinds, FORECASTS in params.kinds
