"""Buyer page queries: the entity, its current plan and simple statistics, computed in SQL."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.buyers.models import Buyer
from portal.opportunities.models import Opportunity, OpportunityStatus
from portal.plans.models import AnnualPlan


@dataclass(frozen=True)
class BuyerStatistics:
    by_status: dict[OpportunityStatus, int]
    median_lead_days: float | None


def lead_days_expression(session: Session):
    """Days between publication and deadline as a SQL expression for the bound dialect."""
    if session.get_bind().dialect.name == "postgresql":
        seconds = func.extract("epoch", Opportunity.deadline_at - Opportunity.published_at)
        return seconds / 86400.0
    return func.julianday(Opportunity.deadline_at) - func.julianday(Opportunity.published_at)


def buyer_statistics(session: Session, buyer_id: int) -> BuyerStatistics:
    counts = session.execute(
        select(Opportunity.status, func.count())
        .where(Opportunity.buyer_id == buyer_id)
        .group_by(Opportunity.status)
    )
    return BuyerStatistics(
        by_status={OpportunityStatus(status): total for status, total in counts},
        median_lead_days=median_lead_days(session, buyer_id),
    )


def median_lead_days(session: Session, buyer_id: int) -> float | None:
    """Median by SQL ordering and reading the middle row(s): SQLite has no percentile."""
    lead = lead_days_expression(session)
    dated = (
        Opportunity.buyer_id == buyer_id,
        Opportunity.published_at.is_not(None),
        Opportunity.deadline_at.is_not(None),
    )
    total = session.scalar(select(func.count()).select_from(Opportunity).where(*dated))
    if not total:
        return None
    middle = session.scalars(
        select(lead).where(*dated).order_by(lead).offset((total - 1) // 2).limit(2 - total % 2)
    ).all()
    return float(sum(middle) / len(middle))


def current_plan(session: Session, buyer_id: int, year: int) -> AnnualPlan | None:
    """The latest version of this year's plan, or else of the latest fiscal year planned."""
    has_year = select(AnnualPlan.id).where(
        AnnualPlan.buyer_id == buyer_id, AnnualPlan.fiscal_year == year
    )
    fiscal_year = (
        year
        if session.scalar(has_year.limit(1)) is not None
        else select(func.max(AnnualPlan.fiscal_year))
        .where(AnnualPlan.buyer_id == buyer_id)
        .scalar_subquery()
    )
    return session.scalar(
        select(AnnualPlan)
        .where(AnnualPlan.buyer_id == buyer_id, AnnualPlan.fiscal_year == fiscal_year)
        .order_by(AnnualPlan.version.desc())
        .limit(1)
    )


def buyer_by_reference(session: Session, reference: str) -> Buyer | None:
    """An entity named the way an administrator knows it: its 11-digit RUC or our number."""
    reference = reference.strip()
    if not reference.isdigit():
        return None
    if len(reference) == 11:
        return session.scalar(select(Buyer).where(Buyer.ruc == reference))
    if len(reference) > 9:  # larger than any id the database can hold
        return None
    return session.get(Buyer, int(reference))
