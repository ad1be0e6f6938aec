"""One send pass: claim due deliveries, decide per user, compose one message, send, mark.

Per user, in order: rows nobody should get are skipped (account gone, alerts stopped, address
paused, subscription off, process no longer open); immediate alerts wait out quiet hours and,
past the daily cap, move to the next daily digest; what is left becomes one message. Each
message's rows are marked sent in a commit right after the server accepted it, so a killed
sender resends at most that one message (ARCHITECTURE.md, "Sending guarantee").
"""

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from itertools import groupby

from flask import current_app
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from notifications.compose import compose_alert_message
from notifications.mail import (
    MailConnection,
    MailServerUnavailable,
    PermanentMailError,
    TemporaryMailError,
    mail_sender,
)
from notifications.models import AlertDelivery, DeliveryAddressState, DeliveryKind, DeliveryStatus
from notifications.outbox import (
    LEASE,
    PERMANENT,
    REFUSED,
    ClaimedRow,
    OutcomeWriter,
    claim_due,
    refusal_text,
)
from notifications.recipients import alert_recipients, contact_addresses
from notifications.schedule import LIMA, next_digest_at, quiet_until
from portal.accounts.models import CompanyProfile, User
from portal.opportunities.enums import OpportunityStatus
from portal.subscriptions.models import Frequency, Subscription

log = logging.getLogger(__name__)
# After the first try: 1 min, 5 min, 30 min, 2 h, 6 h; the sixth failure is final.
BACKOFF = tuple(timedelta(minutes=minutes) for minutes in (1, 5, 30, 120, 360))
MAX_ATTEMPTS = len(BACKOFF) + 1
HARD_FAILURES_TO_PAUSE = 3
HARD_FAILURE_WINDOW = timedelta(days=30)
DEFAULT_DIGEST_HOUR = 7
# No message starts this close to the end of the claim: an SMTP exchange is bounded by the
# 30 s timeout, so nothing goes out after another sender may have taken the rows back.
LEASE_MARGIN = timedelta(minutes=1)
SUBSCRIBED_KINDS = (DeliveryKind.MATCH, DeliveryKind.FORECAST)
ABOUT_AN_OPEN_PROCESS = (DeliveryKind.MATCH, DeliveryKind.FOLLOW_UP, DeliveryKind.REMINDER)


@dataclass
class SendTally:
    """What one pass did, in deliveries (rows) except `messages`."""

    claimed: int = 0
    messages: int = 0  # accepted by the server (or written to the outbox folder)
    sent: int = 0
    skipped: int = 0
    deferred: int = 0  # quiet hours, moved to the digest by the cap, or released unsent
    retried: int = 0  # temporary failure: pending again, later
    failed: int = 0
    paused_addresses: int = 0
    server_error: str | None = None  # why no message could go, if none could


@dataclass
class _PassFacts:
    """What the rules need about every user of the pass, loaded in a handful of queries."""

    now: datetime
    digest: bool
    active_subscriptions: set[int]
    paused: set[str]
    contacts: dict[int, list[str]]  # the company profile's contact addresses, by user id
    sent_today: dict[int, int] = field(default_factory=dict)
    digest_hours: dict[int, int] = field(default_factory=dict)


@dataclass
class _Outcomes:
    """The sending side of a pass: only the courier's thread touches it."""

    writer: OutcomeWriter
    mail: MailConnection
    tally: SendTally
    now: datetime
    started: float  # time.monotonic() at the claim
    stop_at: float  # time.monotonic() after which no message starts


class _Courier:
    """Runs the sending and the writing of outcomes on a thread of its own, in order.

    The queue holds one task, so one composed message at most waits while another is in
    flight: memory stays flat, and never more than one message is between SMTP and commit.
    A task that raises anything but a mail error stops the courier; the tasks after it are
    dropped (their rows stay claimed until the lease ends) and the pass raises the error.
    """

    def __init__(self, outcomes: "_Outcomes") -> None:
        self._outcomes = outcomes
        self._tasks: queue.Queue = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._run, name="alert-courier", daemon=True)
        self.error: BaseException | None = None

    @property
    def stopped(self) -> bool:
        return self.error is not None or self._outcomes.tally.server_error is not None

    def do(self, task: Callable[..., None], *args, **changes) -> None:
        self._tasks.put((task, args, changes))

    def __enter__(self) -> "_Courier":
        self._thread.start()
        return self

    def __exit__(self, error_type, *_details) -> None:
        self._tasks.put(None)
        self._thread.join()
        if self.error is not None and error_type is None:
            raise self.error

    def _run(self) -> None:
        while (item := self._tasks.get()) is not None:
            if self.error is None:
                task, args, changes = item
                try:
                    task(self._outcomes, *args, **changes)
                except BaseException as error:  # raised again in the pass's thread
                    self.error = error


