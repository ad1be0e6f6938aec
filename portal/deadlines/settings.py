"""The floor an administrator sets for procedures without a legal minimum, in business days.

Kept in `site_settings` so the web workers, the scheduler and the CLI read the same value. No
row means no floor: such procedures are then never flagged.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from portal.admin.models import SiteSetting

FLOOR_SETTING = "deadlines.floor_business_days"
MAX_FLOOR_DAYS = 60  # beyond any legal minimum (22); a larger number is a typo


def admin_floor(session: Session) -> int | None:
    """The floor, or None when none is set (or the stored text is not a usable number)."""
    setting = session.get(SiteSetting, FLOOR_SETTING)
    if setting is None or not setting.value.isdigit():
        return None
    days = int(setting.value)
    return days if 1 <= days <= MAX_FLOOR_DAYS else None


def save_admin_floor(session: Session, days: int | None, user_id: int, now: datetime) -> None:
    """Set the floor (None removes it); flushed, committed by the caller."""
    setting = session.get(SiteSetting, FLOOR_SETTING)
    if days is None:
        if setting is not None:
            session.delete(setting)
    elif setting is None:
        session.add(
            SiteSetting(key=FLOOR_SETTING, value=str(days), updated_at=now, updated_by_id=user_id)
        )
    else:
        setting.value, setting.updated_at, setting.updated_by_id = str(days), now, user_id
    session.flush()
