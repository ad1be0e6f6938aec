"""Which notices suit a micro, small or medium business, from their estimated value."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.size import uit_for_year
from portal.reference.models import SizeClass

# A contract worth more than half of the most a firm of the class may sell in a year would
# take most of its capacity, and guarantees and financial requirements grow with the value.
SHARE_OF_ANNUAL_SALES = Decimal("0.5")

SIZE_RULE_HELP_ES = (
    "Una convocatoria se considera adecuada para una micro, pequeña o mediana empresa cuando su "
    "valor estimado no supera la mitad (50 %) de las ventas anuales máximas que la ley permite "
    "a ese tamaño de empresa (Ley 30056: 150 UIT para la microempresa, 1 700 UIT para la "
    "pequeña y 2 300 UIT para la mediana), calculadas con la UIT del año en curso. Por ejemplo, "
    "con una UIT de S/ 5 500, una microempresa puede vender hasta S/ 825 000 al año, y las "
    "convocatorias de hasta S/ 412 500 se muestran como adecuadas para ella. La razón: un solo "
    "contrato que valga más de la mitad de sus ventas anuales posibles comprometería casi toda "
    "su capacidad, y las garantías y requisitos financieros crecen con el valor. Las "
    "convocatorias sin valor estimado publicado no se incluyen en este filtro."
)


def size_value_limit(session: Session, size_class: str, now: datetime) -> float:
    """Highest estimated value (in soles) that still suits `size_class` in `now`'s year."""
    max_sales_uit = session.scalar(
        select(SizeClass.max_annual_sales_uit).where(SizeClass.code == size_class)
    )
    if max_sales_uit is None:
        raise LookupError(f"unknown size class {size_class!r}")
    return float(SHARE_OF_ANNUAL_SALES * max_sales_uit * uit_for_year(session, now.year))
