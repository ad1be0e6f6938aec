"""Which year's UIT applies now: Peru's fiscal year, unless PORTAL_UIT_YEAR pins one."""

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

# The UIT is set per Peruvian fiscal year, so the year turns at midnight in Lima, not in UTC.
FISCAL_ZONE = ZoneInfo("America/Lima")


def current_uit_year(config: Mapping, now: datetime) -> int:
    """The year to pass to uit_for_year: PORTAL_UIT_YEAR when set, else `now`'s year in Lima."""
    pinned = config.get("PORTAL_UIT_YEAR")
    if pinned:
        return int(pinned)
    return now.astimezone(FISCAL_ZONE).year
