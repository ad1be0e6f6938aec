"""The daily snapshot of lead-time figures, and the unsubscribes they count.

A snapshot row is one month's tally of one measure for one slice: every region or one, every
sector or one, and either the whole slice (`dimension` "total") or one value of a breakdown
(a buyer, procedure type, object type or source). A tally holds counts, a sum and a histogram,
so months add up to any range and means and medians follow from the sums and the bins.
"""

import enum
from datetime import datetime

from sqlalchemy import Column, Date, Float, ForeignKey, Index, Integer, String, Table, text
from sqlalchemy.orm import Mapped, mapped_column

from notifications.models import AlertDelivery
from portal.buyers.models import enum_column
from portal.db import Base, utcnow

BIN_COUNT = 35  # every measure's histogram has this many bins (portal.statistics.bins)
ANY = ""  # region_code / sector_code of rows for every region or every sector
UNKNOWN = "-"  # a region, buyer, procedure... the notice does not state


BIN_COLUMNS = [f"b{number:02d}" for number in range(BIN_COUNT)]

# Core only: the snapshot is written with INSERT ... SELECT and read with aggregates. Rows
# belong to one snapshot, so a new one is written beside the current one in short
# transactions and replaces it in one small update (SQLite has one writer at a time).
lead_time_months = Table(
    "lead_time_months",
    Base.metadata,
    Column(
        "snapshot_id", ForeignKey("statistics_snapshots.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("measure", String(12), primary_key=True),
    Column("region_code", String(2), primary_key=True),
    Column("sector_code", String(8), primary_key=True),
    Column("dimension", String(10), primary_key=True),
    Column("month", Date, primary_key=True),  # its first day, in Lima time
    Column("value", String(20), primary_key=True),
    Column("facts", Integer, nullable=False),  # calls informed, or alerts sent
    Column("measured", Integer, nullable=False),  # of those, with a value for the measure
    Column("sum_days", Float, nullable=False),
    Column("short", Integer, nullable=False),  # calls (or alerts of calls) below the minimum
    Column("with_minimum", Integer, nullable=False),  # calls with a known minimum
    *(Column(name, Integer, nullable=False) for name in BIN_COLUMNS),
    # a breakdown by region reads every region's rows of one sector (or of every sector)
    Index(
        "ix_lead_time_months_measure_sector",
        "snapshot_id",
        "measure",
        "sector_code",
        "dimension",
        "month",
    ),
)


class StatisticsSnapshot(Base):
    """What the rows of `lead_time_months` cover: calls up to `calls_through_id` (as they were
    when read) and alerts sent before `alerts_before`; anything newer is counted live. Pages
    read the latest completed one."""

    __tablename__ = "statistics_snapshots"
    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    calls_through_id: Mapped[int]
    alerts_before: Mapped[datetime]
    offset_minutes: Mapped[int]  # the local time the months were cut in (Lima: -300)
    row_count: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)


class UnsubscribeKind(enum.StrEnum):
    ALL_ALERTS = "all_alerts"  # the List-Unsubscribe / "stop every alert" link
    SUBSCRIPTION = "subscription"  # the stop link of one subscription


class UnsubscribeEvent(Base):
    """One unsubscribe from an alert e-mail's link. The user row only keeps the state (alerts
    stopped or not, a subscription paused or not), which a later change overwrites: these
    rows are what the statistics count."""

    __tablename__ = "unsubscribe_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[UnsubscribeKind] = mapped_column(
        enum_column(UnsubscribeKind, name="unsubscribe_kind")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL")
    )


# The live part of every figure reads the alerts sent since the snapshot, and a date range's
# partial months, by their sending time.
# Partial: every delivery starts unsent, and those NULLs are never looked up.
Index(
    "ix_alert_deliveries_sent_at",
    AlertDelivery.__table__.c.sent_at,
    sqlite_where=text("sent_at IS NOT NULL"),
    postgresql_where=text("sent_at IS NOT NULL"),
)
