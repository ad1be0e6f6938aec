"""Throttle arithmetic with stated times: windows, the wait announced, and pruning."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from portal.accounts.models import AuthAttempt
from portal.accounts.throttle import (
    LOGIN_LIMIT,
    RESET_LIMIT,
    minutes,
    prune_attempts,
    record_attempt,
    retry_after,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_limit_counts_within_its_window_and_says_how_long_to_wait(session):
    for minute in range(5):
        record_attempt(
            session, LOGIN_LIMIT, "ana@empresa.pe", None, NOW + timedelta(minutes=minute)
        )
    after_fifth = NOW + timedelta(minutes=4)
    wait = retry_after(session, LOGIN_LIMIT, "ANA@empresa.pe ", None, after_fifth)
    assert wait == timedelta(minutes=11)  # the first attempt leaves the window at 9:15
    assert minutes(wait) == 11
    assert (
        retry_after(session, LOGIN_LIMIT, "ana@empresa.pe", None, NOW + timedelta(minutes=15))
        is None
    )
    assert retry_after(session, LOGIN_LIMIT, "otra@empresa.pe", None, after_fifth) is None


def test_an_address_is_limited_across_accounts(session):
    for number in range(10):
        record_attempt(session, RESET_LIMIT, f"u{number}@empresa.pe", "203.0.113.9", NOW)
    assert retry_after(session, RESET_LIMIT, "nueva@empresa.pe", "203.0.113.9", NOW) == timedelta(
        hours=1
    )
    assert retry_after(session, RESET_LIMIT, "nueva@empresa.pe", "203.0.113.10", NOW) is None


def test_pruning_removes_only_attempts_older_than_any_window(session):
    record_attempt(session, RESET_LIMIT, "ana@empresa.pe", "203.0.113.9", NOW - timedelta(days=2))
    record_attempt(session, RESET_LIMIT, "ana@empresa.pe", "203.0.113.9", NOW - timedelta(hours=2))
    session.flush()
    assert prune_attempts(session, NOW) == 2  # one row per account key and per address key
    assert session.scalar(select(func.count(AuthAttempt.id))) == 2
