"""How alert mail writes amounts, Lima dates, the time left to bid and reference names.

Amounts always follow CLDR es_PE (`S/ 3,099,000.00`: comma groups, point decimals), the way
Peruvian tender documents write them, whatever the reader's language; dates and words follow
the reader's language. Call these inside `flask_babel.force_locale(user.language)`.
"""

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_currency
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from notifications.schedule import LIMA
from portal.reference.models import ProcedureType

MONEY_LOCALE = "es_PE"
MISSING = "—"


def money(value: Decimal | None, currency: str = "PEN") -> str | None:
    """Soles as `S/ 3,099,000.00`, other currencies with their code (`USD 12,500.00`).

    CLDR puts a no-break space after the symbol; a plain one is written instead, so the
    amount reads and searches the same in every mail client."""
    if value is None:
        return None
    return format_currency(value, currency or "PEN", locale=MONEY_LOCALE).replace("\xa0", " ")


def lima_datetime(value: datetime) -> str:
    """`jueves, 5 de marzo de 2026, 17:00` in Lima time, in the current language."""
    local = value.astimezone(LIMA)
    locale = get_locale()
    return (
        f"{format_date(local, 'full', locale=locale)}, {format_time(local, 'short', locale=locale)}"
    )


def lima_date(value: datetime) -> str:
    """`5 de marzo de 2026`: the Lima calendar day of a stored UTC time."""
    return format_date(value.astimezone(LIMA), "long", locale=get_locale())


def planned_month(month: int, year: int) -> str:
    """`marzo de 2026`: the month a plan line expects its call in."""
    return format_skeleton("yMMMM", date(year, month, 1), locale=get_locale())


def time_left(deadline: datetime, now: datetime) -> str:
    """`quedan 3 días`, `cierra mañana`, `cierra hoy`: counted in Lima calendar days, since a
    bid due tomorrow at 09:00 is "tomorrow" for the reader at 20:00 today, not "0 days"."""
    if deadline <= now:
        return _("plazo vencido")
    days = (deadline.astimezone(LIMA).date() - now.astimezone(LIMA).date()).days
    if days == 0:
        return _("cierra hoy")
    if days == 1:
        return _("cierra mañana")
    return _("quedan %(num)d días", num=days)


def row_name(session: Session, model, key) -> str:
    """The reader's name for a reference row (region, procedure type) or a buyer; the key
    itself if it is unknown."""
    if key is None:
        return MISSING
    row = session.get(model, key)
    if row is None:
        return str(key)
    if isinstance(row, ProcedureType):
        return procedure_name(row)
    return row.name


def procedure_name(procedure: ProcedureType | None) -> str | None:
    if procedure is None:
        return None
    return procedure.name_en if get_locale().language == "en" else procedure.name_es
