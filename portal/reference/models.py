"""Reference tables: facts the portal looks up (departments, sectors, procedures, size limits)."""

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class Department(Base):
    """A UBIGEO (INEI) department: 24 plus the Constitutional Province of Callao."""

    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class Sector(Base):
    """A UNSPSC segment or family; Peru's CUBSO codes start with the UNSPSC code."""

    __tablename__ = "sectors"
    __table_args__ = (CheckConstraint("level IN ('segment', 'family')", name="level"),)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[str] = mapped_column(String(8))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("sectors.code"))
    name_es: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class ProcedureType(Base):
    """A selection procedure with its legal minimum days between call and bids."""

    __tablename__ = "procedure_types"
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name_es: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    applies_to: Mapped[str] = mapped_column(String(80))
    law: Mapped[str] = mapped_column(String(80))
    min_days_call_to_bids: Mapped[int | None]
    day_kind: Mapped[str | None] = mapped_column(String(10))
    notes: Mapped[str] = mapped_column(String(400), default="")


class SizeClass(Base):
    """Legal company size by annual sales in UIT (Ley 30056)."""

    __tablename__ = "size_classes"
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name_es: Mapped[str] = mapped_column(String(60))
    max_annual_sales_uit: Mapped[int]
    law: Mapped[str] = mapped_column(String(80))


class UITValue(Base):
    """The tax unit (UIT) in soles for one year; new years are data, not code."""

    __tablename__ = "uit_values"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value_pen: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    decree: Mapped[str] = mapped_column(String(40), default="")
