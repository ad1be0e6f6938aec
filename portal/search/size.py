"""Which notices suit a micro, small or medium business, from their estimated value."""

from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.size import uit_for_year
from portal.reference.models import SizeClass
from portal.reference.uit import current_uit_year

# A contract worth more than half of the most a firm of the class may sell in a year would
# take most of its capacity, and guarantees and financial requirements grow with the value.
SHARE_OF_ANNUAL_SALES = Decimal("0.5")


def _uit(session: Session, now: datetime) -> tuple[int, Decimal]:
    """The UIT year in force (PORTAL_UIT_YEAR or the year in Lima) and its value in soles."""
    year = current_uit_year(current_app.config, now)
    return year, uit_for_year(session, year)


def size_value_limit(session: Session, size_class: str, now: datetime) -> float:
    """Highest estimated value (in soles) that still suits `size_class` at `now`."""
    max_sales_uit = session.scalar(
        select(SizeClass.max_annual_sales_uit).where(SizeClass.code == size_class)
    )
    if max_sales_uit is None:
        raise LookupError(f"unknown size class {size_class!r}")
    return float(SHARE_OF_ANNUAL_SALES * max_sales_uit * _uit(session, now)[1])


def size_rule_help(session: Session, now: datetime) -> str | None:
    """The rule in words, its figures read from the size classes and UIT tables of the day;
    None before `portal load-reference` has filled them (the page then leaves the help out)."""
    ceilings = dict(session.execute(select(SizeClass.code, SizeClass.max_annual_sales_uit)).all())
    try:
        year, uit = _uit(session, now)
    except LookupError:
        return None
    if not {"micro", "small", "medium"} <= ceilings.keys():
        return None
    micro_sales = ceilings["micro"] * uit

    def amount(value) -> str:
        return format_decimal(value, format="#,##0")

    return _(
        "Una convocatoria se considera adecuada para una micro, pequeña o mediana empresa "
        "cuando su valor estimado no supera la mitad (%(share)s %%) de las ventas anuales "
        "máximas que la ley permite a ese tamaño de empresa (Ley 30056: %(micro)s UIT para la "
        "microempresa, %(small)s UIT para la pequeña y %(medium)s UIT para la mediana). Con la "
        "UIT que usamos para %(year)d, de S/ %(uit)s, una microempresa puede vender hasta S/ "
        "%(micro_sales)s al año, y las convocatorias de hasta S/ %(micro_limit)s se muestran "
        "como adecuadas para ella. La razón: un solo contrato que valga más de la mitad de sus "
        "ventas anuales posibles comprometería casi toda su capacidad, y las garantías y "
        "requisitos financieros crecen con el valor. Las convocatorias sin valor estimado "
        "publicado no se incluyen en este filtro.",
        share=amount(SHARE_OF_ANNUAL_SALES * 100),
        micro=amount(ceilings["micro"]),
        small=amount(ceilings["small"]),
        medium=amount(ceilings["medium"]),
        year=year,
        uit=amount(uit),
        micro_sales=amount(micro_sales),
        micro_limit=amount(SHARE_OF_ANNUAL_SALES * micro_sales),
    )
