"""One request's view of the statistics: its filters, the snapshot it reads, and each tally
asked for, computed once however many figures use it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.buyers.models import Buyer
from portal.labels import OBJECT_TYPE_LABELS
from portal.opportunities.facets import sector_names
from portal.reference.departments import departments_in_order
from portal.reference.models import Department, ProcedureType, Sector, SizeClass
from portal.statistics.live import PAIRABLE, tallies_by_month_and
from portal.statistics.measures import Measure
from portal.statistics.models import UNKNOWN, StatisticsSnapshot
from portal.statistics.tallies import tallies
from portal.statistics.tally import Filters, Tally
from scrapers.models import Source


def current_snapshot(session: Session) -> StatisticsSnapshot | None:
    query = (
        select(StatisticsSnapshot)
        .where(StatisticsSnapshot.completed_at.is_not(None))
        .order_by(StatisticsSnapshot.id.desc())
        .limit(1)
    )
    return session.scalar(query)


@dataclass
class Dashboard:
    session: Session
    filters: Filters
    offset_minutes: int
    now: datetime
    snapshot: StatisticsSnapshot | None
    breakdown: str = "region"
    public: bool = False
    _memo: dict = field(default_factory=dict)

    def tallies(
        self,
        measure: Measure,
        dimension: str,
        values: list[str] | None = None,
        top: int | None = None,
        rank_by: str = "short",
    ) -> dict:
        if self.snapshot is None:
            paired = self._paired(measure, dimension)
            if paired is not None:
                return _chosen(paired, values, top, rank_by)
        key = (measure.key, dimension, tuple(values) if values is not None else None, top, rank_by)
        return self.once(
            key,
            lambda: tallies(
                self.session,
                measure,
                self.filters,
                dimension,
                self.offset_minutes,
                self.snapshot,
                values,
                top,
                rank_by,
            ),
        )

    def _paired(self, measure: Measure, dimension: str) -> dict | None:
        """Without a snapshot, months and the page's breakdown (or sources, for the delay to
        first sight) come from one live pass (and are summed here, a few thousand groups at
        most); None for any other slice."""
        second = "source" if measure.key == "seen_delay" else self.breakdown
        if dimension not in ("month", second) or second not in PAIRABLE:
            return None
        pairs = self.once(
            (measure.key, "month and", second),
            lambda: tallies_by_month_and(
                self.session, measure, self.filters, second, self.offset_minutes
            ),
        )
        return self.once((measure.key, "summed by", dimension), lambda: _summed(pairs, dimension))

    def once(self, key, compute: Callable):
        """compute() the first time `key` is asked for in this request, the same answer after."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def total(self, measure: Measure) -> Tally:
        """The whole range: its months added up (so it costs no query of its own)."""
        total = Tally(measure.bins)
        for month in self.tallies(measure, "month").values():
            total = total + month
        return total

    def months(self) -> list[date]:
        """Every month the range touches, first days, even months with no facts."""
        month, months = self.filters.start.replace(day=1), []
        while month <= self.filters.end:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months

    def names(self, dimension: str, keys) -> dict[str, str]:
        """Readers' names for breakdown keys; UNKNOWN reads "Sin dato"."""
        keys = [key for key in keys if key != UNKNOWN]
        names = {UNKNOWN: _("Sin dato")}
        english = str(get_locale()) == "en"
        if dimension == "sector":
            return names | sector_names(self.session, keys)
        if dimension == "object":
            return names | {key: str(OBJECT_TYPE_LABELS.get(key, key)) for key in keys}
        rows = {
            "region": lambda: select(Department.code, Department.name),
            "size": lambda: select(SizeClass.code, SizeClass.name_es),
            "procedure": lambda: select(
                ProcedureType.code, ProcedureType.name_en if english else ProcedureType.name_es
            ),
            "buyer": lambda: select(Buyer.id, Buyer.name).where(
                Buyer.id.in_([int(key) for key in keys if key.isdigit()])
            ),
            "source": lambda: select(Source.id, Source.name),
        }[dimension]()
        return names | {str(code): name for code, name in self.session.execute(rows)}

    def sectors(self) -> list[tuple[str, str]]:
        english = str(get_locale()) == "en"
        name = Sector.name_en if english else Sector.name_es
        query = select(Sector.code, name).where(Sector.level == "segment").order_by(Sector.code)
        return [(code, label) for code, label in self.session.execute(query)]

    def regions(self) -> list[tuple[str, str]]:
        return [(d.code, d.name) for d in departments_in_order(self.session)]


def _summed(pairs: dict, dimension: str) -> dict:
    position = 0 if dimension == "month" else 1
    summed: dict = {}
    for pair, tally in pairs.items():
        key = pair[position]
        summed[key] = summed[key] + tally if key in summed else tally
    return summed


def _chosen(summed: dict, values: list[str] | None, top: int | None, rank_by: str) -> dict:
    """What tallies() with `values` or `top` would keep, from tallies already summed: the
    same order (most `rank_by`, then most facts, then the key)."""
    if values is not None:
        summed = {key: summed[key] for key in values if key in summed}
    if top is None:
        return summed
    ranked = sorted(
        summed, key=lambda key: (-getattr(summed[key], rank_by), -summed[key].facts, key)
    )
    return {key: summed[key] for key in ranked[:top]}
