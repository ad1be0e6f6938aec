"""Throttling sign-in failures, reset requests and registrations, counted in the database.

Rows in auth_attempts are what every gunicorn worker sees, so the limits hold across workers
(a per-process dict would multiply them by the number of workers). Keys are keyed hashes of the
normalised e-mail or of the client address: the table never holds either.
"""

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.accounts.models import AttemptKind, AuthAttempt


@dataclass(frozen=True)
class Limit:
    kind: AttemptKind
    per_account: int
    per_address: int
    window: timedelta


LOGIN_LIMIT = Limit(AttemptKind.LOGIN, per_account=5, per_address=20, window=timedelta(minutes=15))
RESET_LIMIT = Limit(AttemptKind.RESET, per_account=3, per_address=10, window=timedelta(hours=1))
REGISTER_LIMIT = Limit(
    AttemptKind.REGISTER, per_account=3, per_address=10, window=timedelta(hours=1)
)
# Longer than every window, so pruning never forgets an attempt that still counts.
KEEP_ATTEMPTS = timedelta(days=1)


def attempt_key(scope: str, value: str) -> str:
    """64 hex characters that identify an e-mail or address without revealing it."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()


def _keys(limit: Limit, email: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(attempt_key("account", email.strip().lower()), limit.per_account)]
    if address:
        keys.append((attempt_key("address", address), limit.per_address))
    return keys


def retry_after(
    session: Session, limit: Limit, email: str, address: str | None, now: datetime
) -> timedelta | None:
    """How long until another attempt is allowed, or None when one is allowed now."""
    waits = []
    for key, allowed in _keys(limit, email, address):
        # The allowed-th most recent attempt in the window: once it ages out, one more fits.
        oldest_counted = session.scalar(
            select(AuthAttempt.attempted_at)
            .where(
                AuthAttempt.kind == limit.kind,
                AuthAttempt.key == key,
                AuthAttempt.attempted_at > now - limit.window,
            )
            .order_by(AuthAttempt.attempted_at.desc())
            .offset(allowed - 1)
            .limit(1)
        )
        if oldest_counted is not None:
            waits.append(oldest_counted + limit.window - now)
    return max(waits) if waits else None


def record_attempt(
    session: Session, limit: Limit, email: str, address: str | None, now: datetime
) -> None:
    for key, _allowed in _keys(limit, email, address):
        session.add(AuthAttempt(kind=limit.kind, key=key, attempted_at=now))


def forget_account_attempts(session: Session, limit: Limit, email: str) -> None:
    """After a successful sign-in the account starts afresh (the address count stays)."""
    key = attempt_key("account", email.strip().lower())
    session.execute(
        delete(AuthAttempt).where(AuthAttempt.kind == limit.kind, AuthAttempt.key == key)
    )


def prune_attempts(session: Session, now: datetime) -> int:
    """Deletes attempts too old to count in any window; a daily job keeps the table small."""
    result = session.execute(
        delete(AuthAttempt).where(AuthAttempt.attempted_at < now - KEEP_ATTEMPTS)
    )
    return result.rowcount or 0


def minutes(wait: timedelta) -> int:
    """Whole minutes to tell the person, never zero."""
    return max(1, math.ceil(wait.total_seconds() / 60))
