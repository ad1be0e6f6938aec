"""Legal company size (micro, small, medium) from annual sales, using that year's UIT."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.reference.models import SizeClass, UITValue


def uit_for_year(session: Session, year: int) -> Decimal:
    """The UIT of `year`, or of the latest earlier year on file when that year is not loaded."""
    value = session.scalar(
        select(UITValue.value_pen).where(UITValue.year <= year).order_by(UITValue.year.desc())
    )
    if value is None:
        raise LookupError(f"no UIT value on file for {year} or earlier")
    return value


def size_class_for_sales(session: Session, annual_sales_pen: Decimal, year: int) -> str | None:
    """The smallest size class whose UIT ceiling covers the sales; None above medium (large)."""
    sales_in_uit = Decimal(annual_sales_pen) / uit_for_year(session, year)
    classes = session.scalars(select(SizeClass).order_by(SizeClass.max_annual_sales_uit))
    for size_class in classes:
        if sales_in_uit <= size_class.max_annual_sales_uit:
            return size_class.code
    return None
