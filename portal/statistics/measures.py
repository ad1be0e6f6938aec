"""What each lead-time figure counts: its facts, the day they are dated by, the value measured.

Two kinds of fact. A *call* (an opportunity) is dated by its publication in Lima time, or by
our first sight when the source gave no publication date. An *alert* is a delivery we sent,
dated by when it was sent; its lead time counts only for alerts that told an SME of a call
(matches and follow-ups of a forecast), not change alerts and reminders, which are sent near
the deadline on purpose. Alerts of plan lines (forecasts) count as alerts sent, with no call.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
)

from notifications.models import AlertDelivery, DeliveryKind
from portal.opportunities.models import SECTOR_SCHEMES, Opportunity, OpportunityClassification
from portal.statistics.bins import DELAY_BINS, LEAD_BINS, NOTICE_BINS, Bins
from portal.statistics.models import UNKNOWN
from portal.statistics.sql import days_between

CALLS, ALERTS = "calls", "alerts"
ATTRIBUTES = ("region", "buyer", "procedure", "object", "source")


@dataclass(frozen=True)
class Measure:
    key: str
    family: str
    bins: Bins
    label: str
    breakdowns: tuple[str, ...]  # what the snapshot keeps it by, besides month, region, sector


ALERT_LEAD = Measure(
    "alert_lead",
    ALERTS,
    LEAD_BINS,
    _l("Días entre la alerta y el cierre de ofertas"),
    ("buyer", "procedure", "object"),
)
CALL_LEAD = Measure(
    "call_lead",
    CALLS,
    LEAD_BINS,
    _l("Días entre la publicación y el cierre de ofertas"),
    ("buyer", "procedure", "object"),
)
SEEN_DELAY = Measure(
    "seen_delay",
    CALLS,
    DELAY_BINS,
    _l("Días entre la publicación y su llegada al portal"),
    ("source",),
)
PLAN_NOTICE = Measure(
    "plan_notice",
    CALLS,
    NOTICE_BINS,
    _l("Días de aviso del plan anual antes de la convocatoria"),
    ("procedure", "object"),
)
MEASURES = {measure.key: measure for measure in (ALERT_LEAD, CALL_LEAD, SEEN_DELAY, PLAN_NOTICE)}
LEAD_KINDS = (DeliveryKind.MATCH, DeliveryKind.FOLLOW_UP)


def plan_notice_days() -> ColumnElement[float]:
    """Days from the first publication of a call's plan line to the call; NULL without a
    linked line, and when the plan came after the call (it gave no notice, and a negative
    figure would only lower the average)."""
    days = days_between(Opportunity.published_at, Opportunity.plan_noticed_at)
    return case((days >= 0, days), else_=null())


def measured_value(measure: Measure) -> ColumnElement[float]:
    if measure is ALERT_LEAD:
        told_of_a_call = and_(
            AlertDelivery.kind.in_(LEAD_KINDS), AlertDelivery.deadline_at_notice.is_not(None)
        )
        lead = days_between(AlertDelivery.deadline_at_notice, AlertDelivery.sent_at)
        return case((told_of_a_call, lead), else_=null())
    if measure is CALL_LEAD:
        return days_between(Opportunity.deadline_at, Opportunity.published_at)
    if measure is SEEN_DELAY:
        return days_between(Opportunity.first_seen_at, Opportunity.published_at)
    return plan_notice_days()


@dataclass(frozen=True)
class Family:
    """The FROM and columns of one kind of fact, as SQL."""

    source: FromClause
    moment: ColumnElement[datetime]  # what a fact is dated by
    conditions: tuple[ColumnElement[bool], ...]  # which rows are facts at all


def family(name: str) -> Family:
    if name == ALERTS:
        joined = AlertDelivery.__table__.outerjoin(
            Opportunity.__table__, Opportunity.id == AlertDelivery.opportunity_id
        )
        # Only the sender's "sent" outcome sets sent_at (notifications.outbox): asking for the
        # status as well would lead SQLite to read every sent alert through the status index
        # instead of the few in a date range through the sent_at one.
        return Family(joined, AlertDelivery.sent_at, (AlertDelivery.sent_at.is_not(None),))
    moment = func.coalesce(Opportunity.published_at, Opportunity.first_seen_at)
    return Family(Opportunity.__table__, moment, ())


ATTRIBUTE_COLUMNS = {
    "region": Opportunity.region_code,
    "buyer": Opportunity.buyer_id,
    "procedure": Opportunity.procedure_type_code,
    "object": Opportunity.object_type,
    "source": Opportunity.source_id,
}
ID_ATTRIBUTES = ("buyer", "source")


def attribute(name: str) -> ColumnElement[str]:
    """A call's region, buyer, procedure type, object type or source as text, UNKNOWN if the
    notice does not state it (or an alert is of no call)."""
    column = ATTRIBUTE_COLUMNS[name]
    return func.coalesce(cast(column, String(20)), literal(UNKNOWN, String(20)))


def attribute_in(name: str, values: Sequence[str]) -> ColumnElement[bool]:
    """attribute(name) is one of `values`, said of the column itself: the planner can then
    read only those calls (an index, or a small hash of them to join the alerts to) where
    the text form would join every alert to every call before filtering."""
    column = ATTRIBUTE_COLUMNS[name]
    known = [value for value in values if value != UNKNOWN]
    if name in ID_ATTRIBUTES:
        known = [int(value) for value in known if value.isascii() and value.isdigit()]
    conditions = [column.in_(known)] if known else []
    if UNKNOWN in values:
        conditions.append(column.is_(None))
    return or_(false(), *conditions)


def short_flag() -> ColumnElement[int]:
    return case((Opportunity.short_deadline.is_(True), 1), else_=0)


def minimum_flag() -> ColumnElement[int]:
    return case((Opportunity.minimum_days.is_not(None), 1), else_=0)


def call_sectors() -> Select:
    """(opportunity_id, sector): each UNSPSC segment a call is classified in, once."""
    segment = func.substr(OpportunityClassification.code, 1, 2) + literal("000000", String(8))
    return (
        select(
            OpportunityClassification.opportunity_id.label("opportunity_id"),
            segment.label("sector"),
        )
        .where(
            OpportunityClassification.scheme.in_(SECTOR_SCHEMES),
            func.length(OpportunityClassification.code) >= 4,
        )
        .distinct()
    )


def sector_join(source: FromClause) -> tuple[FromClause, ColumnElement[str]]:
    """The facts joined to each UNSPSC segment their call is classified in, once: the call's
    first classification in a segment stands for it (unclassified facts get a NULL sector).
    Index lookups per fact, where `call_sectors` would first list the segments of every call
    (the snapshot does that)."""
    classification = OpportunityClassification.__table__.alias("sector_classification")
    other = OpportunityClassification.__table__.alias("same_segment")
    segment = func.substr(classification.c.code, 1, 2)
    first = (
        select(func.min(other.c.id))
        .where(
            other.c.opportunity_id == classification.c.opportunity_id,
            other.c.scheme.in_(SECTOR_SCHEMES),
            func.length(other.c.code) >= 4,
            func.substr(other.c.code, 1, 2) == segment,
        )
        .scalar_subquery()
    )
    joined = source.outerjoin(  # an outer join keeps SQLite from starting at classifications
        classification,
        and_(
            classification.c.opportunity_id == Opportunity.id,
            classification.c.scheme.in_(SECTOR_SCHEMES),
            func.length(classification.c.code) >= 4,
            classification.c.id == first,
        ),
    )
    return joined, segment + literal("000000", String(8))


def in_region(region: str, drive: bool) -> ColumnElement[bool]:
    """The call is in this department. Written so that SQLite's planner (which has no
    statistics to weigh indexes with) starts from the region's index only when told to
    `drive`: the live part beside a snapshot is a few facts found by date or id."""
    if drive:
        return Opportunity.region_code == region
    return func.coalesce(Opportunity.region_code, UNKNOWN) == region


def in_sector(name: str, sector: str, drive: bool) -> ColumnElement[bool]:
    """The call has a classification in this UNSPSC segment: a range on the code index,
    as the list of calls to start from when told to `drive` (see in_region), otherwise
    checked per fact."""
    prefix = sector[:2]
    classified = [
        OpportunityClassification.scheme.in_(SECTOR_SCHEMES),
        OpportunityClassification.code >= prefix,
        OpportunityClassification.code < f"{int(prefix) + 1:02d}",
        func.length(OpportunityClassification.code) >= 4,
    ]
    if drive:
        call = AlertDelivery.opportunity_id if name == ALERTS else Opportunity.id
        return call.in_(select(OpportunityClassification.opportunity_id).where(*classified))
    calls = select(OpportunityClassification.id).where(
        OpportunityClassification.opportunity_id == Opportunity.id, *classified
    )
    return calls.exists()


def dated_between(name: str, start: date, end: date, offset_minutes: int) -> ColumnElement[bool]:
    """Facts whose local date is within [start, end], as ranges on stored UTC times (so an
    index serves them). Calls without a publication date are dated by first sight."""
    low, high = utc_bounds(start, end, offset_minutes)
    if name == ALERTS:
        return and_(AlertDelivery.sent_at >= low, AlertDelivery.sent_at < high)
    published = Opportunity.published_at
    return or_(
        and_(published >= low, published < high),
        and_(
            published.is_(None),
            Opportunity.first_seen_at >= low,
            Opportunity.first_seen_at < high,
        ),
    )


def utc_bounds(start: date, end: date, offset_minutes: int) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) local time, in UTC."""
    shift = timedelta(minutes=offset_minutes)
    low = datetime.combine(start, time(), UTC) - shift
    high = datetime.combine(end + timedelta(days=1), time(), UTC) - shift
    return low, high
