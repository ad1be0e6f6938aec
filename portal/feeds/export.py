"""Exports (OCDS, iCalendar) carry a search's hits up to a cap, not one results page."""

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from portal.opportunities.models import Opportunity
from portal.opportunities.queries import opportunities_by_ids
from portal.search.params import SearchParams
from portal.search.query import ranked_opportunity_ids

# Enough for any one buyer's or sector's open calls; a whole archive belongs to the API's cursor.
DEFAULT_EXPORT_LIMIT = 1000
ROWS_PER_QUERY = 500  # ids per IN (...) list, well under SQLite's and psycopg's bind limits


def export_limit(config: Mapping) -> int:
    """PORTAL_EXPORT_LIMIT if the deployment sets one, else DEFAULT_EXPORT_LIMIT."""
    return int(config.get("PORTAL_EXPORT_LIMIT") or DEFAULT_EXPORT_LIMIT)


def export_params(params: SearchParams) -> SearchParams:
    """An export is the whole search: the page's paging does not apply."""
    defaults = SearchParams()
    return replace(params, kinds=("opportunity",), page=defaults.page, per_page=defaults.per_page)


def exported_opportunities(
    session: Session, params: SearchParams, now: datetime, limit: int
) -> list[Opportunity]:
    """The first `limit` matching opportunities in the search's order, rows loaded in batches."""
    ids = ranked_opportunity_ids(params, now, limit)
    rows: list[Opportunity] = []
    for start in range(0, len(ids), ROWS_PER_QUERY):
        rows.extend(opportunities_by_ids(session, ids[start : start + ROWS_PER_QUERY]))
    return rows
