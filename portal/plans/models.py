"""Annual procurement plans (PAC): one version per amendment, lines as early notice of calls."""

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
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


class UploadStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DISCARDED = "discarded"


class PlanUpload(Base):
    """A PAC file an entity uploaded: checked and previewed as a draft, then published as a new
    plan version in one transaction, or discarded. The file itself is kept so publishing reads
    exactly what was previewed, and the published version can be traced to it."""

    __tablename__ = "plan_uploads"
    __table_args__ = (
        CheckConstraint("fiscal_year BETWEEN 2000 AND 2100", name="fiscal_year_range"),
        CheckConstraint("size_bytes >= 0", name="size_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id"), index=True)
    fiscal_year: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(default=0)  # data rows read
    line_count: Mapped[int] = mapped_column(default=0)  # valid plan lines
    problem_count: Mapped[int] = mapped_column(default=0)
    # [[row, column, message], ...], the first problems only (problem_count says how many)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    # The first lines as the preview shows them, and totals (value, lines per month)
    preview: Mapped[dict] = mapped_column(JSON, default=dict)
    approving_instrument: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[UploadStatus] = mapped_column(
        enum_column(UploadStatus, name="upload_status"), default=UploadStatus.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("annual_plans.id", ondelete="SET NULL"))

    buyer: Mapped[Buyer] = relationship()
    plan: Mapped[AnnualPlan | None] = relationship()
