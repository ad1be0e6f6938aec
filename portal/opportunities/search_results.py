"""One search for the page and the feeds: run the index query, then load the rows to show."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.opportunities.models import Opportunity
from portal.opportunities.queries import opportunities_by_ids
from portal.plans.models import AnnualPlan, PlanLine
from portal.search.params import SearchParams
from portal.search.query import SearchHit, SearchResults, search


@dataclass(frozen=True)
class ResultRow:
    """A hit with its database row: an Opportunity or, for a forecast, a PlanLine."""

    hit: SearchHit
    row: Opportunity | PlanLine

    @property
    def is_plan_line(self) -> bool:
        return isinstance(self.row, PlanLine)


@dataclass(frozen=True)
class SearchPage:
    params: SearchParams
    results: SearchResults
    rows: tuple[ResultRow, ...]

    @property
    def opportunities(self) -> list[Opportunity]:
        return [result.row for result in self.rows if not result.is_plan_line]

    @property
    def page_count(self) -> int:
        return max(1, -(-self.results.total // self.params.per_page))


def plan_lines_by_ids(session: Session, ids: list[int]) -> dict[int, PlanLine]:
    query = (
        select(PlanLine)
        .where(PlanLine.id.in_(ids))
        .options(joinedload(PlanLine.plan).joinedload(AnnualPlan.buyer))
    )
    return {line.id: line for line in session.scalars(query)}


def run_search(session: Session, params: SearchParams, now: datetime) -> SearchPage:
    """Hits whose rows were deleted since indexing are dropped rather than shown broken."""
    results = search(params, now)
    opportunity_ids = [hit.id for hit in results.hits if hit.kind == "opportunity"]
    opportunities = {row.id: row for row in opportunities_by_ids(session, opportunity_ids)}
    lines = plan_lines_by_ids(session, [hit.id for hit in results.hits if hit.kind == "plan_line"])
    rows = []
    for hit in results.hits:
        row = opportunities.get(hit.id) if hit.kind == "opportunity" else lines.get(hit.id)
        if row is not None:
            rows.append(ResultRow(hit, row))
    return SearchPage(params=params, results=results, rows=tuple(rows))
