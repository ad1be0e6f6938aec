"""How each source fared over the range: its last success, runs, failures and items per run.
The delay from publication to our first sight of a call comes from the seen_delay tallies."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.statistics.measures import utc_bounds
from portal.statistics.tally import Filters
from scrapers.models import RunStatus, ScrapeRun, Source


@dataclass(frozen=True)
class SourceHealth:
    source_id: int
    name: str
    kind: str
    active: bool
    healthy: bool
    last_success_at: datetime | None
    runs: int
    failed_runs: int
    failed_items: int
    items_per_run: float | None  # items fetched by a successful run, on average


def source_health(session: Session, filters: Filters, offset_minutes: int) -> list[SourceHealth]:
    """Every source, with its runs started within the range (one aggregate over the runs)."""
    low, high = utc_bounds(filters.start, filters.end, offset_minutes)
    succeeded = ScrapeRun.status == RunStatus.SUCCEEDED
    runs = (
        select(
            ScrapeRun.source_id,
            func.count().label("runs"),
            func.sum(case((ScrapeRun.status == RunStatus.FAILED, 1), else_=0)).label("failed"),
            func.sum(ScrapeRun.failed).label("failed_items"),
            func.avg(case((succeeded, ScrapeRun.fetched))).label("items_per_run"),
        )
        .where(ScrapeRun.started_at >= low, ScrapeRun.started_at < high)
        .group_by(ScrapeRun.source_id)
        .subquery()
    )
    query = (
        select(Source, runs.c.runs, runs.c.failed, runs.c.failed_items, runs.c.items_per_run)
        .outerjoin(runs, runs.c.source_id == Source.id)
        .order_by(Source.name, Source.id)
    )
    return [
        SourceHealth(
            source.id,
            source.name,
            source.kind.value,
            source.active,
            source.healthy,
            source.last_success_at,
            count or 0,
            failed or 0,
            int(failed_items or 0),
            float(per_run) if per_run is not None else None,
        )
        for source, count, failed, failed_items, per_run in session.execute(query)
    ]
