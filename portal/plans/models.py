"""Annual procurement plans (PAC): one version per amendment, lines as early notice of calls."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.buyers.models import Buyer, enum_column
from portal.db import Base, utcnow
from portal.opportunities.models import ObjectType, Opportunity


class AnnualPlan(Base):
    """One published version of an entity's PAC for a fiscal year; amendments add versions."""

    __tablename__ = "annual_plans"
    __table_args__ = (
        UniqueConstraint("buyer_id", "fiscal_year", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "uploaded_by_id IS NOT NULL OR source_id IS NOT NULL", name="has_provenance"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"), index=True)
    fiscal_year: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    approving_instrument: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    source_ref: Mapped[str | None] = mapped_column(String(300))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    buyer: Mapped[Buyer] = relationship()
    lines: Mapped[list["PlanLine"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanLine.id"
    )


class PlanLine(Base):
    """One planned purchase: what, how, how much and in which month the call should come."""

    __tablename__ = "plan_lines"
    __table_args__ = (
        UniqueConstraint("plan_id", "reference_number"),
        CheckConstraint("planned_month BETWEEN 1 AND 12", name="planned_month"),
        CheckConstraint("estimated_value IS NULL OR estimated_value >= 0", name="value_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("annual_plans.id", ondelete="CASCADE"))
    reference_number: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    object_type: Mapped[ObjectType] = mapped_column(enum_column(ObjectType, name="object_type"))
    procedure_type_code: Mapped[str | None] = mapped_column(ForeignKey("procedure_types.code"))
    classification_code: Mapped[str | None] = mapped_column(String(40), index=True)
    estimated_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="PEN")
    planned_month: Mapped[int]
    region_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    unit_of_measure: Mapped[str | None] = mapped_column(String(40))
    funding_source: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    # Set when stored; the matcher clears it once forecasts for the line are recorded.
    needs_matching: Mapped[bool] = mapped_column(default=True)

    plan: Mapped[AnnualPlan] = relationship(back_populates="lines")
    opportunities: Mapped[list[Opportunity]] = relationship(back_populates="plan_line")
