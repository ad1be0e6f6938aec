"""SearchParams as SQL: the structured filters of the search page, for keyset-paged listings.

The API pages with a cursor over a stable SQL order when there is no text query. A text query
needs the index's Spanish analysis (stems, folded accents), so `q` is not handled here: the API
takes such searches from the index (portal.api.listing).
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from portal.deadlines.checks import deadline_check_condition
from portal.opportunities.models import (
    Opportunity,
    OpportunityClassification,
    OpportunityStatus,
)
from portal.search.params import SearchParams
from portal.search.size import size_value_limit

NO_PUBLICATION = datetime(1970, 1, 1, tzinfo=UTC)


def _sector_condition(codes: tuple[str, ...]):
    """A segment code (NN000000) matches on two digits, a family (NNNN0000) on four."""
    prefixes = [code[:2] if code.endswith("000000") else code[:4] for code in codes]
    return exists().where(
        OpportunityClassification.opportunity_id == Opportunity.id,
        OpportunityClassification.scheme.in_(("UNSPSC", "CUBSO")),
        or_(*(OpportunityClassification.code.startswith(prefix) for prefix in prefixes)),
    )


def _status_condition(statuses: tuple[str, ...], now: datetime):
    """ "open" means open with the deadline still ahead (or unknown), as in the search index."""
    others = [status for status in statuses if status != OpportunityStatus.OPEN]
    conditions = [Opportunity.status.in_(others)] if others else []
    if OpportunityStatus.OPEN in statuses:
        ahead = Opportunity.deadline_at.is_(None) | (Opportunity.deadline_at > now)
        conditions.append((Opportunity.status == OpportunityStatus.OPEN) & ahead)
    return or_(*conditions)


def filtered_opportunities(session: Session, params: SearchParams, now: datetime) -> Select:
    """Every filter of `params` but `q`, which only the search index answers as the page does."""
    query = select(Opportunity)
    if params.sectors:
        query = query.where(_sector_condition(params.sectors))
    if params.regions:
        query = query.where(Opportunity.region_code.in_(params.regions))
    if params.buyer_ids:
        query = query.where(Opportunity.buyer_id.in_(params.buyer_ids))
    if params.object_types:
        query = query.where(Opportunity.object_type.in_(params.object_types))
    if params.procedure_types:
        query = query.where(Opportunity.procedure_type_code.in_(params.procedure_types))
    if params.deadline_checks:
        query = query.where(deadline_check_condition(params.deadline_checks))
    if params.statuses:
        query = query.where(_status_condition(params.statuses, now))
    if params.value_min is not None:
        query = query.where(Opportunity.estimated_value >= params.value_min)
    if params.value_max is not None:
        query = query.where(Opportunity.estimated_value <= params.value_max)
    if params.published_within_days:
        since = now - timedelta(days=params.published_within_days)
        query = query.where(Opportunity.published_at >= since)
    if params.closing_within_days:
        until = now + timedelta(days=params.closing_within_days)
        query = query.where(Opportunity.deadline_at > now, Opportunity.deadline_at <= until)
    if params.size_class:
        limit = Decimal(str(size_value_limit(session, params.size_class, now)))
        query = query.where(Opportunity.estimated_value <= limit)
    return query
