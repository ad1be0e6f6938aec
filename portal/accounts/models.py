"""Users, SME company profiles, sign-in attempts (for throttling) and the audit log."""

import enum
from datetime import datetime
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from portal.buyers.models import Buyer, enum_column
from portal.buyers.ruc import is_valid_ruc
from portal.db import Base, utcnow
from portal.reference.models import Department, Sector


class Role(enum.StrEnum):
    SME = "sme"
    AGENCY_STAFF = "agency_staff"
    ADMIN = "admin"


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role <> 'agency_staff' OR buyer_id IS NOT NULL", name="staff_has_buyer"),
        CheckConstraint("daily_alert_cap BETWEEN 1 AND 100", name="daily_alert_cap_range"),
        CheckConstraint(
            "(quiet_from_hour IS NULL) = (quiet_until_hour IS NULL)", name="quiet_hours_pair"
        ),
        CheckConstraint(
            "quiet_from_hour BETWEEN 0 AND 23 AND quiet_until_hour BETWEEN 0 AND 23",
            name="quiet_hours_range",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, name="role"), default=Role.SME)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id"))
    language: Mapped[str] = mapped_column(String(5), default="es")
    active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None]
    # Agency staff act for their entity only once an administrator approved them.
    staff_approved_at: Mapped[datetime | None]
    # Bumped when the password changes: older sessions and remember-me cookies stop working.
    login_epoch: Mapped[int] = mapped_column(default=0)
    last_login_at: Mapped[datetime | None]
    # A deleted account keeps an anonymous row, so counts of alerts and lead times survive it.
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Alert e-mail: set by a List-Unsubscribe click (every alert stops until turned back on),
    # at most this many immediate alerts a day (the rest wait for the next digest), and
    # optional quiet hours (Lima) during which immediate alerts wait.
    alerts_stopped_at: Mapped[datetime | None]
    daily_alert_cap: Mapped[int] = mapped_column(default=20)
    quiet_from_hour: Mapped[int | None]
    quiet_until_hour: Mapped[int | None]

    buyer: Mapped[Buyer | None] = relationship()
    company: Mapped["CompanyProfile | None"] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:
        return self.active and self.deleted_at is None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_approved_staff(self) -> bool:
        return self.role == Role.AGENCY_STAFF and self.staff_approved_at is not None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: the epoch in it
        makes a password change sign out every other device."""
        return f"{self.id}:{self.login_epoch}"

    @validates("email")
    def _normalise_email(self, _key: str, email: str) -> str:
        return email.strip().lower()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


company_sectors = Table(
    "company_sectors",
    Base.metadata,
    Column("company_id", ForeignKey("company_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("sector_code", ForeignKey("sectors.code"), primary_key=True),
)
company_regions = Table(
    "company_regions",
    Base.metadata,
    Column("company_id", ForeignKey("company_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("region_code", ForeignKey("departments.code"), primary_key=True),
)


class CompanyProfile(Base):
    """An SME's company: its size class follows from annual sales in UIT (Ley 30056)."""

    __tablename__ = "company_profiles"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    ruc: Mapped[str] = mapped_column(String(11))
    name: Mapped[str] = mapped_column(String(300))
    annual_sales_pen: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    size_class_code: Mapped[str | None] = mapped_column(ForeignKey("size_classes.code"))
    # One address per line: who at the company receives the alerts besides the account's own.
    contact_emails: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="company")
    sectors: Mapped[list[Sector]] = relationship(secondary=company_sectors)
    regions: Mapped[list[Department]] = relationship(secondary=company_regions)

    @validates("ruc")
    def _check_ruc(self, _key: str, ruc: str) -> str:
        if not is_valid_ruc(ruc):
            raise ValueError(f"RUC inválido: {ruc!r}")
        return ruc


class AttemptKind(enum.StrEnum):
    LOGIN = "login"
    RESET = "reset"
    REGISTER = "register"


class AuthAttempt(Base):
    """One sign-in failure or reset request; throttling counts these rows, so every worker
    process of a deployment sees the same counts. Keys are keyed hashes, never addresses."""

    __tablename__ = "auth_attempts"
    __table_args__ = (Index("ix_auth_attempts_kind_key_at", "kind", "key", "attempted_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AttemptKind] = mapped_column(enum_column(AttemptKind, name="attempt_kind"))
    key: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AuditAction(enum.StrEnum):
    LOGIN_FAILED = "login_failed"
    ROLE_CHANGED = "role_changed"
    STAFF_REQUESTED = "staff_requested"
    STAFF_APPROVED = "staff_approved"
    STAFF_REFUSED = "staff_refused"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    ACCOUNT_DELETED = "account_deleted"


class AuditEvent(Base):
    """What administrators review: who changed whose role or access, and failed sign-ins."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, name="audit_action"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])
