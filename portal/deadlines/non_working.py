"""Non-working days the government decrees besides the public holidays, as administrators
record them at /admin/plazos.

Peru declares such days for the public sector by supreme decree, often weeks ahead and beside
a holiday ("día no laborable"); no holidays library lists them, so business-day counts
(portal.deadlines.business_days) take them from here. One `site_settings` row per day, keyed
by its date, its value the decree or reason, so web workers, the scheduler and the CLI read
the same days.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.admin.models import SiteSetting

PREFIX = "deadlines.non_working_day."
MAX_NOTE_LENGTH = 200  # site_settings.value


@dataclass(frozen=True)
class NonWorkingDay:
    day: date
    note: str  # the decree, or why the day is not worked
    updated_at: datetime


def _key(day: date) -> str:
    return f"{PREFIX}{day.isoformat()}"


def _day(key: str) -> date | None:
    try:
        return date.fromisoformat(key.removeprefix(PREFIX))
    except ValueError:
        return None


def non_working_days(session: Session) -> list[NonWorkingDay]:
    """Every recorded day, earliest first; a row whose key is not a date is ignored."""
    rows = session.scalars(
        select(SiteSetting).where(SiteSetting.key.startswith(PREFIX, autoescape=True))
    )
    days = [
        NonWorkingDay(day, row.value, row.updated_at)
        for row in rows
        if (day := _day(row.key)) is not None
    ]
    return sorted(days, key=lambda item: item.day)


def save_non_working_day(
    session: Session, day: date, note: str, user_id: int, now: datetime
) -> None:
    """Record a day (or change its note); flushed, committed by the caller."""
    setting = session.get(SiteSetting, _key(day))
    if setting is None:
        setting = SiteSetting(key=_key(day))
        session.add(setting)
    setting.value, setting.updated_at, setting.updated_by_id = note, now, user_id
    session.flush()


def remove_non_working_day(session: Session, day: date) -> bool:
    """False if the day was not recorded."""
    setting = session.get(SiteSetting, _key(day))
    if setting is None:
        return False
    session.delete(setting)
    session.flush()
    return True
