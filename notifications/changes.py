"""Change alerts: each recorded change that matters becomes one delivery per follower.

Ingest writes `opportunity_changes` (scrapers/ingest.py) and knows nothing of followers; this
reads the changes not yet alerted, in batches, and marks every one it read (`alerted_at`),
whether it mattered or not, in the transaction that holds its deliveries: a change is read once
and, whatever the reruns, told once per follower (the outbox's uniqueness on the dedup key).
Each batch is one INSERT ... SELECT in the database, however many followers it reaches.
"""

from datetime import datetime

from sqlalchemy import String, and_, case, cast, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from notifications.models import AlertDelivery, DeliveryKind
from notifications.schedule import due_at
from portal.accounts.models import User
from portal.db import UTCDateTime
from portal.opportunities.models import ChangeKind, Opportunity, OpportunityChange
from portal.subscriptions.models import Frequency, SavedOpportunity, Subscription
from portal.subscriptions.params import alert_recipient_conditions

BATCH_SIZE = 1000
ALERTED_KINDS = (
    ChangeKind.DEADLINE_EXTENDED,
    ChangeKind.DEADLINE_SHORTENED,
    ChangeKind.STATUS_CHANGED,
    ChangeKind.VALUE_CHANGED,
)
# Detail changes a bidder must act on: a deadline published or withdrawn (ingest calls that a
# detail, having no old or new date to compare), the link to the notice, documents added to the
# call (portal.opportunities.documents), and who won and for how much. A corrected title,
# description or classification is not worth an e-mail.
ALERTED_DETAIL_FIELDS = ("deadline_at", "url", "documents", "awards")
DIGESTS = (Frequency.DAILY, Frequency.WEEKLY)  # most urgent first
DELIVERIES = AlertDelivery.__table__
COLUMNS = (
    "user_id",
    "kind",
    "dedup_key",
    "opportunity_id",
    "change_id",
    "frequency",
    "created_at",
    "due_at",
    "deadline_at_notice",
)


def record_change_alerts(session: Session, now: datetime) -> int:
    """Deliveries for every change not yet alerted; returns how many were new. The caller
    commits: until then the changes read stay locked (PostgreSQL) for any other matcher."""
    recorded = 0
    while change_ids := _unalerted_batch(session):
        recorded += len(session.execute(_insert_deliveries(session, change_ids, now)).all())
        session.execute(
            update(OpportunityChange)
            .where(OpportunityChange.id.in_(change_ids))
            .values(alerted_at=now)
            .execution_options(synchronize_session=False)
        )
    return recorded


def _unalerted_batch(session: Session) -> list[int]:
    query = (
        select(OpportunityChange.id)
        .where(OpportunityChange.alerted_at.is_(None))
        .order_by(OpportunityChange.id)
        .limit(BATCH_SIZE)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def _insert_deliveries(session: Session, change_ids: list[int], now: datetime):
    """INSERT ... SELECT one row per (change that matters, active follower), skipping any
    (user, dedup key) already in the outbox."""
    changes = OpportunityChange.id.in_(change_ids)
    followers = SavedOpportunity.opportunity_id == OpportunityChange.opportunity_id
    slots = _digest_slots(now)
    urgency = _urgency_by_user(
        slots, select(SavedOpportunity.user_id).join(OpportunityChange, followers).where(changes)
    )
    rows = (
        select(
            SavedOpportunity.user_id,
            literal(DeliveryKind.CHANGE, DELIVERIES.c.kind.type),
            literal("change:") + cast(OpportunityChange.id, String),
            OpportunityChange.opportunity_id,
            OpportunityChange.id,
            case(
                {number: frequency.value for number, (frequency, _, _) in slots.items()},
                value=urgency.c.code,
                else_=Frequency.IMMEDIATE.value,
            ),
            literal(now, UTCDateTime()),
            case(
                {number: literal(due, UTCDateTime()) for number, (_, _, due) in slots.items()},
                value=urgency.c.code,
                else_=literal(now, UTCDateTime()),
            ),
            Opportunity.deadline_at,
        )
        .join(SavedOpportunity, followers)
        .join(Opportunity, Opportunity.id == OpportunityChange.opportunity_id)
        .join(User, User.id == SavedOpportunity.user_id)
        .outerjoin(urgency, urgency.c.user_id == SavedOpportunity.user_id)
        .where(
            changes,
            or_(
                OpportunityChange.kind.in_(ALERTED_KINDS),
                OpportunityChange.field.in_(ALERTED_DETAIL_FIELDS),
            ),
            SavedOpportunity.follow_changes,
            *alert_recipient_conditions(),
        )
    )
    dialect = postgresql if session.connection().dialect.name == "postgresql" else sqlite
    return (
        dialect.insert(DELIVERIES)
        .from_select(COLUMNS, rows)
        .on_conflict_do_nothing(index_elements=["user_id", "dedup_key"])
        .returning(DELIVERIES.c.id)  # only the rows inserted: an exact count on both backends
    )


def _digest_slots(now: datetime) -> dict[int, tuple[Frequency, int, datetime]]:
    """Every daily and weekly digest slot (frequency, Lima hour, when it next goes out),
    numbered from 1 by urgency: daily before weekly, then the soonest first. Python numbers
    them because `schedule.due_at` knows the Lima calendar; the database only compares."""
    slots = [
        (frequency, hour, due_at(frequency, hour, now))
        for frequency in DIGESTS
        for hour in range(24)
    ]
    slots.sort(key=lambda slot: (DIGESTS.index(slot[0]), slot[2]))
    return dict(enumerate(slots, start=1))


def _urgency_by_user(slots: dict, users):
    """(user_id, code) for those of `users` with an active subscription: the smallest slot
    number among them, 0 for an immediate one. Users without one get no row: immediate, as
    they asked for no digest."""
    numbered = case(
        *(
            (and_(Subscription.frequency == frequency, Subscription.digest_hour == hour), number)
            for number, (frequency, hour, _) in slots.items()
        ),
        else_=0,
    )
    return (
        select(Subscription.user_id, func.min(numbered).label("code"))
        .where(Subscription.active, Subscription.user_id.in_(users))
        .group_by(Subscription.user_id)
        .subquery()
    )
