"""What an SME wants to hear about (saved searches) and what it saved (the watchlist)."""

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, ForeignKey, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.buyers.models import Buyer, enum_column
from portal.db import Base, utcnow
from portal.opportunities.models import ObjectType, Opportunity
from portal.reference.models import Department, ProcedureType, Sector


class Frequency(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"


def _link_table(name: str, column: str, target: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column(
            "subscription_id", ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True
        ),
        Column(column, ForeignKey(target), primary_key=True),
    )


subscription_sectors = _link_table("subscription_sectors", "sector_code", "sectors.code")
subscription_regions = _link_table("subscription_regions", "region_code", "departments.code")
subscription_procedure_types = _link_table(
    "subscription_procedure_types", "procedure_type_code", "procedure_types.code"
)
subscription_buyers = Table(
    "subscription_buyers",
    Base.metadata,
    Column("subscription_id", ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True),
    Column("buyer_id", ForeignKey("buyers.id", ondelete="CASCADE"), primary_key=True),
)


class SubscriptionObjectType(Base):
    __tablename__ = "subscription_object_types"
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    object_type: Mapped[ObjectType] = mapped_column(
        enum_column(ObjectType, name="object_type"), primary_key=True
    )


class SubscriptionDeadlineCheck(Base):
    """A short-deadline choice of the saved search (portal.deadlines.checks: short, enough)."""

    __tablename__ = "subscription_deadline_checks"
    __table_args__ = (
        CheckConstraint("deadline_check IN ('short', 'enough')", name="known_deadline_check"),
    )
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    deadline_check: Mapped[str] = mapped_column(String(10), primary_key=True)


class Subscription(Base):
    """Criteria left empty mean "any"; keywords use the search box's query language."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value", name="value_range"
        ),
        CheckConstraint("digest_hour >= 0 AND digest_hour <= 23", name="digest_hour"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    keywords: Mapped[str] = mapped_column(Text, default="")
    min_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    max_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    size_class_code: Mapped[str | None] = mapped_column(ForeignKey("size_classes.code"))
    include_forecasts: Mapped[bool] = mapped_column(default=False)
    frequency: Mapped[Frequency] = mapped_column(
        enum_column(Frequency, name="frequency"), default=Frequency.DAILY
    )
    # Hour of the day, Lima time, at which daily and weekly digests go out.
    digest_hour: Mapped[int] = mapped_column(default=7)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    buyers: Mapped[list[Buyer]] = relationship(secondary=subscription_buyers)
    sectors: Mapped[list[Sector]] = relationship(secondary=subscription_sectors)
    regions: Mapped[list[Department]] = relationship(secondary=subscription_regions)
    procedure_types: Mapped[list[ProcedureType]] = relationship(
        secondary=subscription_procedure_types
    )
    object_types: Mapped[list[SubscriptionObjectType]] = relationship(cascade="all, delete-orphan")
    deadline_checks: Mapped[list[SubscriptionDeadlineCheck]] = relationship(
        cascade="all, delete-orphan"
    )


class SavedOpportunity(Base):
    """An SME's watchlist entry, with how many days before the deadline to remind it."""

    __tablename__ = "saved_opportunities"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    remind_days_before: Mapped[int | None] = mapped_column(default=3)
    # Following: change alerts (deadline moved, status, value, documents) besides the reminder.
    follow_changes: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    opportunity: Mapped[Opportunity] = relationship()
