"""Who uses the alerts: subscribed SMEs and active subscriptions by company size and region
(as they are today), and unsubscribes by month. Small tables, counted live."""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, String, cast, exists, func, literal, select
from sqlalchemy.orm import Session

from portal.accounts.models import CompanyProfile, Role, User, company_regions, company_sectors
from portal.statistics.dashboard import Dashboard
from portal.statistics.measures import utc_bounds
from portal.statistics.models import UNKNOWN, UnsubscribeEvent
from portal.statistics.sql import local_month
from portal.statistics.tally import Filters
from portal.subscriptions.models import Subscription


def subscribers(dashboard: Dashboard, grouping: str) -> dict[str, tuple[int, int]]:
    return dashboard.once(
        ("subscribers", grouping),
        lambda: subscribers_by(dashboard.session, grouping, dashboard.filters),
    )


def unsubscribes_by_month(dashboard: Dashboard) -> dict[date, int]:
    """Unsubscribes from alert mail by Lima month (of every company: region and sector are
    properties of calls and companies, not of an unsubscribe)."""
    return dashboard.once(
        ("unsubscribes",),
        lambda: unsubscribes_between(
            dashboard.session, dashboard.filters, dashboard.offset_minutes
        ),
    )


def subscribers_by(session: Session, grouping: str, filters: Filters) -> dict[str, tuple[int, int]]:
    """{size class or region: (SMEs with an active subscription, active subscriptions)}. A
    company in several regions counts in each; UNKNOWN gathers those without one."""
    active = (
        select(Subscription.user_id, func.count().label("subscriptions"))
        .where(Subscription.active.is_(True))
        .group_by(Subscription.user_id)
        .subquery("active_subscriptions")
    )
    source = User.__table__.join(active, active.c.user_id == User.id).outerjoin(
        CompanyProfile, CompanyProfile.user_id == User.id
    )
    if grouping == "size":
        key = func.coalesce(cast(CompanyProfile.size_class_code, String(20)), UNKNOWN)
    else:
        key = func.coalesce(company_regions.c.region_code, literal(UNKNOWN, String(20)))
        source = source.outerjoin(
            company_regions, company_regions.c.company_id == CompanyProfile.id
        )
    query = (
        select(key.label("key"), func.count(), func.sum(active.c.subscriptions))
        .select_from(source)
        .where(*_company_filters(filters))
        .group_by(key)
    )
    return {row[0]: (row[1], int(row[2])) for row in session.execute(query)}


def unsubscribes_between(
    session: Session, filters: Filters, offset_minutes: int
) -> dict[date, int]:
    low, high = utc_bounds(filters.start, filters.end, offset_minutes)
    month = local_month(UnsubscribeEvent.at, offset_minutes)
    query = (
        select(month.label("month"), func.count())
        .where(UnsubscribeEvent.at >= low, UnsubscribeEvent.at < high)
        .group_by(month)
    )
    return dict(session.execute(query).all())


def _company_filters(filters: Filters) -> Iterable[ColumnElement[bool]]:
    conditions = [User.role == Role.SME, User.active.is_(True), User.deleted_at.is_(None)]
    if filters.region is not None:
        regions = company_regions.alias("filter_regions")  # the grouping may join the table
        conditions.append(
            exists().where(
                regions.c.company_id == CompanyProfile.id,
                regions.c.region_code == filters.region,
            )
        )
    if filters.sector is not None:
        conditions.append(
            exists().where(
                company_sectors.c.company_id == CompanyProfile.id,
                # a company may name a family of the segment as well as the segment
                func.substr(company_sectors.c.sector_code, 1, 2) == filters.sector[:2],
            )
        )
    return conditions
