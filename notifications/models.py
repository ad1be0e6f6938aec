"""The alert outbox: one delivery row per user and opportunity (or plan line), never two."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.buyers.models import enum_column
from portal.db import Base, utcnow
from portal.opportunities.models import Opportunity
from portal.plans.models import PlanLine


class DeliveryKind(enum.StrEnum):
    MATCH = "match"
    FORECAST = "forecast"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class AlertDelivery(Base):
    """Lead time lives here: when the SME was told, and the deadline at that moment."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "opportunity_id"),
        UniqueConstraint("user_id", "plan_line_id"),
        CheckConstraint("(opportunity_id IS NULL) <> (plan_line_id IS NULL)", name="one_subject"),
        Index("ix_alert_deliveries_status_due_at", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE")
    )
    plan_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_lines.id", ondelete="CASCADE")
    )
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL")
    )
    kind: Mapped[DeliveryKind] = mapped_column(enum_column(DeliveryKind, name="delivery_kind"))
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, name="delivery_status"), default=DeliveryStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    deadline_at_notice: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()
    opportunity: Mapped[Opportunity | None] = relationship()
    plan_line: Mapped[PlanLine | None] = relationship()

    def lead_time_days(self) -> float | None:
        """Days the SME had between being told and the deadline."""
        if self.sent_at is None or self.deadline_at_notice is None:
            return None
        return (self.deadline_at_notice - self.sent_at).total_seconds() / 86400


class DeliveryAddressState(Base):
    """Why mail to an address stopped; set by the sender after repeated hard failures."""

    __tablename__ = "paused_addresses"
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    paused_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
