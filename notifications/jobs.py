"""The alert jobs, one function each for the scheduler and the `portal alerts` commands.

Matching runs after every scrape run (and every few minutes for plans uploaded on the site),
the sender every minute and right after a match that recorded deliveries, digests on the hour,
reminders hourly. Each job opens its own app context, with the portal's address for the
absolute links mail carries: PORTAL_BASE_URL (production requires it), else the development
server's address.
"""

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields

from flask import Flask

from notifications.matching import MatchTally, run_matching
from notifications.reminders import record_reminders
from notifications.sending import SendTally, send_due
from portal.db import db, utcnow

MAX_PASSES = 100  # a sending job ends after this many passes; the next one goes on

log = logging.getLogger(__name__)


@contextmanager
def job_context(app: Flask) -> Iterator[None]:
    """An app context whose url_for(_external=True) builds the portal's public links."""
    base = app.config.get("PORTAL_BASE_URL") or app.config["PORTAL_DEV_BASE_URL"]
    with app.test_request_context("/", base_url=base):  # its app context ends the session
        yield


def sender_name() -> str:
    """Unique per process: a claim names the sender that holds it."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def match_alerts(app: Flask) -> MatchTally:
    with job_context(app):
        tally = run_matching(db.session, utcnow())
    if tally.documents or tally.changes:
        log.info(
            "matched %s documents against %s subscriptions: %s deliveries, %s follow-ups, "
            "%s change alerts in %.2f s",
            tally.documents,
            tally.subscriptions,
            tally.matches,
            tally.follow_ups,
            tally.changes,
            tally.seconds,
        )
    return tally


def send_alerts(app: Flask, digest: bool = False) -> SendTally:
    """Passes until nothing due is left (or MAX_PASSES); the tallies summed."""
    total = SendTally()
    with job_context(app):
        for _ in range(MAX_PASSES):
            tally = send_due(db.session, utcnow(), digest=digest, sender_name=sender_name())
            total = _summed(total, tally)
            if not tally.claimed or tally.server_error:
                break
    if total.claimed:
        log.info("alert %s pass: %s", "digest" if digest else "send", total)
    return total


def _summed(total: SendTally, tally: SendTally) -> SendTally:
    counts = {
        field.name: getattr(total, field.name) + getattr(tally, field.name)
        for field in fields(SendTally)
        if field.name != "server_error"
    }
    return SendTally(**counts, server_error=tally.server_error or total.server_error)


def alert_after_scrape(app: Flask) -> None:
    """After a scrape run: match what it brought and send the immediate alerts at once, so an
    SME waits for the scrape, not for the next minute's sending pass."""
    tally = match_alerts(app)
    if tally.matches or tally.follow_ups or tally.changes:
        send_alerts(app)


def remind(app: Flask) -> int:
    with job_context(app):
        recorded = record_reminders(db.session, utcnow())
        db.session.commit()
    return recorded
