"""When a delivery is due: now for immediate alerts, the user's next digest hour otherwise.

Digest hours are Lima hours (Peru keeps no daylight saving, but the zone is named rather than
fixed at -05:00 so a change of rule needs no code). Weekly digests go out on Mondays.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from portal.subscriptions.models import Frequency

LIMA = ZoneInfo("America/Lima")
WEEKLY_DIGEST_WEEKDAY = 0  # Monday


def next_digest_at(frequency: Frequency, hour: int, now: datetime) -> datetime:
    """The first digest slot strictly after `now` (aware, UTC in and out semantics kept)."""
    local = now.astimezone(LIMA)
    slot = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if slot <= local:
        slot += timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        slot += timedelta(days=(WEEKLY_DIGEST_WEEKDAY - slot.weekday()) % 7)
    return slot.astimezone(now.tzinfo)


def due_at(frequency: Frequency, hour: int, now: datetime) -> datetime:
    """When a delivery recorded at `now` for a subscription of this frequency is due."""
    if frequency == Frequency.IMMEDIATE:
        return now
    return next_digest_at(frequency, hour, now)


def quiet_until(from_hour: int | None, until_hour: int | None, now: datetime) -> datetime | None:
    """The end of the user's quiet hours if `now` falls inside them, else None.

    Hours are Lima hours; a window may cross midnight (22 -> 7).
    """
    if from_hour is None or until_hour is None or from_hour == until_hour:
        return None
    local = now.astimezone(LIMA)
    hour = local.hour
    inside = (
        from_hour <= hour < until_hour
        if from_hour < until_hour
        else (hour >= from_hour or hour < until_hour)
    )
    if not inside:
        return None
    end = local.replace(hour=until_hour, minute=0, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(now.tzinfo)
