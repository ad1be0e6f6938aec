"""Plan browser queries: the latest version of each entity's plan per year, and its versions."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.buyers.models import Buyer
from portal.plans.models import AnnualPlan, PlanLine
from portal.search.params import SearchParams
from portal.search.size import size_value_limit


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


def line_conditions(session: Session, params: SearchParams, now: datetime) -> list:
    """The search filters a plan line carries, as SQL conditions: every word of `q` in the
    description, sector (segment or family prefix of its classification code), object type,
    procedure and estimated value (size through its value ceiling)."""
    conditions = [
        func.lower(PlanLine.description).contains(word, autoescape=True)
        for word in params.q.lower().split()
    ]
    if params.sectors:
        prefixes = [code[:2] if code.endswith("000000") else code[:4] for code in params.sectors]
        conditions.append(or_(*(PlanLine.classification_code.startswith(p) for p in prefixes)))
    if params.object_types:
        conditions.append(PlanLine.object_type.in_(params.object_types))
    if params.procedure_types:
        conditions.append(PlanLine.procedure_type_code.in_(params.procedure_types))
    if params.value_min is not None:
        conditions.append(PlanLine.estimated_value >= params.value_min)
    if params.value_max is not None:
        conditions.append(PlanLine.estimated_value <= params.value_max)
    if params.size_class:
        ceiling = Decimal(str(size_value_limit(session, params.size_class, now)))
        conditions.append(PlanLine.estimated_value <= ceiling)
    return conditions


def lines_by_plan(session: Session, plan_ids: list[int], conditions: list) -> dict[int, list]:
    """The lines of several plans that pass `conditions`, in one query, in line order."""
    query = (
        select(PlanLine)
        .where(PlanLine.plan_id.in_(plan_ids), *conditions)
        .order_by(PlanLine.plan_id, PlanLine.id)
    )
    lines: dict[int, list[PlanLine]] = defaultdict(list)
    for line in session.scalars(query):
        lines[line.plan_id].append(line)
    return lines
