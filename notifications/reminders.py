"""Deadline reminders: a saved process's deadline is `remind_days_before` days away or less.

Run hourly. The dedup key carries the deadline's Lima date, so each deadline is reminded once
and a moved deadline is reminded again; a reminder is time-critical, so it goes out at once
whatever the user's subscriptions say.
"""

from datetime import datetime, timedelta

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from notifications.models import AlertDelivery, DeliveryKind
from notifications.schedule import LIMA
from portal.accounts.models import User
from portal.opportunities.models import Opportunity, OpportunityStatus
from portal.subscriptions.models import Frequency, SavedOpportunity
from portal.subscriptions.params import alert_recipient_conditions

DELIVERIES = AlertDelivery.__table__


def record_reminders(session: Session, now: datetime) -> int:
    """Deliveries for every saved, open process inside its reminder window; returns how many
    were new. The caller commits."""
    days = session.scalars(
        select(SavedOpportunity.remind_days_before)
        .where(SavedOpportunity.remind_days_before.is_not(None))
        .distinct()
    ).all()
    if not days:
        return 0
    rows = [
        {
            "user_id": user_id,
            "kind": DeliveryKind.REMINDER,
            "dedup_key": key,
            "opportunity_id": opportunity_id,
            "frequency": Frequency.IMMEDIATE,
            "created_at": now,
            "due_at": now,
            "deadline_at_notice": deadline,
        }
        for user_id, opportunity_id, key, deadline in _not_yet_reminded(session, days, now)
    ]
    if not rows:
        return 0
    dialect = postgresql if session.connection().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(DELIVERIES)
        .on_conflict_do_nothing(index_elements=["user_id", "dedup_key"])
        .returning(DELIVERIES.c.id)
    )
    return len(session.execute(statement, rows).all())  # RETURNING names only new rows


def reminder_key(opportunity_id: int, deadline: datetime) -> str:
    """One reminder per deadline date as the bidder reads it (Lima)."""
    return f"reminder:{opportunity_id}:{deadline.astimezone(LIMA).date().isoformat()}"


def _not_yet_reminded(session: Session, days: list[int], now: datetime) -> list[tuple]:
    """(user, opportunity, dedup key, deadline) of the entries whose window is open and whose
    current deadline has no reminder yet. The keys already recorded come with the entries, so
    the hourly run writes nothing once an entry is reminded."""
    due: dict[tuple[int, int], datetime] = {}
    recorded: set[tuple[int, str]] = set()
    for user_id, opportunity_id, deadline, key in session.execute(_in_window(days, now)):
        due[(user_id, opportunity_id)] = deadline
        recorded.add((user_id, key))
    keyed = (
        (user_id, opportunity_id, reminder_key(opportunity_id, deadline), deadline)
        for (user_id, opportunity_id), deadline in due.items()
    )
    return [row for row in keyed if (row[0], row[2]) not in recorded]


def _in_window(days: list[int], now: datetime) -> Select:
    """(user, opportunity, deadline, a reminder key already recorded or None) of the entries
    whose window has opened. One condition per distinct number of days in use (a handful), so
    the database compares plain timestamps on both backends instead of date arithmetic that
    each spells differently."""
    window_open = or_(
        *(
            and_(
                SavedOpportunity.remind_days_before == count,
                Opportunity.deadline_at <= now + timedelta(days=count),
            )
            for count in days
        )
    )
    reminded = aliased(AlertDelivery)
    return (
        select(
            SavedOpportunity.user_id, Opportunity.id, Opportunity.deadline_at, reminded.dedup_key
        )
        .join(Opportunity, Opportunity.id == SavedOpportunity.opportunity_id)
        .join(User, User.id == SavedOpportunity.user_id)
        .outerjoin(
            reminded,
            and_(
                reminded.user_id == SavedOpportunity.user_id,
                reminded.opportunity_id == Opportunity.id,
                reminded.kind == DeliveryKind.REMINDER,
            ),
        )
        .where(
            Opportunity.status == OpportunityStatus.OPEN,
            Opportunity.deadline_at > now,
            window_open,
            *alert_recipient_conditions(),
        )
    )
