"""The search's filters, written once, as array operations over document columns.

A search is one row of criteria checked against every document of an index part; the alert
matcher checks many rows at once (one per subscription) against (subscription, document)
pairs. Both call `filter_masks`, so an alert matches exactly what its saved search would show.

Set filters (regions, buyers, sectors...) are kept as sorted keys `row * WIDTH + value code`:
for a search with its single row 0 a key is the value code itself, and for the matcher the
same lookup tells whether a pair's subscription allows its document's value.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from portal.search.arrays import VOCABULARIES
from portal.search.params import SearchParams

WIDTH = np.int64(1 << 32)  # above any value code or buyer id
SET_FILTERS = {  # criteria field -> (SearchParams field, column, vocabulary or None for ids)
    "kinds": ("kinds", "kind", "kind"),
    "statuses": ("statuses", "status", "status"),
    "regions": ("regions", "region", "region"),
    "object_types": ("object_types", "object_type", "object_type"),
    "procedure_types": ("procedure_types", "procedure_type", "procedure_type"),
    "deadline_checks": ("deadline_checks", "deadline_check", "deadline_check"),
    "buyers": ("buyer_ids", "buyer", None),
    "sectors": ("sectors", None, "sectors"),
}
PLAN_LINE, OPEN = "plan_line", "open"
LIMA = ZoneInfo("America/Lima")  # whose dates "today" means, wherever the portal runs


@dataclass(frozen=True)
class Allowed:
    """One set filter over many criteria rows: which rows use it, and the keys they allow."""

    filtering: np.ndarray  # bool per row; a row that does not filter allows every value
    keys: np.ndarray  # sorted int64 keys row * WIDTH + code

    def used(self) -> bool:
        return bool(self.filtering.any())

    def allows(self, rows, codes: np.ndarray) -> np.ndarray:
        wanted = np.asarray(rows, dtype=np.int64) * WIDTH + codes.astype(np.int64)
        return ~self.filtering[rows] | contains(self.keys, wanted)


@dataclass(frozen=True)
class Criteria:
    """The filters of one or many searches; row i holds search i. NaN means "no bound"."""

    sets: dict[str, Allowed]
    value_min: np.ndarray
    value_max: np.ndarray
    size_limit: np.ndarray
    published_within: np.ndarray  # days
    closing_within: np.ndarray  # days

    def __len__(self) -> int:
        return len(self.value_min)


def contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """keys ∈ sorted_keys, element-wise, by binary search (the key sets can be millions)."""
    if len(sorted_keys) == 0:
        return np.zeros(np.shape(keys), dtype=bool)
    positions = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[positions] == keys


def _codes(vocabulary: str | None, values) -> list[int]:
    """Value codes the documents use; a value no document holds has none (it allows nothing)."""
    if vocabulary is None:
        return [int(value) for value in values]
    codes = VOCABULARIES[vocabulary].codes
    return [codes[value] for value in values if value in codes]


def _bound(values) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def criteria_of(searches: Sequence[SearchParams], size_limits: Mapping[str, float]) -> Criteria:
    """Criteria rows for searches; `size_limits` gives the value limit of each size class used
    (portal.search.size.size_value_limit, which depends on the day's UIT)."""
    sets = {}
    for name, (field, _column, vocabulary) in SET_FILTERS.items():
        filtering = np.zeros(len(searches), dtype=bool)
        keys: list[int] = []
        for row, params in enumerate(searches):
            values = getattr(params, field)
            if values:
                filtering[row] = True
                keys.extend(row * int(WIDTH) + code for code in _codes(vocabulary, values))
        sets[name] = Allowed(filtering, np.unique(np.array(keys, dtype=np.int64)))
    return Criteria(
        sets=sets,
        value_min=_bound(params.value_min for params in searches),
        value_max=_bound(params.value_max for params in searches),
        size_limit=_bound(
            size_limits[params.size_class] if params.size_class else None for params in searches
        ),
        published_within=_bound(params.published_within_days for params in searches),
        closing_within=_bound(params.closing_within_days for params in searches),
    )


def expired_open(columns: Mapping[str, np.ndarray], now: float) -> np.ndarray:
    """Open in the source but past its deadline: no longer "open" to a bidder."""
    is_open = columns["status"] == VOCABULARIES["status"].codes.get(OPEN, -1)
    return is_open & (columns["deadline"] <= now)


def _at(rows, index: np.ndarray):
    """The criteria row of each selected element (a single search's row is the scalar 0)."""
    return rows if np.ndim(rows) == 0 else rows[index]


def _any_sector(
    allowed: Allowed, rows, count: int, sector_owner: np.ndarray, sector_code: np.ndarray
) -> np.ndarray:
    """Elements holding at least one allowed sector (documents carry several)."""
    wanted = np.asarray(_at(rows, sector_owner), dtype=np.int64) * WIDTH + sector_code
    holds = np.zeros(count, dtype=bool)
    holds[sector_owner[contains(allowed.keys, wanted)]] = True
    return ~allowed.filtering[rows] | holds


def filter_masks(
    columns: Mapping[str, np.ndarray],
    sectors: tuple[np.ndarray, np.ndarray],
    rows,
    criteria: Criteria,
    now: float,
) -> dict[str, np.ndarray]:
    """One boolean mask per filter in use, keyed by the facet it must not narrow.

    `columns` are document columns (value codes, as portal.search.arrays reads them) aligned
    with `rows`, the criteria row of each element; `sectors` is (element, sector code) per
    sector a document holds. Plan lines have no status: the status filter lets them through.
    """
    count = len(columns["kind"])
    masks: dict[str, np.ndarray] = {}
    for name, (_field, column, _vocabulary) in SET_FILTERS.items():
        allowed = criteria.sets[name]
        if not allowed.used():
            continue
        if name == "sectors":
            masks["sector"] = _any_sector(allowed, rows, count, *sectors)
        elif name == "statuses":
            is_plan = columns["kind"] == VOCABULARIES["kind"].codes.get(PLAN_LINE, -1)
            status_ok = allowed.allows(rows, columns["status"]) & ~expired_open(columns, now)
            masks["status"] = is_plan | status_ok
        else:
            masks[column] = allowed.allows(rows, columns[column])
    masks.update(_range_masks(columns, rows, criteria, now))
    return masks


def _range_masks(columns, rows, criteria: Criteria, now: float) -> dict[str, np.ndarray]:
    """Bounds on value and dates; an unknown value (-1) passes only a lower bound of none."""
    value, published, deadline = columns["value"], columns["published"], columns["deadline"]
    masks = {}

    def bound(name: str):
        values = getattr(criteria, name)
        return None if np.isnan(values).all() else values[rows]

    if (minimum := bound("value_min")) is not None:
        masks["value_min"] = np.isnan(minimum) | (value >= minimum)
    if (maximum := bound("value_max")) is not None:
        masks["value_max"] = np.isnan(maximum) | ((value >= 0) & (value <= maximum))
    if (limit := bound("size_limit")) is not None:
        masks["size"] = np.isnan(limit) | ((value >= 0) & (value <= limit))
    if (days := bound("published_within")) is not None:
        masks["published"] = np.isnan(days) | (published >= now - days * 86400)
    if (days := bound("closing_within")) is not None:
        horizon = np.where(days == 0, _last_instant_of_lima_day(now), now + days * 86400)
        masks["closing"] = np.isnan(days) | ((deadline >= now) & (deadline <= horizon))
    return masks


def _last_instant_of_lima_day(now: float) -> float:
    """Closing "in the next 0 days" is closing today: before the Lima date's midnight."""
    today = datetime.fromtimestamp(now, LIMA).date()
    midnight = datetime.combine(today + timedelta(days=1), time(), LIMA).timestamp()
    return float(np.nextafter(midnight, -np.inf))
