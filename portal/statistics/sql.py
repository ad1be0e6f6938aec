"""The few SQL functions SQLite and PostgreSQL spell differently, as compiled constructs.

Everything else in the statistics is plain SQLAlchemy. These give the same numbers on both
databases: SQLite keeps times as UTC text (julianday reads it), PostgreSQL as timestamps.
Local dates use a fixed offset from UTC, not a zone name: SQLite knows no zones, and Peru has
kept UTC−5 without summer time since 1994. Offsets and constants are written into the SQL
rather than bound, so an expression in GROUP BY is the same text as in the select list (which
PostgreSQL requires).
"""

from sqlalchemy import Connection, Date, Float, Integer, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, literal_column


class days_between(FunctionElement):  # noqa: N801 (an SQL function's name)
    """(later - earlier) in days, with fractions; NULL if either is NULL. SQLite's date
    functions count whole milliseconds, so its difference is rounded to them: 8 days exactly
    is 8.0, not 7.99999999, on both databases (a histogram's bins start at whole days)."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(round((julianday({later}) - julianday({earlier})) * 86400000.0) / 86400000.0)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    # date_part gives a double directly; EXTRACT gives numeric (PostgreSQL 14 on), whose
    # arithmetic made a third of a million-alert tally's time
    return f"(date_part('epoch', ({later}) - ({earlier})) / 86400.0)"


class _LocalCalendar(FunctionElement):
    """A UTC time's local calendar date (or month) at `offset_minutes` from UTC. The offset is
    a clause of its own, so statements with different offsets never share a cached form."""

    type = Date()
    inherit_cache = True

    def __init__(self, moment: ColumnElement, offset_minutes: int) -> None:
        super().__init__(moment, literal_column(f"'{int(offset_minutes):+d} minutes'"))


def _moment_and_shift(element, compiler, **kw) -> tuple[str, str]:
    moment, shift = element.clauses.clauses
    return compiler.process(moment, **kw), shift.name


class local_date(_LocalCalendar):  # noqa: N801
    inherit_cache = True
    name = "local_date"


class local_month(_LocalCalendar):  # noqa: N801
    """The first day of the local month."""

    inherit_cache = True
    name = "local_month"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw) -> str:
    moment, shift = _moment_and_shift(element, compiler, **kw)
    return f"date({moment}, {shift})"


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw) -> str:
    moment, shift = _moment_and_shift(element, compiler, **kw)
    return f"date({moment}, {shift}, 'start of month')"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element, compiler, **kw) -> str:
    moment, shift = _moment_and_shift(element, compiler, **kw)
    return f"CAST(({moment}) + INTERVAL {shift} AS DATE)"


@compiles(local_month, "postgresql")
def _local_month_postgresql(element, compiler, **kw) -> str:
    moment, shift = _moment_and_shift(element, compiler, **kw)
    return f"CAST(date_trunc('month', ({moment}) + INTERVAL {shift}) AS DATE)"


class floor_int(FunctionElement):  # noqa: N801
    """The integer part of a number that is not negative (callers guard the sign)."""

    type = Integer()
    inherit_cache = True
    name = "floor_int"


@compiles(floor_int, "sqlite")
def _floor_int_sqlite(element, compiler, **kw) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


@compiles(floor_int, "postgresql")
def _floor_int_postgresql(element, compiler, **kw) -> str:
    return f"CAST(floor({compiler.process(element.clauses, **kw)}) AS INTEGER)"


def without_jit(connection: Connection | Session) -> None:
    """PostgreSQL would compile these wide aggregates (35 bins, a CASE each) to machine code
    before running them: seconds of JIT for a query that runs in less. Off for the current
    transaction (a request, or the snapshot's read); nothing to do on SQLite."""
    bind = connection if isinstance(connection, Connection) else connection.get_bind()
    if bind.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL jit = off"))
