"""Claiming due deliveries for a sender, and writing down what became of them.

A claim marks rows `sending` for one sender until `claimed_until` and is committed before any
mail leaves, so a second sender never takes them; a sender that dies leaves rows whose lease
runs out, and the next claim takes them again (which is why the one message in flight when a
sender is killed may arrive twice). A user's due rows are claimed together, so a pass sends
each user one message.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, bindparam, distinct, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased, selectinload

from notifications.models import AlertDelivery, DeliveryAddressState, DeliveryStatus
from portal.accounts.models import User
from portal.subscriptions.models import Frequency

LEASE = timedelta(minutes=5)
DIGEST_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)
ITEMS_PER_ALERT = 20  # an immediate message lists at most this many; the rest go next pass
ITEMS_PER_DIGEST = 200
CLAIM_ATTEMPTS = 3
# last_error of a message refused for good (failed rows), and of a sent one that some of its
# recipients refused for good (sent rows): each names the addresses, "<a@b.pe> 550 …; …", so
# an address's refusals are counted, and after repeated ones it is paused.
PERMANENT = "permanent: "
REFUSED = "refused by some recipients: "


def refusal_text(refusals: dict[str, str]) -> str:
    return "; ".join(f"<{address}> {reply}" for address, reply in refusals.items())


def claim_due(
    session: Session,
    now: datetime,
    *,
    digest: bool,
    sender_name: str,
    limit: int,
    lease: timedelta = LEASE,
) -> list[AlertDelivery]:
    """Claims the due rows of up to `limit` users (one message each), those waiting longest
    first, and commits the claim. `sender_name` must be unique to the process.

    On PostgreSQL the users are locked with SKIP LOCKED first, so concurrent senders take
    different users; on SQLite the claim is one UPDATE statement and writes serialize. Either
    way the UPDATE re-checks that each row is still due, so no row is claimed twice.
    """
    frequencies = DIGEST_FREQUENCIES if digest else (Frequency.IMMEDIATE,)
    per_user = ITEMS_PER_DIGEST if digest else ITEMS_PER_ALERT
    claimable = _claimable(AlertDelivery, now, frequencies)
    claimed_until = now + lease
    postgresql = session.get_bind().dialect.name == "postgresql"
    for _attempt in range(CLAIM_ATTEMPTS):
        if postgresql:
            users = _lock_due_users(session, now, claimable, limit)
        else:
            users = _due_users(now, claimable).limit(limit).scalar_subquery()
        claim = _claim_rows(now, frequencies, users, per_user)
        claimed = session.execute(
            claim.values(
                status=DeliveryStatus.SENDING,
                claimed_by=sender_name,
                claimed_until=claimed_until,
            ).execution_options(synchronize_session=False)
        ).rowcount
        session.commit()
        # A user locked just as another sender committed its claim has nothing left for us;
        # the next attempt's statements see that claim and pass over the user.
        if claimed or not postgresql or not users:
            break
    return list(
        session.scalars(
            select(AlertDelivery)
            .where(
                AlertDelivery.status == DeliveryStatus.SENDING,
                AlertDelivery.claimed_by == sender_name,
                AlertDelivery.claimed_until == claimed_until,
                AlertDelivery.frequency.in_(frequencies),
            )
            .order_by(AlertDelivery.user_id, AlertDelivery.due_at, AlertDelivery.id)
            .options(selectinload(AlertDelivery.user), selectinload(AlertDelivery.opportunity))
        )
    )


def _claimable(delivery, now: datetime, frequencies: tuple[Frequency, ...]):
    """Pending and due, or left `sending` by a sender whose lease ran out (it died)."""
    due = or_(
        and_(delivery.status == DeliveryStatus.PENDING, delivery.due_at <= now),
        and_(delivery.status == DeliveryStatus.SENDING, delivery.claimed_until < now),
    )
    return and_(due, delivery.frequency.in_(frequencies))


def _busy(user_id, now: datetime):
    """A user some sender is writing to right now: left alone, so one pass, one message."""
    other = aliased(AlertDelivery)
    return exists().where(
        other.user_id == user_id,
        other.status == DeliveryStatus.SENDING,
        other.claimed_until >= now,
    )


def _due_users(now: datetime, claimable):
    """Users with claimable rows nobody is sending, the longest waiting first."""
    return (
        select(AlertDelivery.user_id)
        .where(claimable, ~_busy(AlertDelivery.user_id, now))
        .group_by(AlertDelivery.user_id)
        .order_by(func.min(AlertDelivery.due_at))
    )


def _lock_due_users(session: Session, now: datetime, claimable, limit: int) -> list[int]:
    """The user row is the lock. NO KEY UPDATE leaves the matcher's inserts unblocked: they
    only take a KEY SHARE on the user, for the foreign key."""
    earliest_due = (
        select(func.min(AlertDelivery.due_at))
        .where(AlertDelivery.user_id == User.id, claimable)
        .scalar_subquery()
    )
    due_users = select(AlertDelivery.user_id).where(claimable, ~_busy(AlertDelivery.user_id, now))
    return list(
        session.scalars(
            select(User.id)
            .where(User.id.in_(due_users))
            .order_by(earliest_due, User.id)
            .limit(limit)
            .with_for_update(skip_locked=True, key_share=True)
        )
    )


def _claim_rows(now: datetime, frequencies: tuple[Frequency, ...], users, per_user: int):
    """The UPDATE of the first `per_user` claimable rows of each of `users`."""
    candidate = aliased(AlertDelivery)
    ranked = (
        select(
            candidate.id,
            func.row_number()
            .over(partition_by=candidate.user_id, order_by=(candidate.due_at, candidate.id))
            .label("rank"),
        )
        .where(
            _claimable(candidate, now, frequencies),
            candidate.user_id.in_(users),
            ~_busy(candidate.user_id, now),
        )
        .subquery()
    )
    return (
        update(AlertDelivery)
        .where(AlertDelivery.id.in_(select(ranked.c.id).where(ranked.c.rank <= per_user)))
        # Re-checked on each row against a concurrent sender's committed claim.
        .where(_claimable(AlertDelivery, now, frequencies))
    )


@dataclass(frozen=True)
class ClaimedRow:
    """What the writer needs of a claimed delivery, copied out of the session so the thread
    that sends never touches ORM objects (see notifications.sending)."""

    id: int
    attempts: int
    deadline_at: datetime | None  # the opportunity's deadline when the pass loaded it

    @classmethod
    def of(cls, delivery: AlertDelivery) -> "ClaimedRow":
        deadline = delivery.opportunity.deadline_at if delivery.opportunity else None
        return cls(delivery.id, delivery.attempts, deadline)


class OutcomeWriter:
    """Writes a pass's outcomes on its own connection, in short transactions.

    The session keeps the users and opportunities it loaded for the whole pass (a commit on it
    would expire them, and each would be read again row by row); on SQLite, buffering until
    `commit` also keeps the write lock off while SMTP traffic goes on.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._rows: dict[tuple[str, ...], list[dict]] = defaultdict(list)

    def sent(
        self, rows: Iterable[ClaimedRow], message_id: str, at: datetime, note: str | None = None
    ) -> None:
        """`note`: the recipients that refused it for good (REFUSED), None when none did."""
        for row in rows:
            self._add(
                row,
                status=DeliveryStatus.SENT,
                sent_at=at,
                message_id=message_id,
                deadline_at_notice=row.deadline_at,
                **({"last_error": note} if note else {}),
            )

    def skipped(self, row: ClaimedRow, reason: str) -> None:
        self._add(row, status=DeliveryStatus.SKIPPED, last_error=reason, claimed_until=None)

    def released(self, rows: Iterable[ClaimedRow], **changes) -> None:
        """Back to the queue: as it was, due later (`due_at`) or in a digest (`frequency`)."""
        for row in rows:
            self._add(
                row, status=DeliveryStatus.PENDING, claimed_by=None, claimed_until=None, **changes
            )

    def retry_later(self, row: ClaimedRow, reason: str, due_at: datetime) -> None:
        self.released([row], attempts=row.attempts + 1, last_error=reason, due_at=due_at)

    def failed(
        self, rows: Iterable[ClaimedRow], reason: str, message_id: str | None, at: datetime
    ) -> None:
        """`due_at` becomes the time of the failure, which is how recent failures are counted."""
        for row in rows:
            self._add(
                row,
                status=DeliveryStatus.FAILED,
                attempts=row.attempts + 1,
                last_error=reason,
                message_id=message_id,
                due_at=at,
                claimed_until=None,
            )

    def refused_messages_since(self, user_id: int, address: str, since: datetime) -> int:
        """Distinct messages of the user's that `address` refused for good since then: failed
        ones (their `due_at` is the failure's time) and sent ones the others took."""
        table = AlertDelivery.__table__
        error = table.c.last_error
        return self._connection.scalar(
            select(func.count(distinct(table.c.message_id))).where(
                table.c.user_id == user_id,
                error.contains(f"<{address}> 5", autoescape=True),
                or_(
                    and_(
                        table.c.status == DeliveryStatus.FAILED,
                        error.startswith(PERMANENT, autoescape=True),
                        table.c.due_at >= since,
                    ),
                    and_(
                        table.c.status == DeliveryStatus.SENT,
                        error.startswith(REFUSED, autoescape=True),
                        table.c.sent_at >= since,
                    ),
                ),
            )
        )

    def pause(self, email: str, reason: str, at: datetime) -> bool:
        """Adds the address to paused_addresses (once, whichever sender gets there first)."""
        postgresql = self._connection.dialect.name == "postgresql"
        insert = postgresql_insert if postgresql else sqlite_insert
        result = self._connection.execute(
            insert(DeliveryAddressState)
            .values(email=email, paused_at=at, reason=reason)
            .on_conflict_do_nothing(index_elements=["email"])
            .returning(DeliveryAddressState.email)
        )
        return result.first() is not None

    def commit(self) -> None:
        """One executemany per set of columns written, then the commit."""
        table = AlertDelivery.__table__
        for columns, rows in self._rows.items():
            statement = (
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values({column: bindparam(f"new_{column}") for column in columns})
            )
            self._connection.execute(statement, rows)
        self._rows.clear()
        self._connection.commit()

    def _add(self, row: ClaimedRow, **values) -> None:
        columns = tuple(sorted(values))
        self._rows[columns].append(
            {f"new_{column}": values[column] for column in columns} | {"row_id": row.id}
        )
