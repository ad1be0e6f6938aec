"""Which minimum applies to a call: its procedure's legal minimum, else the administrators'
floor; none for direct contracting, which has no public call to bid on."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.deadlines.settings import admin_floor
from portal.reference.models import ProcedureType

BUSINESS, CALENDAR = "business", "calendar"
LEGAL, ADMIN = "legal", "admin"
# Contratación Directa: the entity negotiates with one supplier, there is no call window.
DIRECT_PROCEDURES = frozenset({"CD"})


@dataclass(frozen=True)
class Minimum:
    days: int
    day_kind: str  # BUSINESS or CALENDAR
    basis: str  # LEGAL or ADMIN


@dataclass(frozen=True)
class DeadlineRules:
    """Everything a call's minimum depends on, loaded once per ingest or refresh."""

    legal: Mapping[str, Minimum]  # procedure code -> its legal minimum
    floor: int | None = None  # business days, for procedures without a legal minimum

    def minimum_for(self, procedure_code: str | None) -> Minimum | None:
        if procedure_code in DIRECT_PROCEDURES:
            return None
        legal = self.legal.get(procedure_code) if procedure_code else None
        if legal is not None:
            return legal
        return Minimum(self.floor, BUSINESS, ADMIN) if self.floor else None


def load_rules(session: Session) -> DeadlineRules:
    """Legal minimums from the procedure_types reference table (procedure_types.csv), and
    the floor from site_settings: two queries."""
    rows = session.execute(
        select(
            ProcedureType.code, ProcedureType.min_days_call_to_bids, ProcedureType.day_kind
        ).where(ProcedureType.min_days_call_to_bids.is_not(None))
    )
    legal = {
        code: Minimum(days, CALENDAR if kind == CALENDAR else BUSINESS, LEGAL)
        for code, days, kind in rows
        if code not in DIRECT_PROCEDURES
    }
    return DeadlineRules(legal=legal, floor=admin_floor(session))
