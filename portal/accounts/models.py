"""Users and SME company profiles. Screens come with the accounts issue; the model is whole now."""

import enum
from datetime import datetime
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, Numeric, String, Table
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
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, name="role"), default=Role.SME)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id"))
    language: Mapped[str] = mapped_column(String(5), default="es")
    active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    buyer: Mapped[Buyer | None] = relationship()
    company: Mapped["CompanyProfile | None"] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:
        return self.active

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
    contact_email: Mapped[str | None] = mapped_column(String(254))

    user: Mapped[User] = relationship(back_populates="company")
    sectors: Mapped[list[Sector]] = relationship(secondary=company_sectors)
    regions: Mapped[list[Department]] = relationship(secondary=company_regions)

    @validates("ruc")
    def _check_ruc(self, _key: str, ruc: str) -> str:
        if not is_valid_ruc(ruc):
            raise ValueError(f"RUC inválido: {ruc!r}")
        return ruc
