"""The daily snapshot: every month's tallies, rebuilt whole from the live tables.

Rebuilt whole rather than patched, so a deadline moved or a short-deadline flag refreshed in
an old month is counted as it is now. Each measure's facts are tallied once into two
temporary tables, by (month, region, buyer, procedure, object type, source) and by (month,
region, sector, procedure, object type, source); the stored slices are sums of those. The
reading happens in one transaction and writes only temporary tables (on SQLite, no lock that
would stop the scrapers or the sender); the swap is a second, short one. Facts that arrive
meanwhile are newer than what the snapshot says it covers, so pages count them live.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    update,
)

from notifications.models import AlertDelivery
from portal.opportunities.models import Opportunity
from portal.statistics.live import live_tally
from portal.statistics.measures import (
    ALERTS,
    MEASURES,
    Measure,
    attribute,
    call_sectors,
    family,
)
from portal.statistics.models import ANY, StatisticsSnapshot, lead_time_months
from portal.statistics.sql import local_month, without_jit
from portal.statistics.stored import stored_slices
from portal.statistics.tally import BREAKDOWNS, SUMMED

# Alerts are counted as sent before this long ago: a sender commits its marks right after the
# mail server accepts a message, so by then every one of them is committed and none is lost
# between the snapshot and the live count.
SETTLE = timedelta(minutes=5)
ROW_KEYS = ["snapshot_id", "measure", "region_code", "sector_code", "dimension", "month", "value"]


@dataclass(frozen=True)
class SnapshotSummary:
    snapshot_id: int
    rows: int
    seconds: float


def take_snapshot(engine: Engine, now: datetime, offset_minutes: int) -> SnapshotSummary:
    started = time.monotonic()
    metadata = MetaData()
    sectors = Table(
        "statistics_call_sectors",
        metadata,
        Column("opportunity_id", Integer, index=True),
        Column("sector", String(8)),
        prefixes=["TEMPORARY"],
    )
    levels = {measure: _levels(metadata, measure) for measure in MEASURES.values()}
    with engine.connect() as connection:
        try:
            with connection.begin():
                metadata.drop_all(connection)  # left over by a run that died
                metadata.create_all(connection)
                snapshot = _read(connection, now, offset_minutes, sectors, levels)
            with connection.begin():
                snapshot_id = connection.execute(
                    insert(StatisticsSnapshot).values(**snapshot).returning(StatisticsSnapshot.id)
                ).scalar_one()
            for measure, tables in levels.items():
                _store(connection, snapshot_id, measure, *tables)
            seconds = time.monotonic() - started
            with connection.begin():
                stored = select(func.count()).where(lead_time_months.c.snapshot_id == snapshot_id)
                rows = connection.scalar(stored)
                connection.execute(
                    update(StatisticsSnapshot)
                    .where(StatisticsSnapshot.id == snapshot_id)
                    .values(completed_at=now, row_count=rows, seconds=seconds)
                )
            _drop_older(connection, snapshot_id)
            if connection.dialect.name == "postgresql":
                # fresh statistics, so the planner reads a slice through the right index
                # rather than whatever the last autovacuum saw
                with connection.begin():
                    connection.execute(text("ANALYZE lead_time_months"))
        finally:
            with connection.begin():
                metadata.drop_all(connection)
    return SnapshotSummary(snapshot_id, rows, seconds)


def _read(connection: Connection, now: datetime, offset: int, sectors: Table, levels) -> dict:
    """Tally every measure into its level tables, in one read of the live tables."""
    without_jit(connection)
    through = connection.scalar(select(func.max(Opportunity.id))) or 0
    before = now - SETTLE
    connection.execute(insert(sectors).from_select(["opportunity_id", "sector"], call_sectors()))
    for measure, (by_region, by_sector) in levels.items():
        if measure.family == ALERTS:
            covered = AlertDelivery.sent_at < before
        else:
            covered = Opportunity.id <= through
        for level in (by_region, by_sector):
            names = [name for name in level.c.keys() if name not in SUMMED]
            keys = {name: _key(measure, name, offset) for name in names}
            query = live_tally(measure, keys, [covered], sectors=sectors)
            connection.execute(insert(level).from_select([*keys, *SUMMED], query))
    return {
        "taken_at": now,
        "calls_through_id": through,
        "alerts_before": before,
        "offset_minutes": offset,
    }


def _levels(metadata: MetaData, measure: Measure) -> tuple[Table, Table]:
    """Temporary tables of the measure's facts by (month, region, its breakdowns) and by
    (month, region, sector, its breakdowns kept within a sector)."""
    within_sector = [name for name in measure.breakdowns if name != "buyer"]
    return (
        _level(metadata, f"statistics_{measure.key}", ["month", "region", *measure.breakdowns]),
        _level(
            metadata,
            f"statistics_{measure.key}_sectors",
            ["month", "region", "sector", *within_sector],
        ),
    )


def _level(metadata: MetaData, name: str, keys: list[str]) -> Table:
    columns = [Column(key, Date if key == "month" else String(20)) for key in keys]
    tally = [Column(name, Float if name == "sum_days" else Integer) for name in SUMMED]
    return Table(name, metadata, *columns, *tally, prefixes=["TEMPORARY"])


def _key(measure: Measure, name: str, offset: int):
    if name == "month":
        return local_month(family(measure.family).moment, offset)
    if name == "sector":
        return None  # live_tally's join to the call's sectors
    return attribute(name)


def _store(
    connection: Connection, snapshot_id: int, measure: Measure, by_region: Table, by_sector: Table
) -> None:
    """The slices stored_slices names, summed from the level tables, one short write
    transaction each."""
    for (one_region, one_sector), dimensions in stored_slices(measure).items():
        level = by_sector if one_sector else by_region
        for dimension in sorted(dimensions):
            region = level.c.region if one_region else literal(ANY, String(2))
            sector = level.c.sector if one_sector else literal(ANY, String(8))
            value = level.c[dimension] if dimension in BREAKDOWNS else literal(ANY, String(20))
            groups = [level.c.month]
            groups += [column for column in (region, sector, value) if isinstance(column, Column)]
            query = select(
                literal(snapshot_id),
                literal(measure.key, String(12)),
                region,
                sector,
                literal(dimension, String(10)),
                level.c.month,
                value,
                *(func.sum(level.c[name]) for name in SUMMED),
            ).group_by(*groups)
            with connection.begin():
                connection.execute(
                    insert(lead_time_months).from_select([*ROW_KEYS, *SUMMED], query)
                )


def _drop_older(connection: Connection, snapshot_id: int) -> None:
    """Rows of earlier (or abandoned) snapshots, deleted a slice at a time."""
    rows = lead_time_months.c
    with connection.begin():
        older = connection.execute(
            select(rows.snapshot_id, rows.measure, rows.dimension)
            .where(rows.snapshot_id != snapshot_id)
            .distinct()
        ).all()
    for old_id, measure, dimension in older:
        with connection.begin():
            connection.execute(
                delete(lead_time_months).where(
                    rows.snapshot_id == old_id, rows.measure == measure, rows.dimension == dimension
                )
            )
