"""What the administrators' page reads and does: the minimums in force, how many calls they
flag, and a change of the floor or of the decreed non-working days with the refresh each
calls for."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.admin.models import SiteSetting
from portal.deadlines.non_working import (
    NonWorkingDay,
    non_working_days,
    remove_non_working_day,
    save_non_working_day,
)
from portal.deadlines.refresh import RefreshReport, refresh
from portal.deadlines.rules import ADMIN, LEGAL
from portal.deadlines.settings import FLOOR_SETTING, admin_floor, save_admin_floor
from portal.opportunities.models import Opportunity
from portal.reference.models import ProcedureType


@dataclass(frozen=True)
class MinimumsOverview:
    floor: int | None
    floor_setting: SiteSetting | None  # who changed it and when
    procedures: list[ProcedureType]  # with their legal minimums, by code
    flagged_legal: int  # calls below their legal minimum
    flagged_admin: int  # calls below the floor
    non_working: list[NonWorkingDay]  # decreed non-working days, earliest first


def minimums_overview(session: Session) -> MinimumsOverview:
    flagged = dict(
        session.execute(
            select(Opportunity.minimum_basis, func.count())
            .where(Opportunity.short_deadline.is_(True))
            .group_by(Opportunity.minimum_basis)
        ).all()
    )
    return MinimumsOverview(
        floor=admin_floor(session),
        floor_setting=session.get(SiteSetting, FLOOR_SETTING),
        procedures=list(session.scalars(select(ProcedureType).order_by(ProcedureType.code))),
        flagged_legal=flagged.get(LEGAL, 0),
        flagged_admin=flagged.get(ADMIN, 0),
        non_working=non_working_days(session),
    )


def change_admin_floor(
    session: Session, days: int | None, user_id: int, now: datetime
) -> RefreshReport:
    """Save the floor (None: no floor) and recompute the calls it can affect. The setting is
    committed first: a refresh cut short is finished by the scheduler's daily one."""
    save_admin_floor(session, days, user_id, now)
    session.commit()
    return refresh(session, now, only_without_legal_minimum=True)


def record_non_working_day(
    session: Session, day: date, note: str, user_id: int, now: datetime
) -> RefreshReport:
    """Record a decreed non-working day (or change its note) and recompute the calls whose bid
    window holds it; committed first, as the floor is."""
    save_non_working_day(session, day, note, user_id, now)
    session.commit()
    return refresh(session, now, spanning=day)


def forget_non_working_day(session: Session, day: date, now: datetime) -> RefreshReport | None:
    """Remove a recorded day and recompute the calls it counted in; None if it was not
    recorded."""
    if not remove_non_working_day(session, day):
        return None
    session.commit()
    return refresh(session, now, spanning=day)
