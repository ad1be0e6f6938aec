"""Subscriptions and the watchlist: each function adds or flushes, the caller commits once."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, null, select
from sqlalchemy.orm import Session, joinedload

from portal.accounts.models import User
from portal.opportunities.models import Opportunity
from portal.search.params import SearchParams
from portal.subscriptions.models import Frequency, SavedOpportunity, Subscription
from portal.subscriptions.params import apply_params
from portal.subscriptions.summary import default_name


class SubscriptionLimitReached(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} subscriptions")
        self.limit = limit


@dataclass(frozen=True)
class Delivery:
    """How and when a subscription's alerts go out."""

    frequency: Frequency = Frequency.DAILY
    digest_hour: int = 7


@dataclass(frozen=True)
class SendingPreferences:
    """The user's limits on immediate alert e-mail (the sender applies them): at most
    `daily_alert_cap` a Lima day, the rest in the next daily digest; none between the quiet
    hours (Lima, both or neither, possibly across midnight), which wait until they end."""

    daily_alert_cap: int = 20
    quiet_from_hour: int | None = None
    quiet_until_hour: int | None = None


def sending_preferences(user: User) -> SendingPreferences:
    return SendingPreferences(user.daily_alert_cap, user.quiet_from_hour, user.quiet_until_hour)


def save_sending_preferences(session: Session, user: User, preferences: SendingPreferences) -> None:
    user.daily_alert_cap = preferences.daily_alert_cap
    user.quiet_from_hour = preferences.quiet_from_hour
    user.quiet_until_hour = preferences.quiet_until_hour
    session.flush()


def resume_alert_mail(session: Session, user: User) -> bool:
    """Undo a List-Unsubscribe click: alert e-mail starts again from now on (the sender
    dropped what fell due meanwhile). False if it was not stopped."""
    if user.alerts_stopped_at is None:
        return False
    user.alerts_stopped_at = None
    session.flush()
    return True


def user_subscriptions(session: Session, user_id: int) -> list[Subscription]:
    query = select(Subscription).where(Subscription.user_id == user_id)
    return list(session.scalars(query.order_by(Subscription.created_at, Subscription.id)))


def subscription_count(session: Session, user_id: int) -> int:
    query = select(func.count()).select_from(Subscription).where(Subscription.user_id == user_id)
    return session.scalar(query) or 0


def owned_subscription(session: Session, user_id: int, subscription_id: int) -> Subscription | None:
    """The subscription if this user owns it: someone else's is as absent as a missing one."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or subscription.user_id != user_id:
        return None
    return subscription


def create_subscription(
    session: Session,
    user: User,
    params: SearchParams,
    limit: int,
    name: str = "",
    delivery: Delivery = Delivery(),
) -> Subscription:
    """A new, active subscription; raises SubscriptionLimitReached past `limit` and
    InvalidSearchParams for unknown codes. The user's row is locked (PostgreSQL) so two tabs
    saving at once cannot both take the last place."""
    session.scalar(select(User.id).where(User.id == user.id).with_for_update())
    if subscription_count(session, user.id) >= limit:
        raise SubscriptionLimitReached(limit)
    subscription = Subscription(user_id=user.id, active=True)
    update_subscription(session, subscription, params, name, delivery)
    session.add(subscription)
    session.flush()
    return subscription


def update_subscription(
    session: Session,
    subscription: Subscription,
    params: SearchParams,
    name: str,
    delivery: Delivery,
) -> None:
    """A blank name gets one from the criteria."""
    apply_params(session, subscription, params)
    subscription.name = name.strip() or default_name(session, params)
    subscription.frequency = delivery.frequency
    subscription.digest_hour = delivery.digest_hour
    session.flush()


def set_active(session: Session, subscription: Subscription, active: bool) -> None:
    """Pause or resume: a paused subscription keeps its criteria and sends nothing."""
    subscription.active = active
    session.flush()


def delete_subscription(session: Session, subscription: Subscription) -> None:
    session.delete(subscription)
    session.flush()


def saved_entry(session: Session, user_id: int, opportunity_id: int) -> SavedOpportunity | None:
    return session.get(SavedOpportunity, (user_id, opportunity_id))


def saved_opportunities(session: Session, user_id: int, now: datetime) -> list[SavedOpportunity]:
    """Deadlines still ahead first, soonest first; then those passed or unknown."""
    query = (
        select(SavedOpportunity)
        .where(SavedOpportunity.user_id == user_id)
        .options(joinedload(SavedOpportunity.opportunity).joinedload(Opportunity.buyer))
    )
    entries = list(session.scalars(query))

    def order(entry: SavedOpportunity) -> tuple:
        deadline = entry.opportunity.deadline_at
        ahead = deadline is not None and deadline > now
        moment = deadline or datetime.min.replace(tzinfo=UTC)
        return (not ahead, moment.timestamp() * (1 if ahead else -1))

    return sorted(entries, key=order)


def save_opportunity(
    session: Session, user_id: int, opportunity_id: int, remind_days_before: int | None
) -> SavedOpportunity:
    """Save to the watchlist, or change the reminder of an entry already there."""
    entry = saved_entry(session, user_id, opportunity_id)
    if entry is None:
        entry = SavedOpportunity(user_id=user_id, opportunity_id=opportunity_id)
        session.add(entry)
    # A plain None in a new row's INSERT would let the column default (3 days) fire.
    entry.remind_days_before = null() if remind_days_before is None else remind_days_before
    session.flush()
    return entry


def follow_opportunity(session: Session, user_id: int, opportunity_id: int) -> SavedOpportunity:
    """Follow: saved (with the default reminder if new) and change alerts on."""
    entry = saved_entry(session, user_id, opportunity_id)
    if entry is None:
        entry = SavedOpportunity(user_id=user_id, opportunity_id=opportunity_id)
        session.add(entry)
    entry.follow_changes = True
    session.flush()
    return entry


def set_follow_changes(session: Session, user_id: int, opportunity_id: int, follow: bool) -> bool:
    """Change alerts on or off for an entry already saved, its reminder untouched; False if the
    opportunity is not in the user's list."""
    entry = saved_entry(session, user_id, opportunity_id)
    if entry is None:
        return False
    entry.follow_changes = follow
    session.flush()
    return True


def remove_saved(session: Session, user_id: int, opportunity_id: int) -> bool:
    entry = saved_entry(session, user_id, opportunity_id)
    if entry is None:
        return False
    session.delete(entry)
    session.flush()
    return True
