"""What an entity's management page shows: its plans, its calls and its approved staff."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.buyers.models import Buyer
from portal.opportunities.models import Opportunity
from portal.opportunities.queries import open_for_buyer
from portal.plans.models import AnnualPlan, PlanLine

LATEST_CALLS = 10


@dataclass(frozen=True)
class PlanSummary:
    plan: AnnualPlan
    line_count: int


@dataclass(frozen=True)
class EntityOverview:
    buyer: Buyer
    plans: list[PlanSummary]
    open_count: int
    latest_calls: list[Opportunity]
    staff: list[User]


def entity_overview(session: Session, buyer: Buyer, now: datetime) -> EntityOverview:
    return EntityOverview(
        buyer=buyer,
        plans=plan_summaries(session, buyer.id),
        # The public definition of "open" (status and deadline), not a second copy of it.
        open_count=len(open_for_buyer(session, buyer.id, now)),
        latest_calls=latest_calls(session, buyer.id),
        staff=approved_staff(session, buyer.id),
    )


def plan_summaries(session: Session, buyer_id: int) -> list[PlanSummary]:
    """Every version of every year, newest first, with its line count in the same query."""
    query = (
        select(AnnualPlan, func.count(PlanLine.id))
        .outerjoin(PlanLine, PlanLine.plan_id == AnnualPlan.id)
        .where(AnnualPlan.buyer_id == buyer_id)
        .group_by(AnnualPlan.id)
        .order_by(AnnualPlan.fiscal_year.desc(), AnnualPlan.version.desc())
    )
    return [PlanSummary(plan, count) for plan, count in session.execute(query)]


def latest_calls(session: Session, buyer_id: int, limit: int = LATEST_CALLS) -> list[Opportunity]:
    query = (
        select(Opportunity)
        .where(Opportunity.buyer_id == buyer_id)
        .order_by(Opportunity.published_at.desc().nulls_last(), Opportunity.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def approved_staff(session: Session, buyer_id: int) -> list[User]:
    query = (
        select(User)
        .where(
            User.buyer_id == buyer_id,
            User.role == Role.AGENCY_STAFF,
            User.staff_approved_at.is_not(None),
            User.active.is_(True),
            User.deleted_at.is_(None),
        )
        .order_by(User.email)
    )
    return list(session.scalars(query))
