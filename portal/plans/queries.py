"""Plan browser queries: the latest version of each entity's plan per year, and its versions."""

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.buyers.models import Buyer
from portal.plans.models import AnnualPlan, PlanLine


def latest_plans_query(year: int | None = None, region: str | None = None) -> Select:
    """Latest versions only: an amendment supersedes the plan it amends."""
    latest = (
        select(
            AnnualPlan.buyer_id,
            AnnualPlan.fiscal_year,
            func.max(AnnualPlan.version).label("version"),
        )
        .group_by(AnnualPlan.buyer_id, AnnualPlan.fiscal_year)
        .subquery()
    )
    query = (
        select(AnnualPlan)
        .join(
            latest,
            (AnnualPlan.buyer_id == latest.c.buyer_id)
            & (AnnualPlan.fiscal_year == latest.c.fiscal_year)
            & (AnnualPlan.version == latest.c.version),
        )
        .join(AnnualPlan.buyer)
        .options(joinedload(AnnualPlan.buyer).joinedload(Buyer.region))
    )
    if year is not None:
        query = query.where(AnnualPlan.fiscal_year == year)
    if region:
        query = query.where(Buyer.region_code == region)
    return query


def latest_plans(
    session: Session, year: int | None = None, region: str | None = None
) -> list[AnnualPlan]:
    query = latest_plans_query(year, region).order_by(
        AnnualPlan.fiscal_year.desc(), Buyer.name, AnnualPlan.id
    )
    return list(session.scalars(query))


def plan_years(session: Session) -> list[int]:
    query = select(AnnualPlan.fiscal_year).distinct().order_by(AnnualPlan.fiscal_year.desc())
    return list(session.scalars(query))


def line_counts(session: Session, plan_ids: list[int]) -> dict[int, int]:
    query = (
        select(PlanLine.plan_id, func.count())
        .where(PlanLine.plan_id.in_(plan_ids))
        .group_by(PlanLine.plan_id)
    )
    return dict(session.execute(query).all())


def plan_versions(session: Session, buyer_id: int, year: int) -> list[AnnualPlan]:
    """Every version of one entity's plan for one year, newest first, lines loaded."""
    query = (
        select(AnnualPlan)
        .where(AnnualPlan.buyer_id == buyer_id, AnnualPlan.fiscal_year == year)
        .options(selectinload(AnnualPlan.lines), joinedload(AnnualPlan.buyer))
        .order_by(AnnualPlan.version.desc())
    )
    return list(session.scalars(query))
