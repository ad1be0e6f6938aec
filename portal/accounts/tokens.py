"""Signed, expiring links for e-mail: verification, password reset, change of address, and
the links in alert mail (stop all alerts, stop one subscription, follow a process).

itsdangerous signs with the app's SECRET_KEY and a salt per purpose, so a token made for one
purpose never passes for another. The clock is an argument, so tests state the time.
"""

import enum
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer


class Purpose(enum.StrEnum):
    VERIFY_EMAIL = "verify-email"
    RESET_PASSWORD = "reset-password"
    CHANGE_EMAIL = "change-email"
    STOP_ALERTS = "stop-alerts"
    STOP_SUBSCRIPTION = "stop-subscription"
    FOLLOW_OPPORTUNITY = "follow-opportunity"


LIFETIMES = {
    Purpose.VERIFY_EMAIL: timedelta(hours=48),
    Purpose.RESET_PASSWORD: timedelta(hours=1),
    Purpose.CHANGE_EMAIL: timedelta(hours=24),
    # Alert links are read long after the mail arrives: a digest found in the archive months
    # later must still stop the alerts. Following matters only while the process is open.
    Purpose.STOP_ALERTS: timedelta(days=365),
    Purpose.STOP_SUBSCRIPTION: timedelta(days=365),
    Purpose.FOLLOW_OPPORTUNITY: timedelta(days=60),
}


class TokenExpired(Exception):
    """The link was genuine but is too old: offer a new one."""


class TokenInvalid(Exception):
    """The link was altered, made for something else or already used."""


class _ClockSigner(TimestampSigner):
    """A timestamp signer whose "now" is given, for issuing and for checking the age."""

    def __init__(self, *args, now: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def get_timestamp(self) -> int:
        return int(self._now.timestamp())


def _serializer(purpose: Purpose, now: datetime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt=f"compras-mype.{purpose.value}",
        signer=_ClockSigner,
        signer_kwargs={"now": now},
    )


def make_token(purpose: Purpose, payload: dict, now: datetime) -> str:
    return _serializer(purpose, now).dumps(payload)


def read_token(purpose: Purpose, token: str, now: datetime) -> dict:
    """The payload of a genuine, unexpired token; TokenExpired or TokenInvalid otherwise."""
    max_age = int(LIFETIMES[purpose].total_seconds())
    try:
        payload = _serializer(purpose, now).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenExpired from error
    except BadSignature as error:
        raise TokenInvalid from error
    if not isinstance(payload, dict):
        raise TokenInvalid
    return payload
