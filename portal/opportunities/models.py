"""Opportunities: calls for bids and other notices, with their classification and change history."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.buyers.models import Buyer, enum_column
from portal.db import Base, utcnow
from portal.opportunities.enums import ChangeKind, ObjectType, OpportunityStatus
from portal.reference.models import Department, ProcedureType

SECTOR_SCHEMES = ("UNSPSC", "CUBSO")  # CUBSO codes begin with the UNSPSC commodity


def sector_codes_of(scheme: str, code: str) -> set[str]:
    """The UNSPSC segment and family one classification places a notice in."""
    if scheme not in SECTOR_SCHEMES or len(code) < 4:
        return set()
    return {code[:2] + "000000", code[:4] + "0000"}


class Opportunity(Base):
    """One notice as one row: a source's id never becomes two opportunities."""

    __tablename__ = "opportunities"
    __table_args__ = (
        UniqueConstraint("source_id", "source_ref"),
        CheckConstraint("estimated_value IS NULL OR estimated_value >= 0", name="value_positive"),
        Index("ix_opportunities_status_deadline", "status", "deadline_at"),
        # /fuentes reads each source's recent notices as one range (portal.freshness.queries)
        Index("ix_opportunities_source_first_seen", "source_id", "first_seen_at", "published_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    source_ref: Mapped[str] = mapped_column(String(200))
    ocid: Mapped[str | None] = mapped_column(String(200), index=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id"), index=True)
    title: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str] = mapped_column(Text, default="")
    object_type: Mapped[ObjectType | None] = mapped_column(
        enum_column(ObjectType, name="object_type")
    )
    procedure_type_code: Mapped[str | None] = mapped_column(ForeignKey("procedure_types.code"))
    procedure_text: Mapped[str | None] = mapped_column(String(300))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), index=True)
    estimated_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="PEN")
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    status: Mapped[OpportunityStatus] = mapped_column(
        enum_column(OpportunityStatus, name="opportunity_status"), default=OpportunityStatus.OPEN
    )
    url: Mapped[str | None] = mapped_column(String(2000))
    # Which of the fields above the parser read from free text (a feed item's description)
    # rather than from structured data: pages say so, and a wrong reading can be traced.
    fields_from_text: Mapped[list | None] = mapped_column(JSON)
    # Since when `documents` holds the source's list: a notice stored before documents were
    # kept takes its first list after the upgrade silently instead of alerting every document.
    documents_recorded_at: Mapped[datetime | None]
    plan_line_id: Mapped[int | None] = mapped_column(ForeignKey("plan_lines.id"), index=True)
    plan_link_rule: Mapped[str | None] = mapped_column(String(200))
    # When the plan line this call fulfils was first published (its earliest plan version):
    # published_at - plan_noticed_at is the notice the plan gave, for the lead-time statistics.
    plan_noticed_at: Mapped[datetime | None]
    # The legal floor for the time between call and bids, and what this call gives counted the
    # same way (portal/deadlines sets all four at ingest and when an administrator changes the
    # floor for procedures without one): search, statistics, exports and alerts read them.
    minimum_days: Mapped[int | None]
    minimum_day_kind: Mapped[str | None] = mapped_column(String(10))  # business, calendar
    minimum_basis: Mapped[str | None] = mapped_column(String(10))  # legal, admin
    given_days: Mapped[int | None]
    short_deadline: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    needs_matching: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    buyer: Mapped[Buyer | None] = relationship()
    region: Mapped[Department | None] = relationship()
    procedure_type: Mapped[ProcedureType | None] = relationship()
    classifications: Mapped[list["OpportunityClassification"]] = relationship(
        back_populates="opportunity", cascade="all, delete-orphan", lazy="selectin"
    )
    changes: Mapped[list["OpportunityChange"]] = relationship(
        back_populates="opportunity",
        cascade="all, delete-orphan",
        order_by="OpportunityChange.changed_at",
    )
    plan_line: Mapped["PlanLine | None"] = relationship(back_populates="opportunities")  # noqa: F821
    awards: Mapped[list["OpportunityAward"]] = relationship(
        back_populates="opportunity",
        cascade="all, delete-orphan",
        order_by="OpportunityAward.position",
    )
    documents: Mapped[list["OpportunityDocument"]] = relationship(
        back_populates="opportunity",
        cascade="all, delete-orphan",
        order_by="OpportunityDocument.position",
    )

    def lead_time_days(self) -> float | None:
        """Days between publication and deadline; None when either is unknown."""
        if self.published_at is None or self.deadline_at is None:
            return None
        return (self.deadline_at - self.published_at).total_seconds() / 86400

    def days_left(self, now: datetime) -> float | None:
        if self.deadline_at is None:
            return None
        return (self.deadline_at - now).total_seconds() / 86400

    def sector_codes(self) -> set[str]:
        """UNSPSC segment and family codes (8 digits, zero-padded) of every classification."""
        codes: set[str] = set()
        for classification in self.classifications:
            codes |= sector_codes_of(classification.scheme, classification.code)
        return codes


class OpportunityClassification(Base):
    """A goods/services code: UNSPSC, Peru's CUBSO (UNSPSC + 8 digits) or the EU's CPV."""

    __tablename__ = "opportunity_classifications"
    __table_args__ = (
        UniqueConstraint("opportunity_id", "scheme", "code"),
        CheckConstraint("scheme IN ('UNSPSC', 'CUBSO', 'CPV', 'OTHER')", name="scheme"),
        Index("ix_opportunity_classifications_scheme_code", "scheme", "code"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    scheme: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(String(500))

    opportunity: Mapped[Opportunity] = relationship(back_populates="classifications")


class OpportunityChange(Base):
    """What changed in a notice between two sightings (deadline extended, cancelled...)."""

    __tablename__ = "opportunity_changes"
    __table_args__ = (  # the change-alert job reads only the few not yet alerted
        Index(
            "ix_opportunity_changes_unalerted",
            "id",
            sqlite_where=text("alerted_at IS NULL"),
            postgresql_where=text("alerted_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind, name="change_kind"))
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    scrape_run_id: Mapped[int | None] = mapped_column(ForeignKey("scrape_runs.id"))
    # Set when the matcher has turned this change into alerts for the process's followers.
    alerted_at: Mapped[datetime | None]

    opportunity: Mapped[Opportunity] = relationship(back_populates="changes")


class OpportunityAward(Base):
    """Who won a process (or one of its lots) and for how much, as the source states it."""

    __tablename__ = "opportunity_awards"
    __table_args__ = (
        UniqueConstraint("opportunity_id", "position"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="award_amount_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    position: Mapped[int]  # the order the source lists them in
    source_award_id: Mapped[str | None] = mapped_column(String(200))
    supplier_name: Mapped[str] = mapped_column(String(500))
    supplier_ruc: Mapped[str | None] = mapped_column(String(11))  # only when the check digit holds
    supplier_identifier: Mapped[str | None] = mapped_column(String(100))  # another scheme's id
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="PEN")
    awarded_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="active")  # OCDS award status

    opportunity: Mapped[Opportunity] = relationship(back_populates="awards")


class OpportunityDocument(Base):
    """A document of the call as the source lists it (bases, specifications, clarifications,
    amendments); a new one in a later version is a change followers hear about."""

    __tablename__ = "opportunity_documents"
    __table_args__ = (UniqueConstraint("opportunity_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    position: Mapped[int]  # the order the source lists them in
    source_document_id: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))  # http(s) only
    document_type: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None]

    opportunity: Mapped[Opportunity] = relationship(back_populates="documents")