def send_due(
    session: Session, now: datetime, *, digest: bool, sender_name: str, limit: int = 500
) -> SendTally:
    """One pass over up to `limit` users with due deliveries (immediate ones when digest is
    False; daily and weekly ones when True): one message per user. Returns counts.

    This thread decides and composes; a courier thread sends and writes the outcomes, so the
    SMTP round trips and the commit after each message overlap with composing the next.
    """
    tally = SendTally()
    started = time.monotonic()
    deliveries = claim_due(session, now, digest=digest, sender_name=sender_name, limit=limit)
    tally.claimed = len(deliveries)
    if not deliveries:
        return tally
    facts = _load_facts(session, deliveries, now, digest)
    stop_at = started + (LEASE - LEASE_MARGIN).total_seconds()
    groups = [list(rows) for _user, rows in groupby(deliveries, key=lambda row: row.user_id)]
    with (
        session.get_bind().connect() as connection,
        mail_sender(current_app).connection() as mail,
    ):
        outcomes = _Outcomes(OutcomeWriter(connection), mail, tally, now, started, stop_at)
        with _Courier(outcomes) as courier:
            for position, rows in enumerate(groups):
                if courier.stopped or time.monotonic() > stop_at:
                    rest = [ClaimedRow.of(row) for group in groups[position:] for row in group]
                    courier.do(_release, rest)
                    break
                _prepare(session, rows, facts, courier)
        outcomes.writer.commit()
    session.commit()  # ends the read transaction; the outcomes are committed already
    return tally


def _prepare(
    session: Session, rows: list[AlertDelivery], facts: _PassFacts, courier: _Courier
) -> None:
    """Decides what becomes of one user's rows and hands the courier the work."""
    user = rows[0].user
    kept = []
    for row in rows:
        reason = _user_skip_reason(user, facts) or _row_skip_reason(row, facts)
        if reason:
            courier.do(_skip, ClaimedRow.of(row), reason)
        else:
            kept.append(row)
    if not kept or _deferred(user, kept, facts, courier):
        return
    claimed = [ClaimedRow.of(row) for row in kept]
    recipients = _recipients(user, facts)
    try:
        message = compose_alert_message(
            session, user, kept, digest=facts.digest, now=facts.now, to=recipients
        )
    except Exception as error:  # one user's broken message must not stop everyone's alerts
        log.exception("alert mail: composing for user %s failed", user.id)
        session.rollback()
        courier.do(_retry_or_give_up, claimed, f"compose failed: {error!r}", None)
        return
    courier.do(_send, message, user.id, recipients, claimed)


def _recipients(user: User, facts: _PassFacts) -> list[str]:
    return alert_recipients(user.email, facts.contacts.get(user.id, ()), facts.paused)


def _user_skip_reason(user: User, facts: _PassFacts) -> str | None:
    if user.deleted_at is not None:
        return "account deleted"
    if not user.active:
        return "account deactivated"
    if user.alerts_stopped_at is not None:
        return "alerts stopped by the user"
    if not _recipients(user, facts):
        if user.email in facts.paused:
            return "address paused after repeated hard failures"
        return "no address to send to"
    return None


def _row_skip_reason(row: AlertDelivery, facts: _PassFacts) -> str | None:
    if row.subscription_id is None and row.kind in SUBSCRIBED_KINDS:
        return "subscription deleted"
    if row.subscription_id is not None and row.subscription_id not in facts.active_subscriptions:
        return "subscription paused or deleted"
    if row.kind in ABOUT_AN_OPEN_PROCESS and not _still_open(row, facts.now):
        return "opportunity no longer open"
    return None


def _still_open(row: AlertDelivery, now: datetime) -> bool:
    opportunity = row.opportunity
    if opportunity is None:
        return True
    if opportunity.status != OpportunityStatus.OPEN:
        return False
    return opportunity.deadline_at is None or opportunity.deadline_at > now


def _deferred(user: User, rows: list[AlertDelivery], facts: _PassFacts, courier: _Courier) -> bool:
    """Immediate alerts wait out quiet hours; past the daily cap they join the next digest."""
    if facts.digest:
        return False
    claimed = [ClaimedRow.of(row) for row in rows]
    quiet_end = quiet_until(user.quiet_from_hour, user.quiet_until_hour, facts.now)
    if quiet_end is not None:
        courier.do(_release, claimed, due_at=quiet_end)
    elif facts.sent_today.get(user.id, 0) >= user.daily_alert_cap:
        hour = facts.digest_hours.get(user.id, DEFAULT_DIGEST_HOUR)
        digest_at = next_digest_at(Frequency.DAILY, hour, facts.now)
        courier.do(_release, claimed, due_at=digest_at, frequency=Frequency.DAILY)
    else:
        return False
    return True


# What the courier's thread runs, in the order the pass handed it over.


