"""Buyers: public entities and private companies that publish procurement opportunities."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.buyers.ruc import is_valid_ruc
from portal.db import Base, utcnow
from portal.reference.models import Department


class GovernmentLevel(enum.StrEnum):
    NATIONAL = "national"
    REGIONAL = "regional"
    LOCAL = "local"
    AUTONOMOUS = "autonomous"
    PRIVATE = "private"
    FOREIGN = "foreign"
    UNKNOWN = "unknown"


def enum_column(enum_class: type[enum.Enum], **kwargs) -> Enum:
    """A portable enum: VARCHAR plus a CHECK constraint holding the values, on both databases."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        **kwargs,
    )


class Buyer(Base):
    """A buying entity. Peruvian buyers carry a RUC; foreign open-data buyers a scheme and id."""

    __tablename__ = "buyers"
    __table_args__ = (
        UniqueConstraint("identifier_scheme", "identifier"),
        CheckConstraint("ruc IS NULL OR length(ruc) = 11", name="ruc_length"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ruc: Mapped[str | None] = mapped_column(String(11), unique=True)
    identifier_scheme: Mapped[str | None] = mapped_column(String(40))
    identifier: Mapped[str | None] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300), index=True)
    acronym: Mapped[str | None] = mapped_column(String(40))
    government_level: Mapped[GovernmentLevel] = mapped_column(
        enum_column(GovernmentLevel, name="government_level"), default=GovernmentLevel.UNKNOWN
    )
    region_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    country: Mapped[str] = mapped_column(String(2), default="PE")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    region: Mapped[Department | None] = relationship()

    @property
    def is_private(self) -> bool:
        return self.government_level == GovernmentLevel.PRIVATE

    @validates("ruc")
    def _check_ruc(self, _key: str, ruc: str | None) -> str | None:
        if ruc is not None and not is_valid_ruc(ruc):
            raise ValueError(f"RUC inválido: {ruc!r}")
        return ruc
