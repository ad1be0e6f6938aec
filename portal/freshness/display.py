"""How /fuentes words its times: durations in hours or days, moments as "hace 3 horas"."""

from datetime import datetime

from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _


def duration_text(days: float | None) -> str:
    """Hours under two days (a delay of 30 hours is not "1 día"), whole days above."""
    if days is None:
        return _("sin datos")
    hours = days * 24
    if hours < 1:
        return _("menos de 1 hora")
    if hours < 47.5:
        return ngettext("%(num)d hora", "%(num)d horas", round(hours))
    return ngettext("%(num)d día", "%(num)d días", round(days))


def time_ago(moment: datetime, now: datetime) -> str:
    """ "hace 3 horas" in Spanish, "3 hours ago" in English (Babel's own wording)."""
    return format_timedelta(moment - now, add_direction=True)
