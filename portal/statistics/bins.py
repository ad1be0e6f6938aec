"""Histogram bins of a measure, in SQL and in Python, and what follows from their counts.

Every measure has `BIN_COUNT` bins: one below zero, `regular` bins of `step` days from zero,
then wider tail bins, the last one open. One-day bins up to 30 days make the histogram of lead
times exact to the day where the legal minimums lie; the median is read from the bins
(interpolated within the bin that holds the middle), so it adds up across months and slices
like the counts do.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, literal_column, null

from portal.statistics.models import BIN_COUNT
from portal.statistics.sql import floor_int


@dataclass(frozen=True)
class Bins:
    """Edges in units of 1/`unit` of a day (24: hours): `regular` bins of `step` units from
    zero, then the `tail` edges."""

    step: int
    regular: int
    tail: tuple[int, ...]
    unit: int = 1

    def __post_init__(self) -> None:
        if self.regular + len(self.tail) + 2 != BIN_COUNT:
            raise ValueError("a measure's bins must number BIN_COUNT")

    @property
    def edges(self) -> tuple[float, ...]:
        """The finite edges in days: bin k (1 <= k < BIN_COUNT - 1) is [edges[k-1], edges[k])."""
        units = (*(self.step * number for number in range(self.regular + 1)), *self.tail)
        return tuple(edge / self.unit for edge in units)

    def bounds(self, index: int) -> tuple[float | None, float | None]:
        """[low, high) of bin `index` in days; None for the open side of the first and last."""
        edges = self.edges
        low = edges[index - 1] if index > 0 else None
        high = edges[index] if index < len(edges) else None
        return low, high

    def index(self, days: float) -> int:
        """Which bin a value falls in (what `index_sql` computes in the database)."""
        scaled = days * self.unit
        if scaled < 0:
            return 0
        if scaled < self.step * self.regular:
            return int(scaled // self.step) + 1
        for position, edge in enumerate(self.tail):
            if scaled < edge:
                return self.regular + 1 + position
        return BIN_COUNT - 1

    def index_sql(self, days: ColumnElement) -> ColumnElement[int]:
        """The bin of an SQL value (NULL for NULL): arithmetic for the regular bins, since
        SQLite evaluates `days` again in each branch a CASE tries."""
        scaled = days if self.unit == 1 else days * _number(f"{self.unit}.0")
        steps = scaled if self.step == 1 else scaled / _number(f"{self.step}.0")
        whens = [
            (days.is_(None), null()),
            (scaled < _number(0), _number(0)),
            (scaled < _number(self.step * self.regular), floor_int(steps) + _number(1)),
        ]
        for position, edge in enumerate(self.tail):
            whens.append((scaled < _number(edge), _number(self.regular + 1 + position)))
        return case(*whens, else_=_number(BIN_COUNT - 1))

    def label(self, index: int) -> str:
        """ "8" for [8, 9) days, "30–44", "≥ 90", "< 0"; in hours ("3 h") below a day."""
        low, high = self.bounds(index)
        if low is None:
            return "< 0"
        if high is None:
            return f"≥ {low:g}"
        if high <= 1 and self.unit > 1:
            return f"{low * 24:g}–{high * 24:g} h"
        if high - low == 1:
            return f"{low:g}"
        return f"{low:g}–{high - 1:g}"


def _number(value) -> ColumnElement:
    """A constant written into the SQL (see portal.statistics.sql)."""
    return literal_column(str(value))


LEAD_BINS = Bins(step=1, regular=30, tail=(45, 60, 90))  # days to a deadline
NOTICE_BINS = Bins(step=15, regular=30, tail=(540, 730, 1095))  # a plan's notice, in days
# the delay to our first sight is hours, hourly for the first day
DELAY_BINS = Bins(step=1, regular=24, tail=(48, 72, 96, 120, 168, 240, 336, 720, 1440), unit=24)


def median(bins: Bins, counts: tuple[int, ...]) -> float | None:
    """The grouped median: the bin holding the middle value, and within it the share of the
    way the middle lies, assuming values spread evenly. In an open bin, its finite edge."""
    total = sum(counts)
    if total == 0:
        return None
    middle = total / 2
    below = 0
    for index, count in enumerate(counts):
        if count and below + count >= middle:
            low, high = bins.bounds(index)
            if low is None:
                return float(high)
            if high is None:
                return float(low)
            return low + (middle - below) / count * (high - low)
        below += count
    return None  # unreachable: the counts sum to total
