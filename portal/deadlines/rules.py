"""Which minimum applies to a call: its procedure's legal minimum, else the administrators'
floor; none for direct contracting, which has no public call to bid on.

Not modelled: under Ley 32069 a Licitación Pública may give 10 calendar days instead of 22
business days when a future-contract notice came out at least 40 days before (the note of
LP in procedure_types.csv). Neither the reference (../shared/reference/peru.md) nor the
sources say which calls had such a notice, so LP keeps its 22 business days."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.deadlines.business_days import extra_non_working_days
from portal.deadlines.non_working import non_working_days
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
    # decreed non-working days a business-day count leaves out (extra_non_working_days)
    non_working: tuple[date, ...] = ()

    def minimum_for(self, procedure_code: str | None) -> Minimum | None:
        if procedure_code in DIRECT_PROCEDURES:
            return None
        legal = self.legal.get(procedure_code) if procedure_code else None
        if legal is not None:
            return legal
        return Minimum(self.floor, BUSINESS, ADMIN) if self.floor else None


def load_rules(session: Session) -> DeadlineRules:
    """Legal minimums from the procedure_types reference table (procedure_types.csv), and
    the floor and the decreed non-working days from site_settings: three queries."""
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
    decreed = extra_non_working_days(item.day for item in non_working_days(session))
    return DeadlineRules(legal=legal, floor=admin_floor(session), non_working=decreed)
