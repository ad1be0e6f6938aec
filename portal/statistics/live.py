"""Counting facts live, from the calls and alerts tables: grouped by key and bin first (one
bin computation per fact), the bins spread into columns afterwards."""

from collections.abc import Sequence

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    String,
    case,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from portal.opportunities.models import Opportunity
from portal.statistics.measures import (
    ALERTS,
    ATTRIBUTE_COLUMNS,
    Measure,
    attribute,
    attribute_in,
    dated_between,
    family,
    in_region,
    in_sector,
    measured_value,
    minimum_flag,
    sector_join,
    short_flag,
)
from portal.statistics.models import ANY, BIN_COLUMNS
from portal.statistics.sql import local_month
from portal.statistics.tally import BIN, KEY, SUMMED, Filters, Tally, tally_from_row


def filter_conditions(
    measure: Measure,
    filters: Filters,
    dimension: str,
    drive: bool,
    values: Sequence[str] | None = None,
) -> list[ColumnElement[bool]]:
    """The region and sector filters; `drive` when they, not the date, select the facts.
    Driving alerts, the breakdown `values` asked for (a page's top entities) are also said
    of their column, so only those calls' alerts are read rather than every alert joined to
    every call first (calls are read whole by either form: SQLite is slower with it)."""
    conditions = []
    if filters.region is not None:
        conditions.append(in_region(filters.region, drive))
    if filters.sector is not None and dimension != "sector":  # that join names its sector
        conditions.append(in_sector(measure.family, filters.sector, drive))
    if drive and values is not None and measure.family == ALERTS and dimension in ATTRIBUTE_COLUMNS:
        conditions.append(attribute_in(dimension, values))
    return conditions


def fact_rows(
    measure: Measure,
    keys: dict[str, ColumnElement | None],
    conditions: Sequence[ColumnElement[bool]],
    values: Sequence[str] | None = None,
    sectors: FromClause | None = None,
    sector: str | None = None,
) -> tuple[FromClause, dict[str, ColumnElement], list[ColumnElement[bool]]]:
    """(FROM, keys, WHERE) of the facts live_tally counts (its arguments mean the same): the
    sector key, given as None, becomes the joined sector's column."""
    facts = family(measure.family)
    source: FromClause = facts.source
    where = [*facts.conditions, *conditions]
    if any(key is None for key in keys.values()):
        if sectors is not None:
            source = source.join(sectors, sectors.c.opportunity_id == Opportunity.id)
            sector_key = sectors.c.sector
        else:
            source, sector_key = sector_join(source)
        keys = {name: sector_key if key is None else key for name, key in keys.items()}
        if sector is not None:
            where.append(sector_key == sector)
    if values is not None:
        where.append(keys[KEY].in_(list(values)))
    return source, keys, where


def live_tally(
    measure: Measure,
    keys: dict[str, ColumnElement | None],
    conditions: Sequence[ColumnElement[bool]],
    values: Sequence[str] | None = None,
    sectors: FromClause | None = None,
    sector: str | None = None,
    columns: tuple[str, ...] = SUMMED,
) -> Select:
    """Facts grouped by `keys` ({label: expression}), one row per key with the tally's
    `columns` (bins spread as b00...b34). A key given as None is the sector: each call joins
    its sectors, from `sectors` ((opportunity_id, sector) rows) if given; `sector` keeps
    only that one. `values` keeps the facts whose KEY is one of them."""
    source, keys, where = fact_rows(measure, keys, conditions, values, sectors, sector)
    # Each fact's value once: SQLite evaluates an expression again wherever it appears (the
    # bin's CASE alone names it four times), so it reads the facts from a materialized CTE;
    # PostgreSQL inlines the CTE.
    facts_cte = (
        select(
            *(key.label(name) for name, key in keys.items()),
            measured_value(measure).label("value"),
            short_flag().label("short"),
            minimum_flag().label("with_minimum"),
        )
        .select_from(source)
        .where(*where)
        .cte("facts")
        .prefix_with("MATERIALIZED", dialect="sqlite")
    )
    value = facts_cte.c.value
    binned = BIN_COLUMNS[0] in columns
    groups = [*keys, BIN] if binned else list(keys)
    counted = {
        "facts": func.count(),
        "measured": func.count(value),
        "sum_days": func.sum(value),
        "short": func.sum(facts_cte.c.short),
        "with_minimum": func.sum(facts_cte.c.with_minimum),
    }
    # the bins spread `measured`, so binned tallies count it even when not asked for it
    totals = [name for name in counted if name in columns or (binned and name == "measured")]
    narrow = (
        select(
            *(facts_cte.c[name] for name in keys),
            *([measure.bins.index_sql(value).label(BIN)] if binned else []),
            *(counted[name].label(name) for name in totals),
        )
        # by label: the same text in SELECT and GROUP BY whatever the expressions bind
        .group_by(*(literal_column(name) for name in groups))
        .subquery("narrow")
    )
    sums = {name: func.coalesce(func.sum(narrow.c[name]), 0) for name in totals}
    for index, name in enumerate(BIN_COLUMNS if binned else ()):
        sums[name] = func.sum(case((narrow.c[BIN] == index, narrow.c.measured), else_=0))
    return select(
        *(narrow.c[name] for name in keys), *(sums[name].label(name) for name in columns)
    ).group_by(*(narrow.c[name] for name in keys))


def live_key(measure: Measure, dimension: str, offset_minutes: int) -> ColumnElement | None:
    """A fact's key for the dimension; None for the sector, which live_tally joins."""
    if dimension == "month":
        return local_month(family(measure.family).moment, offset_minutes)
    if dimension == "total":
        return literal(ANY, String(20))
    if dimension == "sector":
        return None
    return attribute(dimension)


SECOND = "tally_second_key"
# one value per fact, and few of them (a pair per buyer and month would be tens of thousands)
PAIRABLE = ("region", "procedure", "object", "source")


def tallies_by_month_and(
    session: Session, measure: Measure, filters: Filters, dimension: str, offset_minutes: int
) -> dict[tuple, Tally]:
    """{(month, key): Tally}, counted live in one reading of the facts: without a snapshot,
    a page's months and its breakdown cost one pass instead of two. Only for dimensions with
    one value per fact (PAIRABLE), whose pairs add up to the months' totals."""
    if dimension not in PAIRABLE:
        raise ValueError(f"{dimension} is not one value per fact")
    keys = {
        KEY: live_key(measure, "month", offset_minutes),
        SECOND: live_key(measure, dimension, offset_minutes),
    }
    dated = dated_between(measure.family, filters.start, filters.end, offset_minutes)
    filtered = filter_conditions(measure, filters, dimension, drive=True)
    query = live_tally(measure, keys, [dated, *filtered])
    rows = session.execute(query)
    return {(row[0], row[1]): tally_from_row(measure.bins, row[1:]) for row in rows}
