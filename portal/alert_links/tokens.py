"""The tokens of alert links and the absolute URLs that carry them.

Every token names the user it acts for, next to the subscription or opportunity, and is signed:
a link for one user can never stop or follow anything of another's, however it is edited.
"""

from datetime import datetime

from flask import url_for

from portal.accounts.tokens import Purpose, TokenInvalid, make_token, read_token


def stop_alerts_token(user_id: int, now: datetime) -> str:
    """What the stop link carries, and the subject of a `mailto:` unsubscribe."""
    return make_token(Purpose.STOP_ALERTS, {"user": user_id}, now)


def stop_alerts_url(user_id: int, now: datetime) -> str:
    token = stop_alerts_token(user_id, now)
    return url_for("alert_links.stop_alerts", token=token, _external=True)


def stop_subscription_url(user_id: int, subscription_id: int, now: datetime) -> str:
    payload = {"user": user_id, "subscription": subscription_id}
    token = make_token(Purpose.STOP_SUBSCRIPTION, payload, now)
    return url_for("alert_links.stop_subscription", token=token, _external=True)


def follow_url(user_id: int, opportunity_id: int, now: datetime) -> str:
    payload = {"user": user_id, "opportunity": opportunity_id}
    token = make_token(Purpose.FOLLOW_OPPORTUNITY, payload, now)
    return url_for("alert_links.follow", token=token, _external=True)


def read_ids(purpose: Purpose, token: str, now: datetime, *keys: str) -> tuple[int, ...]:
    """The ids a genuine, unexpired token names, in the order of `keys`; TokenExpired or
    TokenInvalid otherwise (a payload of another shape is as invalid as a bad signature)."""
    payload = read_token(purpose, token, now)
    ids = tuple(payload.get(key) for key in keys)
    if not all(type(value) is int for value in ids):
        raise TokenInvalid
    return ids
