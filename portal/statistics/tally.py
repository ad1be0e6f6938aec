"""A tally: the counts, sum of days and histogram of one measure over some facts, and the
filters a dashboard asks for them with. Tallies of disjoint facts add up."""

from dataclasses import dataclass, field
from datetime import date

from portal.statistics.bins import Bins, median
from portal.statistics.models import BIN_COLUMNS, BIN_COUNT

BREAKDOWNS = ("buyer", "procedure", "object", "source")  # stored as `dimension` rows
KEY, BIN = "tally_key", "tally_bin"
SUMMED = ("facts", "measured", "sum_days", "short", "with_minimum", *BIN_COLUMNS)


@dataclass(frozen=True)
class Filters:
    start: date  # Lima dates, both included
    end: date
    region: str | None = None  # UBIGEO department code
    sector: str | None = None  # UNSPSC segment code (8 digits)


@dataclass(frozen=True)
class Tally:
    """Counts, sum and histogram of one measure over some facts; tallies of disjoint facts
    add up."""

    bins: Bins
    facts: int = 0
    measured: int = 0
    sum_days: float = 0.0
    short: int = 0
    with_minimum: int = 0
    counts: tuple[int, ...] = field(default=(0,) * BIN_COUNT)

    @property
    def mean(self) -> float | None:
        return self.sum_days / self.measured if self.measured else None

    @property
    def median(self) -> float | None:
        return median(self.bins, self.counts)

    @property
    def share_short(self) -> float | None:
        """Calls below their minimum among those with a known minimum."""
        return self.short / self.with_minimum if self.with_minimum else None

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            self.bins,
            self.facts + other.facts,
            self.measured + other.measured,
            self.sum_days + other.sum_days,
            self.short + other.short,
            self.with_minimum + other.with_minimum,
            tuple(mine + theirs for mine, theirs in zip(self.counts, other.counts, strict=True)),
        )


def tally_from_row(bins: Bins, row) -> Tally:
    """A Tally from a result row: its key, then the SUMMED columns (NULL sums are 0)."""
    values = [value or 0 for value in row[1:]]
    facts, measured, sum_days, short, with_minimum = values[:5]
    return Tally(
        bins,
        int(facts),
        int(measured),
        float(sum_days),
        int(short),
        int(with_minimum),
        tuple(int(count) for count in values[5:]),
    )
