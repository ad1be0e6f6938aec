"""A subscription is a saved search: the one translation between its stored criteria and the
SearchParams the search runs, so an alert matches exactly what the same search would show."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.buyers.models import Buyer
from portal.opportunities.models import ObjectType
from portal.opportunities.search_request import search_params_from
from portal.reference.models import Department, ProcedureType, Sector
from portal.search.params import KINDS, InvalidSearchParams, SearchParams, unknown_value
from portal.subscriptions.models import (
    Frequency,
    Subscription,
    SubscriptionDeadlineCheck,
    SubscriptionObjectType,
    subscription_buyers,
    subscription_procedure_types,
    subscription_regions,
    subscription_sectors,
)

# Alerts tell about notices still open to offers; forecasts (plan lines) have no status.
ALERT_STATUSES = ("open",)
OPPORTUNITIES_ONLY = ("opportunity",)
LARGEST_AMOUNT = Decimal("9999999999999999.99")  # Numeric(18, 2)
CENT = Decimal("0.01")


def alert_params(params: SearchParams) -> SearchParams:
    """Only what a subscription keeps: it hears about new open notices, so the status, date
    windows, order and paging of the search it came from are dropped. A search for forecasts
    alone becomes notices and forecasts: notices are what an alert is for."""
    return SearchParams(
        q=params.q,
        sectors=params.sectors,
        regions=params.regions,
        buyer_ids=params.buyer_ids,
        object_types=params.object_types,
        procedure_types=params.procedure_types,
        statuses=ALERT_STATUSES,
        value_min=params.value_min,
        value_max=params.value_max,
        size_class=params.size_class,
        deadline_checks=params.deadline_checks,
        kinds=KINDS if "plan_line" in params.kinds else OPPORTUNITIES_ONLY,
    )


def alert_params_from(args: Mapping) -> SearchParams:
    """A subscription's criteria from search arguments, validated as the search validates
    them (raises InvalidSearchParams), so it can never hold what a search would refuse."""
    params = alert_params(search_params_from(args))
    for field, amount in (("value_min", params.value_min), ("value_max", params.value_max)):
        if amount is not None and amount > LARGEST_AMOUNT:
            raise InvalidSearchParams(field, _l("es demasiado grande"))
        if amount is not None and amount != amount.quantize(CENT):
            raise InvalidSearchParams(field, _l("admite como máximo dos decimales"))
    return params


def _search(row, links: Mapping[str, Iterable]) -> SearchParams:
    """The search of a subscription's row (keywords, min_value, max_value, size_class_code,
    include_forecasts) and its linked codes and choices: the one translation both loaders
    use."""
    return SearchParams(
        q=row.keywords,
        sectors=tuple(sorted(links.get("sectors", ()))),
        regions=tuple(sorted(links.get("regions", ()))),
        buyer_ids=tuple(sorted(links.get("buyers", ()))),
        object_types=tuple(sorted(str(value) for value in links.get("object_types", ()))),
        procedure_types=tuple(sorted(links.get("procedure_types", ()))),
        statuses=ALERT_STATUSES,
        value_min=row.min_value,
        value_max=row.max_value,
        size_class=row.size_class_code,
        deadline_checks=tuple(sorted(links.get("deadline_checks", ()))),
        kinds=KINDS if row.include_forecasts else OPPORTUNITIES_ONLY,
    )


def subscription_params(subscription: Subscription) -> SearchParams:
    """The search a subscription stands for."""
    return _search(
        subscription,
        {
            "sectors": [sector.code for sector in subscription.sectors],
            "regions": [region.code for region in subscription.regions],
            "buyers": [buyer.id for buyer in subscription.buyers],
            "object_types": [item.object_type for item in subscription.object_types],
            "procedure_types": [kind.code for kind in subscription.procedure_types],
            "deadline_checks": [item.deadline_check for item in subscription.deadline_checks],
        },
    )


@dataclass(frozen=True)
class ActiveSearch:
    """A subscription the matcher runs: whose it is, how often it mails, and its search."""

    subscription_id: int
    user_id: int
    frequency: Frequency
    digest_hour: int
    params: SearchParams


_LINKS = {
    "sectors": (subscription_sectors.c.subscription_id, subscription_sectors.c.sector_code),
    "regions": (subscription_regions.c.subscription_id, subscription_regions.c.region_code),
    "buyers": (subscription_buyers.c.subscription_id, subscription_buyers.c.buyer_id),
    "procedure_types": (
        subscription_procedure_types.c.subscription_id,
        subscription_procedure_types.c.procedure_type_code,
    ),
    "object_types": (
        SubscriptionObjectType.subscription_id,
        SubscriptionObjectType.object_type,
    ),
    "deadline_checks": (
        SubscriptionDeadlineCheck.subscription_id,
        SubscriptionDeadlineCheck.deadline_check,
    ),
}


def active_searches(session: Session) -> list[ActiveSearch]:
    """Every active subscription of a user who can receive alerts, loaded in seven queries
    (the matcher may hold a hundred thousand; one query per subscription would take minutes)."""
    rows = session.execute(
        select(
            Subscription.id,
            Subscription.user_id,
            Subscription.frequency,
            Subscription.digest_hour,
            Subscription.keywords,
            Subscription.min_value,
            Subscription.max_value,
            Subscription.size_class_code,
            Subscription.include_forecasts,
        )
        .join(User, User.id == Subscription.user_id)
        .where(Subscription.active, *alert_recipient_conditions())
        .order_by(Subscription.id)
    ).all()
    wanted = {row.id for row in rows}
    links: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for name, (owner, value) in _LINKS.items():
        for subscription_id, code in session.execute(select(owner, value)):
            if subscription_id in wanted:
                links[subscription_id][name].append(code)
    return [
        ActiveSearch(
            row.id, row.user_id, row.frequency, row.digest_hour, _search(row, links[row.id])
        )
        for row in rows
    ]


def alert_recipient_conditions() -> tuple:
    """Users who may be sent alerts: active, not deleted, e-mail verified, not stopped."""
    return (
        User.active,
        User.deleted_at.is_(None),
        User.email_verified_at.is_not(None),
        User.alerts_stopped_at.is_(None),
    )


def apply_params(session: Session, subscription: Subscription, params: SearchParams) -> None:
    """Store a search's criteria on a subscription (the inverse of subscription_params).
    Raises InvalidSearchParams for a code no reference row holds."""
    params = alert_params(params)
    subscription.keywords = params.q
    subscription.sectors = _rows(session, Sector.code, params.sectors, "sector")
    subscription.regions = _rows(session, Department.code, params.regions, "region")
    subscription.buyers = _rows(session, Buyer.id, params.buyer_ids, "buyer")
    subscription.procedure_types = _rows(
        session, ProcedureType.code, params.procedure_types, "procedure"
    )
    kept = {str(item.object_type): item for item in subscription.object_types}
    subscription.object_types = [
        kept.get(value) or SubscriptionObjectType(object_type=ObjectType(value))
        for value in params.object_types
    ]
    kept_checks = {item.deadline_check: item for item in subscription.deadline_checks}
    subscription.deadline_checks = [
        kept_checks.get(value) or SubscriptionDeadlineCheck(deadline_check=value)
        for value in params.deadline_checks
    ]
    subscription.min_value = params.value_min
    subscription.max_value = params.value_max
    subscription.size_class_code = params.size_class
    subscription.include_forecasts = "plan_line" in params.kinds


def check_references(session: Session, params: SearchParams) -> None:
    """Raise InvalidSearchParams if a sector, region, entity or procedure is unknown here: the
    search would just find nothing, a subscription could not even store it."""
    _rows(session, Sector.code, params.sectors, "sector")
    _rows(session, Department.code, params.regions, "region")
    _rows(session, Buyer.id, params.buyer_ids, "buyer")
    _rows(session, ProcedureType.code, params.procedure_types, "procedure")


def _rows(session: Session, key, values: tuple, field: str) -> list:
    if not values:
        return []
    entity = key.class_
    rows = session.scalars(select(entity).where(key.in_(values))).all()
    found = {getattr(row, key.key) for row in rows}
    missing = [value for value in values if value not in found]
    if missing:
        raise InvalidSearchParams(field, unknown_value(str(missing[0])))
    return sorted(rows, key=lambda row: getattr(row, key.key))
