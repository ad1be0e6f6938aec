"""Read-side queries for opportunities, shared by pages, API and CLI."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.opportunities.models import Opportunity, OpportunityStatus
from portal.plans.models import AnnualPlan, PlanLine


def open_at(now: datetime):
    """The condition "open for bids at `now`": open status and no deadline past."""
    return (Opportunity.status == OpportunityStatus.OPEN) & (
        (Opportunity.deadline_at.is_(None)) | (Opportunity.deadline_at > now)
    )


def _open_now(now: datetime):
    return select(Opportunity).where(open_at(now))


def latest_open(session: Session, now: datetime, limit: int = 10) -> list[Opportunity]:
    """Open calls newest first; the id breaks ties so a page never reshuffles between loads."""
    query = (
        _open_now(now)
        .options(joinedload(Opportunity.buyer), joinedload(Opportunity.region))
        .order_by(Opportunity.published_at.desc().nulls_last(), Opportunity.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def closing_soon(session: Session, now: datetime, limit: int = 10) -> list[Opportunity]:
    """Open calls with a known deadline still ahead, nearest first, ties by id as above."""
    query = (
        _open_now(now)
        .where(Opportunity.deadline_at.is_not(None))
        .options(joinedload(Opportunity.buyer), joinedload(Opportunity.region))
        .order_by(Opportunity.deadline_at.asc(), Opportunity.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def open_for_buyer(session: Session, buyer_id: int, now: datetime) -> list[Opportunity]:
    query = (
        _open_now(now)
        .where(Opportunity.buyer_id == buyer_id)
        .options(joinedload(Opportunity.buyer), joinedload(Opportunity.region))
        .order_by(Opportunity.deadline_at.asc().nulls_last(), Opportunity.id)
    )
    return list(session.scalars(query))


def get_opportunity(session: Session, opportunity_id: int) -> Opportunity | None:
    query = (
        select(Opportunity)
        .where(Opportunity.id == opportunity_id)
        .options(
            joinedload(Opportunity.buyer),
            joinedload(Opportunity.region),
            joinedload(Opportunity.procedure_type),
            joinedload(Opportunity.plan_line)
            .joinedload(PlanLine.plan)
            .joinedload(AnnualPlan.buyer),
            selectinload(Opportunity.changes),
            selectinload(Opportunity.awards),
        )
    )
    return session.scalar(query)


def opportunities_by_ids(session: Session, ids: Iterable[int]) -> list[Opportunity]:
    """Rows for search hits, in the hits' order; ids the database no longer has are skipped."""
    ids = list(ids)
    query = (
        select(Opportunity)
        .where(Opportunity.id.in_(ids))
        .options(
            joinedload(Opportunity.buyer),
            joinedload(Opportunity.region),
            joinedload(Opportunity.procedure_type),
            selectinload(Opportunity.awards),  # the API and the OCDS export show them
        )
    )
    found = {opportunity.id: opportunity for opportunity in session.scalars(query)}
    return [found[opportunity_id] for opportunity_id in ids if opportunity_id in found]
