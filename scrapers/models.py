"""Sources the scrapers visit, every run they make, and the raw payloads kept for re-parsing."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.buyers.models import enum_column
from portal.db import Base, utcnow


class SourceKind(enum.StrEnum):
    FEED = "feed"
    OCDS = "ocds"
    HTML = "html"
    PLAN_FILE = "plan_file"
    MANUAL = "manual"


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"


class Source(Base):
    """A place opportunities come from, with its schedule, HTTP validators and health."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind, name="source_kind"))
    url: Mapped[str | None] = mapped_column(String(2000))
    config: Mapped[dict] = mapped_column(JSON, default=dict)
    timezone: Mapped[str] = mapped_column(String(60), default="America/Lima")
    default_currency: Mapped[str] = mapped_column(String(3), default="PEN")
    interval_minutes: Mapped[int] = mapped_column(default=60)
    active: Mapped[bool] = mapped_column(default=True)
    etag: Mapped[str | None] = mapped_column(String(400))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    healthy: Mapped[bool] = mapped_column(default=True)
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    # How far a paged API source has been read (the newest release date stored): each visit
    # follows `links.next` only until it reaches what an earlier visit already read.
    watermark: Mapped[str | None] = mapped_column(String(100))
    # A major source's staleness is announced on the search pages (`/fuentes` lists all).
    major: Mapped[bool] = mapped_column(default=False, server_default=false())
    lease_holder: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None]

    runs: Mapped[list["ScrapeRun"]] = relationship(
        back_populates="source", order_by="ScrapeRun.started_at.desc()", lazy="dynamic"
    )


class ScrapeRun(Base):
    """One visit to a source and its tally; failed items carry their reasons."""

    __tablename__ = "scrape_runs"
    __table_args__ = (Index("ix_scrape_runs_source_id_started_at", "source_id", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[RunStatus] = mapped_column(
        enum_column(RunStatus, name="run_status"), default=RunStatus.RUNNING
    )
    fetched: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="runs")
    item_failures: Mapped[list["ScrapeItemFailure"]] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )


class ScrapeItemFailure(Base):
    __tablename__ = "scrape_item_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("scrape_runs.id", ondelete="CASCADE"), index=True
    )
    item_ref: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)

    run: Mapped[ScrapeRun] = relationship(back_populates="item_failures")


class RawPayload(Base):
    """The bytes a source gave, kept so items can be re-parsed after a fix; body in chunks."""

    __tablename__ = "raw_payloads"
    __table_args__ = (Index("ix_raw_payloads_source_id_fetched_at", "source_id", "fetched_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scrape_runs.id", ondelete="SET NULL"))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    url: Mapped[str | None] = mapped_column(String(2000))
    content_type: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))


class RawPayloadChunk(Base):
    """One slice, in order, of a payload's zlib stream: about a megabyte, never the whole body.

    Rows of bounded size let a payload be written while it is compressed and read back while it
    is parsed, so memory stays flat however large the source file.
    """

    __tablename__ = "raw_payload_chunks"
    payload_id: Mapped[int] = mapped_column(
        ForeignKey("raw_payloads.id", ondelete="CASCADE"), primary_key=True
    )
    sequence: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
