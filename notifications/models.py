"""The alert outbox: one delivery row per user and thing told, never two.

`dedup_key` names what the user is told about: `opportunity:<id>` for a match or for the call
that fulfils a forecast (so the two never both arrive), `plan_line:<id>` for a forecast,
`change:<id>` for one recorded change of a followed process, `reminder:<id>:<deadline date>`
for a deadline reminder. The database's uniqueness on (user, dedup_key) is what makes "one
user never gets the same opportunity twice" hold across subscriptions, matcher runs, sender
processes and restarts.
"""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.buyers.models import enum_column
from portal.db import Base, utcnow
from portal.opportunities.models import Opportunity, OpportunityChange
from portal.plans.models import PlanLine
from portal.subscriptions.models import Frequency


class DeliveryKind(enum.StrEnum):
    MATCH = "match"  # a new or changed opportunity a subscription matches
    FORECAST = "forecast"  # a plan line, for subscriptions that want forecasts
    FOLLOW_UP = "follow_up"  # the call that fulfils a forecast the user was told about
    CHANGE = "change"  # deadline, status, value or documents of a followed process
    REMINDER = "reminder"  # a saved process's deadline is near


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender until claimed_until
    SENT = "sent"
    FAILED = "failed"  # permanent failure or retries exhausted; last_error says why
    SKIPPED = "skipped"  # not sent on purpose (unsubscribed, address paused, no longer open)


class AlertDelivery(Base):
    """Lead time lives here: when the SME was told (sent_at), and the deadline at that moment."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "dedup_key"),
        CheckConstraint(
            "opportunity_id IS NOT NULL OR plan_line_id IS NOT NULL", name="has_subject"
        ),
        Index("ix_alert_deliveries_status_due_at", "status", "due_at"),
        Index("ix_alert_deliveries_user_id_status", "user_id", "status"),
        # Most deliveries have no plan line: their NULLs would cost an entry each.
        Index(
            "ix_alert_deliveries_plan_line_id",
            "plan_line_id",
            sqlite_where=text("plan_line_id IS NOT NULL"),
            postgresql_where=text("plan_line_id IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[DeliveryKind] = mapped_column(enum_column(DeliveryKind, name="delivery_kind"))
    dedup_key: Mapped[str] = mapped_column(String(80))
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    plan_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_lines.id", ondelete="CASCADE")
    )
    change_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunity_changes.id", ondelete="CASCADE")
    )
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL"), index=True
    )
    # immediate: the next send pass; daily/weekly: the user's next digest (due_at says when).
    frequency: Mapped[Frequency] = mapped_column(
        enum_column(Frequency, name="frequency"), default=Frequency.IMMEDIATE
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, name="delivery_status"), default=DeliveryStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # when the match was recorded
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]  # when the SME was told: the start of its lead time
    deadline_at_notice: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(250))

    user: Mapped[User] = relationship()
    opportunity: Mapped[Opportunity | None] = relationship()
    plan_line: Mapped[PlanLine | None] = relationship()
    change: Mapped[OpportunityChange | None] = relationship()

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
