"""The `mailto:` unsubscribe: a message to PORTAL_UNSUBSCRIBE_MAILBOX whose subject carries the
user's stop token (notifications.compose.unsubscribe_mailto) stops that user's alerts.

The signed token is the authority, as for the https link: whoever of the message's recipients
writes, the alerts of the account stop. Mail clients may prefix the subject ("Re:", "RV:").
"""

from datetime import datetime
from email import message_from_bytes, policy

from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.tokens import TokenExpired, TokenInvalid
from portal.alert_links.operations import LinkGone, stop_all_alerts, user_of_stop_link


def stop_alerts_from_mail(session: Session, raw_message: bytes, now: datetime) -> User | None:
    """The user whose alerts stopped; None if the subject holds no valid stop token. The
    caller commits."""
    message = message_from_bytes(raw_message, policy=policy.default)
    for word in reversed(str(message.get("Subject", "")).split()):
        try:
            user = user_of_stop_link(session, word, now)
        except (TokenExpired, TokenInvalid, LinkGone):
            continue
        stop_all_alerts(session, user, now)
        return user
    return None
