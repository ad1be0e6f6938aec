"""What an alert link does, and what it names before it does it.

Each `*_of_link` reads a token and returns what it acts on (TokenExpired or TokenInvalid for a
bad token, LinkGone when the account, subscription or opportunity no longer exists); each
action adds or flushes, and the caller commits. Every action is idempotent: mail clients and
people click twice. Pausing a subscription and following a process are the operations the
signed-in pages use (`portal.subscriptions.operations.set_active`, `follow_opportunity`).
"""

from datetime import datetime

from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.tokens import Purpose
from portal.alert_links.tokens import read_ids
from portal.opportunities.models import Opportunity
from portal.statistics.models import UnsubscribeKind
from portal.statistics.unsubscribes import record_unsubscribe
from portal.subscriptions.models import Subscription
from portal.subscriptions.operations import set_active


class LinkGone(Exception):
    """The link is genuine but what it names was deleted."""


def user_of_stop_link(session: Session, token: str, now: datetime) -> User:
    (user_id,) = read_ids(Purpose.STOP_ALERTS, token, now, "user")
    return _live_user(session, user_id)


def subscription_of_link(session: Session, token: str, now: datetime) -> Subscription:
    """The subscription, only if it still belongs to the user the token was made for."""
    user_id, subscription_id = read_ids(
        Purpose.STOP_SUBSCRIPTION, token, now, "user", "subscription"
    )
    _live_user(session, user_id)
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or subscription.user_id != user_id:
        raise LinkGone
    return subscription


def follow_link_subjects(session: Session, token: str, now: datetime) -> tuple[User, Opportunity]:
    user_id, opportunity_id = read_ids(
        Purpose.FOLLOW_OPPORTUNITY, token, now, "user", "opportunity"
    )
    user = _live_user(session, user_id)
    opportunity = session.get(Opportunity, opportunity_id)
    if opportunity is None:
        raise LinkGone
    return user, opportunity


def _live_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise LinkGone
    return user


def stop_all_alerts(session: Session, user: User, now: datetime) -> None:
    """Every alert e-mail stops until the user turns them on again at /cuenta/alertas; the
    first stop's time is kept, so a second click doesn't hide when it happened (and counts
    once in the statistics)."""
    if user.alerts_stopped_at is None:
        user.alerts_stopped_at = now
        record_unsubscribe(session, UnsubscribeKind.ALL_ALERTS, user.id, None, now)
    session.flush()


def stop_subscription(session: Session, subscription: Subscription, now: datetime) -> None:
    """The stop link of one subscription pauses it; a second click changes nothing."""
    if subscription.active:
        record_unsubscribe(
            session, UnsubscribeKind.SUBSCRIPTION, subscription.user_id, subscription.id, now
        )
    set_active(session, subscription, False)