def _send(
    outcomes: _Outcomes,
    message: EmailMessage,
    user_id: int,
    recipients: list[str],
    rows: list[ClaimedRow],
) -> None:
    if outcomes.tally.server_error is not None or time.monotonic() > outcomes.stop_at:
        _release(outcomes, rows)
        return
    message_id = message["Message-ID"]
    try:
        refused = outcomes.mail.send(message)
    except MailServerUnavailable as error:
        log.warning("alert mail: no server (%s); deliveries stay pending", error)
        outcomes.tally.server_error = str(error)
        _release(outcomes, rows)
    except PermanentMailError as error:
        # A refused content fails the message for every recipient alike.
        refusals = error.refusals or dict.fromkeys(recipients, str(error))
        outcomes.writer.failed(rows, PERMANENT + refusal_text(refusals), message_id, outcomes.now)
        outcomes.tally.failed += len(rows)
        outcomes.writer.commit()
        _pause_after_repeated_refusals(outcomes, user_id, refusals)
    except TemporaryMailError as error:
        _retry_or_give_up(outcomes, rows, str(error), message_id)
    else:
        sent_at = outcomes.now + timedelta(seconds=time.monotonic() - outcomes.started)
        # Some recipients refused while the others took it: the message is sent, and a
        # refusal for good is noted on its rows, where the next ones are counted.
        hard = {address: reply for address, reply in refused.items() if reply.startswith("5")}
        if len(hard) < len(refused):
            log.warning("alert mail %s: temporary refusals not retried: %s", message_id, refused)
        note = REFUSED + refusal_text(hard) if hard else None
        outcomes.writer.sent(rows, message_id, sent_at, note=note)
        outcomes.writer.commit()  # right after acceptance: a kill now resends this one only
        outcomes.tally.messages += 1
        outcomes.tally.sent += len(rows)
        _pause_after_repeated_refusals(outcomes, user_id, hard)


def _pause_after_repeated_refusals(
    outcomes: _Outcomes, user_id: int, refusals: dict[str, str]
) -> None:
    """The third message in 30 days that an address refused for good pauses that address."""
    writer, now = outcomes.writer, outcomes.now
    for address, reply in refusals.items():
        failures = writer.refused_messages_since(user_id, address, now - HARD_FAILURE_WINDOW)
        if failures >= HARD_FAILURES_TO_PAUSE:
            paused = writer.pause(address, f"{failures} hard failures, last: {reply}", now)
            writer.commit()
            outcomes.tally.paused_addresses += int(paused)


def _retry_or_give_up(
    outcomes: _Outcomes, rows: list[ClaimedRow], reason: str, message_id: str | None
) -> None:
    for row in rows:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            final = f"gave up after {MAX_ATTEMPTS} attempts: {reason}"
            outcomes.writer.failed([row], final, message_id, outcomes.now)
            outcomes.tally.failed += 1
        else:
            outcomes.writer.retry_later(row, reason, outcomes.now + BACKOFF[row.attempts])
            outcomes.tally.retried += 1


def _skip(outcomes: _Outcomes, row: ClaimedRow, reason: str) -> None:
    outcomes.writer.skipped(row, reason)
    outcomes.tally.skipped += 1


def _release(outcomes: _Outcomes, rows: list[ClaimedRow], **changes) -> None:
    outcomes.writer.released(rows, **changes)
    outcomes.tally.deferred += len(rows)


def _load_facts(
    session: Session, deliveries: list[AlertDelivery], now: datetime, digest: bool
) -> _PassFacts:
    user_ids = {row.user_id for row in deliveries}
    subscription_ids = {row.subscription_id for row in deliveries if row.subscription_id}
    contacts = _contact_addresses(session, user_ids)
    emails = {row.user.email for row in deliveries}.union(*contacts.values())
    facts = _PassFacts(
        now=now,
        digest=digest,
        active_subscriptions=set(
            session.scalars(
                select(Subscription.id).where(
                    Subscription.id.in_(subscription_ids), Subscription.active.is_(True)
                )
            )
        ),
        paused=set(
            session.scalars(
                select(DeliveryAddressState.email).where(DeliveryAddressState.email.in_(emails))
            )
        ),
        contacts=contacts,
    )
    if not digest:
        facts.sent_today = _immediate_messages_today(session, user_ids, now)
        facts.digest_hours = _digest_hours(session, user_ids)
    return facts


def _contact_addresses(session: Session, user_ids: set[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(CompanyProfile.user_id, CompanyProfile.contact_emails).where(
            CompanyProfile.user_id.in_(user_ids), CompanyProfile.contact_emails != ""
        )
    )
    return {user_id: contact_addresses(text) for user_id, text in rows}


def _immediate_messages_today(session: Session, user_ids: set[int], now: datetime) -> dict:
    """Immediate messages each user got since midnight in Lima, the day the cap counts."""
    midnight = now.astimezone(LIMA).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = session.execute(
        select(AlertDelivery.user_id, func.count(distinct(AlertDelivery.message_id)))
        .where(
            AlertDelivery.user_id.in_(user_ids),
            AlertDelivery.status == DeliveryStatus.SENT,
            AlertDelivery.frequency == Frequency.IMMEDIATE,
            AlertDelivery.sent_at >= midnight,
        )
        .group_by(AlertDelivery.user_id)
    )
    return dict(rows.all())


def _digest_hours(session: Session, user_ids: set[int]) -> dict[int, int]:
    """The digest hour of each user's oldest active subscription: where capped alerts go."""
    rows = session.execute(
        select(Subscription.user_id, Subscription.digest_hour)
        .where(Subscription.user_id.in_(user_ids), Subscription.active.is_(True))
        .order_by(Subscription.id.desc())  # the oldest comes last and wins in the dict
    )
    return dict(rows.all())
