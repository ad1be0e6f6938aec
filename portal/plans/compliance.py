"""Which public entities have published their annual plan (PAC) for a fiscal year, and how.

The law obliges every public entity to publish its PAC and each amendment; this answers, for
administrators and on each entity's page, who has, when, how often it was amended and what the
newest version holds. A page of entities is one query and their plans one aggregate query
(per 500 entities, never one per entity), the same on SQLite and PostgreSQL, so thousands of
entities page and export quickly.

"Public" means every Peruvian buyer whose level of government is not private. Buyers of
unknown level are included: most entities reach us from SEACE's open data, which carries no
level of government, and SEACE only publishes the state's calls, so leaving them out would
hide exactly the entities nobody has classified yet. Foreign buyers (level or country) are
left out: Peruvian law does not oblige them.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from portal.buyers.models import Buyer, GovernmentLevel
from portal.plans.models import AnnualPlan, PlanLine
from portal.reference.models import Department

PUBLIC_LEVELS = (
    GovernmentLevel.NATIONAL,
    GovernmentLevel.REGIONAL,
    GovernmentLevel.LOCAL,
    GovernmentLevel.AUTONOMOUS,
    GovernmentLevel.UNKNOWN,
)
CHUNK = 500  # entities per plan query: a short IN list, a few thousand plan rows at most
LEVEL_LABELS = {
    GovernmentLevel.NATIONAL: _l("Nacional"),
    GovernmentLevel.REGIONAL: _l("Regional"),
    GovernmentLevel.LOCAL: _l("Local"),
    GovernmentLevel.AUTONOMOUS: _l("Organismo autónomo"),
    GovernmentLevel.UNKNOWN: _l("Sin clasificar"),
}


@dataclass(frozen=True)
class ComplianceFilters:
    fiscal_year: int
    level: GovernmentLevel | None = None  # one of PUBLIC_LEVELS
    region: str | None = None  # UBIGEO department code


@dataclass(frozen=True)
class PlanCompliance:
    """One public entity and its plan for the year; the plan fields are None without a plan."""

    buyer_id: int
    name: str
    ruc: str | None
    level: GovernmentLevel
    region_name: str | None
    first_published_at: datetime | None
    versions: int
    latest_version: int | None
    latest_published_at: datetime | None
    line_count: int
    total_value: Decimal | None  # lines in soles only: a sum across currencies means nothing

    @property
    def published(self) -> bool:
        return self.versions > 0

    @property
    def amendments(self) -> int:
        return max(self.versions - 1, 0)


@dataclass(frozen=True)
class ComplianceSummary:
    published: int
    not_published: int

    @property
    def total(self) -> int:
        return self.published + self.not_published


def current_fiscal_year(now: datetime, zone: str = "America/Lima") -> int:
    """Peru's fiscal year is the calendar year in Lima: at 22:00 on 31 December in Lima it is
    already the next year in UTC, but still this year's plan that is due."""
    return now.astimezone(ZoneInfo(zone)).year


def level_label(level: GovernmentLevel | str) -> str:
    return str(LEVEL_LABELS[GovernmentLevel(level)])


def compliance_summary(session: Session, filters: ComplianceFilters) -> ComplianceSummary:
    has_plan = _has_plan(filters.fiscal_year)
    counts = select(func.count(), func.count(case((has_plan, 1)))).select_from(Buyer)
    total, published = session.execute(_filtered(counts, filters)).one()
    return ComplianceSummary(published=published, not_published=total - published)


def compliance_rows(
    session: Session, filters: ComplianceFilters, limit: int | None = None, offset: int = 0
) -> Iterator[PlanCompliance]:
    """Entities without a plan first (the ones to chase), then by name; `limit` and `offset`
    page through them, no limit gives every row (the CSV export)."""
    query = _entities_query(filters).limit(limit).offset(offset or None)
    yield from _with_plans(session, filters.fiscal_year, session.execute(query).all())


def plan_status(session: Session, buyer_id: int, fiscal_year: int) -> PlanCompliance | None:
    """One entity's plan status, or None for a buyer the obligation does not reach."""
    query = _entities_query(ComplianceFilters(fiscal_year)).where(Buyer.id == buyer_id)
    return next(_with_plans(session, fiscal_year, session.execute(query).all()), None)


# Two steps rather than one query joining grouped subqueries: PostgreSQL plans such a join
# as nested loops that re-aggregate per entity whenever its statistics are missing (minutes
# for 5,000 entities after a bulk load), while an EXISTS per entity and an aggregate over
# an id list stay index lookups whatever the statistics.


def _has_plan(fiscal_year: int):
    """Published = any version of the year's plan; one (buyer, year, version) index probe."""
    return (
        select(AnnualPlan.id)
        .where(AnnualPlan.buyer_id == Buyer.id, AnnualPlan.fiscal_year == fiscal_year)
        .exists()
    )


def _entities_query(filters: ComplianceFilters) -> Select:
    query = (
        select(
            Buyer.id.label("buyer_id"),
            Buyer.name,
            Buyer.ruc,
            Buyer.government_level.label("level"),
            Department.name.label("region_name"),
        )
        .outerjoin(Department, Department.code == Buyer.region_code)
        .order_by(_has_plan(filters.fiscal_year), Buyer.name, Buyer.id)
    )
    return _filtered(query, filters)


def _with_plans(session: Session, fiscal_year: int, entities: list) -> Iterator[PlanCompliance]:
    """The entities with their plans, one aggregate query per `CHUNK` entities."""
    for start in range(0, len(entities), CHUNK):
        chunk = entities[start : start + CHUNK]
        versions = _versions_by_buyer(session, fiscal_year, [row.buyer_id for row in chunk])
        for entity in chunk:
            yield _compliance(entity, versions.get(entity.buyer_id, []))


def _versions_by_buyer(session: Session, fiscal_year: int, buyer_ids: list[int]) -> dict:
    """Every version of the year's plan of these entities, with its line count and value."""
    in_soles = case((PlanLine.currency == "PEN", PlanLine.estimated_value))
    query = (
        select(
            AnnualPlan.buyer_id,
            AnnualPlan.version,
            AnnualPlan.published_at,
            func.count(PlanLine.id).label("line_count"),
            func.sum(in_soles).label("total_value"),
        )
        .outerjoin(PlanLine, PlanLine.plan_id == AnnualPlan.id)
        .where(AnnualPlan.buyer_id.in_(buyer_ids), AnnualPlan.fiscal_year == fiscal_year)
        .group_by(AnnualPlan.id, AnnualPlan.buyer_id, AnnualPlan.version, AnnualPlan.published_at)
    )
    versions = defaultdict(list)
    for row in session.execute(query):
        versions[row.buyer_id].append(row)
    return versions


def _compliance(entity, versions: list) -> PlanCompliance:
    newest = max(versions, key=lambda version: version.version, default=None)
    return PlanCompliance(
        **entity._mapping,
        first_published_at=min((version.published_at for version in versions), default=None),
        versions=len(versions),
        latest_version=newest.version if newest else None,
        latest_published_at=newest.published_at if newest else None,
        line_count=newest.line_count if newest else 0,
        total_value=newest.total_value if newest else None,
    )


def _filtered(query: Select, filters: ComplianceFilters) -> Select:
    query = query.where(Buyer.government_level.in_(PUBLIC_LEVELS), Buyer.country == "PE")
    if filters.level is not None:
        query = query.where(Buyer.government_level == filters.level)
    if filters.region is not None:
        query = query.where(Buyer.region_code == filters.region)
    return query
