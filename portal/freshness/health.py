"""A source's health, and the one rule for when it is stale: the page and the banner both ask it.

A source is stale when it has had no successful run for longer than three of its intervals, and
never sooner than a day (an hourly source missing a few runs is not news). A source that never
succeeded counts from its first run; one that has not run yet is waiting, not stale.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

STALE_INTERVALS = 3
STALE_FLOOR = timedelta(hours=24)


class HealthState(enum.StrEnum):
    HEALTHY = "healthy"
    FAILING = "failing"
    STALE = "stale"
    WAITING = "waiting"  # no run yet


@dataclass(frozen=True)
class Health:
    state: HealthState
    failures: int  # consecutive failed runs, up to now
    last_error: str | None  # the latest failure, in plain words
    stale_after: timedelta


def stale_after(interval_minutes: int) -> timedelta:
    return max(STALE_INTERVALS * timedelta(minutes=interval_minutes), STALE_FLOOR)


def is_stale(
    last_success_at: datetime | None,
    first_run_at: datetime | None,
    interval_minutes: int,
    now: datetime,
) -> bool:
    """No success for longer than `stale_after`, counted from the first run if none ever was."""
    since = last_success_at or first_run_at
    return since is not None and now - since > stale_after(interval_minutes)


def source_health(
    last_success_at: datetime | None,
    first_run_at: datetime | None,
    interval_minutes: int,
    failures: int,
    last_error: str | None,
    now: datetime,
) -> Health:
    """Stale outranks failing: a failure is news only while the data is still recent."""
    if is_stale(last_success_at, first_run_at, interval_minutes, now):
        state = HealthState.STALE
    elif failures > 0:
        state = HealthState.FAILING
    elif last_success_at is None:  # not run yet, or its first run is under way
        state = HealthState.WAITING
    else:
        state = HealthState.HEALTHY
    return Health(state, failures, last_error if failures else None, stale_after(interval_minutes))
