"""How long a call stays open, said the way people say it: "cierra hoy a las 16:30".

Counting whole 24-hour periods gave "(0 días)" for a deadline tomorrow at 04:15; the bidder
plans by calendar days in Lima, so the words compare local dates and name the hour when the
deadline is today or tomorrow.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext


def time_left_text(deadline_at: datetime | None, now: datetime) -> str | None:
    """The words for the time left, or None when there is no deadline or it has passed."""
    if deadline_at is None or deadline_at <= now:
        return None
    zone = ZoneInfo(current_app.config["PORTAL_TIMEZONE"])
    deadline, today = deadline_at.astimezone(zone), now.astimezone(zone).date()
    days = (deadline.date() - today).days
    hour = deadline.strftime("%H:%M")
    if days == 0:
        return _("cierra hoy a las %(hour)s", hour=hour)
    if days == 1:
        return _("cierra mañana a las %(hour)s", hour=hour)
    return ngettext("queda %(num)d día", "quedan %(num)d días", days)
