"""The figures of /fuentes and of the stale-source banner.

One query reads the sources (with their first run and latest error as index lookups), then one
grouped query per figure reads the notices of its window, so the page costs the same few
statements however many sources there are. The figures start from the active sources and join
their notices first seen within the window, so that an index on opportunities (source_id,
first_seen_at, published_at) makes each source's notices one range of it, on both databases.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from portal.freshness.errors import plain_error
from portal.freshness.health import Health, is_stale, source_health
from portal.opportunities.models import Opportunity
from portal.statistics.sql import days_between
from scrapers.models import RunStatus, ScrapeRun, Source

RECENT_DAYS = 30  # notices counted
DELAY_DAYS = 90  # notices whose delay to first sight is measured


@dataclass(frozen=True)
class SourceFreshness:
    source_id: int
    name: str
    last_success_at: datetime | None
    recent_notices: int  # first seen in the last RECENT_DAYS
    typical_delay_days: float | None  # median, publication to first sight; None without data
    health: Health


@dataclass(frozen=True)
class StaleSource:
    name: str
    last_success_at: datetime | None


@dataclass(frozen=True)
class _SourceRow:
    source: Source
    first_run_at: datetime | None
    last_error: str | None


def sources_freshness(session: Session, now: datetime) -> list[SourceFreshness]:
    """Every active source, by name, with its figures."""
    rows = _source_rows(session, Source.active)
    counts = recent_notice_counts(session, now - timedelta(days=RECENT_DAYS))
    delays = median_delay_days(session, now - timedelta(days=DELAY_DAYS))
    return [
        SourceFreshness(
            row.source.id,
            row.source.name,
            row.source.last_success_at,
            counts.get(row.source.id, 0),
            delays.get(row.source.id),
            _health(row, now),
        )
        for row in rows
    ]


def stale_major_sources(session: Session, now: datetime) -> list[StaleSource]:
    """The active major sources that are stale: what the search pages warn of."""
    rows = _source_rows(session, Source.active, Source.major.is_(True))
    return [
        StaleSource(row.source.name, row.source.last_success_at)
        for row in rows
        if is_stale(row.source.last_success_at, row.first_run_at, row.source.interval_minutes, now)
    ]


def recent_notice_counts(session: Session, since: datetime) -> dict[int, int]:
    """Notices first seen since `since`, by active source."""
    query = (
        select(Source.id, func.count())
        .join(Opportunity, Opportunity.source_id == Source.id)
        .where(Source.active, Opportunity.first_seen_at >= since)
        .group_by(Source.id)
    )
    return {source_id: count for source_id, count in session.execute(query)}


def median_delay_days(session: Session, since: datetime) -> dict[int, float]:
    """Median days from publication to first sight of the notices first seen since `since`,
    by active source. Window functions give the middle one or two values on SQLite and PostgreSQL
    alike (`2 × position` between `total` and `total + 2`), so no row leaves the database. The
    delay is computed once, in a subquery of its own, rather than again for the ordering."""
    delays = (
        select(
            Source.id.label("source_id"),
            days_between(Opportunity.first_seen_at, Opportunity.published_at).label("delay"),
        )
        .join(Opportunity, Opportunity.source_id == Source.id)
        .where(
            Source.active,
            Opportunity.first_seen_at >= since,
            Opportunity.published_at.is_not(None),
        )
        .subquery()
    )
    source = delays.c.source_id
    ranked = select(
        source,
        delays.c.delay,
        func.row_number().over(partition_by=source, order_by=delays.c.delay).label("position"),
        func.count().over(partition_by=source).label("total"),
    ).subquery()
    middle = and_(
        2 * ranked.c.position >= ranked.c.total, 2 * ranked.c.position <= ranked.c.total + 2
    )
    query = (
        select(ranked.c.source_id, func.avg(ranked.c.delay))
        .where(middle)
        .group_by(ranked.c.source_id)
    )
    return {source_id: float(days) for source_id, days in session.execute(query)}


def _source_rows(session: Session, *conditions: ColumnElement[bool]) -> list[_SourceRow]:
    """Sources with their first run (for one that never succeeded) and their latest error (for
    one failing now): correlated lookups on the runs' (source_id, started_at) index."""
    runs_of_source = ScrapeRun.source_id == Source.id
    first_run = select(func.min(ScrapeRun.started_at)).where(runs_of_source).scalar_subquery()
    latest_error = (
        select(ScrapeRun.error)
        .where(runs_of_source, ScrapeRun.status == RunStatus.FAILED)
        .order_by(ScrapeRun.started_at.desc(), ScrapeRun.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            Source,
            case((Source.last_success_at.is_(None), first_run)),
            case((Source.consecutive_failures > 0, latest_error)),
        )
        .where(*conditions)
        .order_by(Source.name, Source.id)
    )
    return [_SourceRow(*row) for row in session.execute(query)]


def _health(row: _SourceRow, now: datetime) -> Health:
    source = row.source
    failures = source.consecutive_failures
    return source_health(
        source.last_success_at,
        row.first_run_at,
        source.interval_minutes,
        failures,
        plain_error(row.last_error) if failures else None,
        now,
    )
