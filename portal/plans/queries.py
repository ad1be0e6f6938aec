"""Plan browser queries: the latest version of each entity's plan per year, its versions, the
calls that fulfil its lines, and the notice a plan line gave before its call."""

from collections import defaultdict

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from portal.buyers.models import Buyer
from portal.opportunities.models import Opportunity
from portal.pagination import Page, paginate
from portal.plans.models import AnnualPlan, PlanLine
from portal.reference.models import Department
from scrapers.models import Source


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
    """Every version of one entity's plan for one year, newest first. Lines are not loaded:
    a page reads those of one or two versions (lazily), and counts the rest with line_counts."""
    query = (
        select(AnnualPlan)
        .where(AnnualPlan.buyer_id == buyer_id, AnnualPlan.fiscal_year == year)
        .options(joinedload(AnnualPlan.buyer))
        .order_by(AnnualPlan.version.desc())
    )
    return list(session.scalars(query))


def source_names(session: Session, plans: list[AnnualPlan]) -> dict[int, str]:
    """The names of the sources scraped versions came from, for their provenance."""
    ids = {plan.source_id for plan in plans if plan.source_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(ids))).all())


def department_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Department.code, Department.name)).all())


def calls_by_reference(session: Session, plan: AnnualPlan) -> dict[str, list[Opportunity]]:
    """Calls linked to a line of any version of this plan, by the line's reference number: a
    call linked while version 1 was current still fulfils the same line in version 2."""
    query = (
        select(PlanLine.reference_number, Opportunity)
        .join(Opportunity, Opportunity.plan_line_id == PlanLine.id)
        .join(AnnualPlan, AnnualPlan.id == PlanLine.plan_id)
        .where(AnnualPlan.buyer_id == plan.buyer_id, AnnualPlan.fiscal_year == plan.fiscal_year)
        .order_by(Opportunity.published_at, Opportunity.id)
    )
    calls: dict[str, list[Opportunity]] = defaultdict(list)
    for reference, opportunity in session.execute(query):
        calls[reference].append(opportunity)
    return calls


def plan_notice_days(opportunity: Opportunity) -> float | None:
    """Days from the first publication of the call's plan line to the call's publication.

    None when the call is not linked to a plan line (no `plan_noticed_at`) or its source gave
    no publication date, and also when the plan line was published after the call: a plan
    that came late gave no notice at all, and a negative figure would lower the average notice
    the statistics report instead of showing that entities publish plans late.
    """
    if opportunity.published_at is None or opportunity.plan_noticed_at is None:
        return None
    days = (opportunity.published_at - opportunity.plan_noticed_at).total_seconds() / 86400
    return days if days >= 0 else None


LINES_PER_PAGE = 200  # a PAC may hold 50,000 lines; a page shows a readable slice


def line_page(
    session: Session, plan: AnnualPlan, number: int = 1, per_page: int = LINES_PER_PAGE
) -> Page:
    """One page of a version's lines in the file's order (their ids); past the end: the last."""
    query = select(PlanLine).where(PlanLine.plan_id == plan.id).order_by(PlanLine.id)
    return paginate(session, query, number, per_page, clamp=True)


def page_of_line(
    session: Session, plan: AnnualPlan, reference: str, per_page: int = LINES_PER_PAGE
) -> int | None:
    """The page holding the line with this reference number, so a link to a line (from search,
    alerts, feeds, a call) opens where the line is; None if this version has no such line."""
    line_id = session.scalar(
        select(PlanLine.id).where(
            PlanLine.plan_id == plan.id, PlanLine.reference_number == reference
        )
    )
    if line_id is None:
        return None
    before = session.scalar(
        select(func.count()).where(PlanLine.plan_id == plan.id, PlanLine.id < line_id)
    )
    return before // per_page + 1
