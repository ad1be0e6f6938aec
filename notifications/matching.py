"""The matcher run: new and changed documents become alert deliveries, in one transaction.

Reads opportunities and plan lines flagged `needs_matching` by ingest (and plan upload),
builds their index documents from the committed rows (portal.search.documents, the indexer's
own code), matches them against every active subscription (notifications.match_engine) and
records one `alert_deliveries` row per user and document in the transaction that clears the
flags, so a crash either records both or neither. The database's uniqueness on (user,
dedup key) keeps a user from being told twice, whatever the runs and subscriptions.
"""

import functools
import itertools
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from notifications.changes import record_change_alerts
from notifications.match_engine import document_batch, match, subscription_index
from notifications.models import AlertDelivery, DeliveryKind, DeliveryStatus
from notifications.schedule import due_at
from portal.accounts.models import User
from portal.opportunities.models import Opportunity, OpportunityStatus
from portal.plans.models import PlanLine
from portal.search import hooks as search_hooks
from portal.search.documents import (
    OPPORTUNITY,
    opportunity_documents,
    plan_line_documents,
)
from portal.search.size import size_value_limit
from portal.subscriptions.models import Frequency, Subscription
from portal.subscriptions.params import ActiveSearch, active_searches, alert_recipient_conditions

BATCH_SIZE = 10_000  # documents matched per transaction
INSERT_CHUNK = 20_000
SQLITE_CACHE_KIB = 32 * 1024  # page cache while writing deliveries (SQLite's default: 2 MB)
DEFAULT_DIGEST_HOUR = 7
URGENCY = {Frequency.IMMEDIATE: 0, Frequency.DAILY: 1, Frequency.WEEKLY: 2}
_PROCESS_LOCK = threading.Lock()  # the scheduler may finish two scrape runs at once
_ADVISORY_KEY = 16_2026  # pg_advisory_xact_lock key: one matcher at a time per database


@dataclass
class MatchTally:
    documents: int = 0
    matches: int = 0  # deliveries recorded for subscriptions (matches and forecasts)
    follow_ups: int = 0
    changes: int = 0
    subscriptions: int = 0
    seconds: float = 0.0


def run_matching(session: Session, now: datetime) -> MatchTally:
    """Match everything flagged, in batches; each batch is committed with its deliveries."""
    started = time.perf_counter()
    tally = MatchTally()
    with _PROCESS_LOCK:
        _lock_database(session)
        searches = active_searches(session)
        tally.subscriptions = len(searches)
        while _match_batch(session, searches, now, tally):
            session.commit()
            _lock_database(session)
        tally.changes = record_change_alerts(session, now)
        session.commit()
    tally.seconds = time.perf_counter() - started
    return tally


def _lock_database(session: Session) -> None:
    """On PostgreSQL a transaction-scoped advisory lock serialises matchers of every process
    (SQLite serialises writers by itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})


def _match_batch(
    session: Session, searches: list[ActiveSearch], now: datetime, tally: MatchTally
) -> bool:
    """One batch of flagged documents; False when nothing was left to match."""
    flagged = session.execute(
        select(Opportunity.id, Opportunity.updated_at)
        .where(Opportunity.needs_matching)
        .order_by(Opportunity.id)
        .limit(BATCH_SIZE)
    ).all()
    line_ids = session.scalars(
        select(PlanLine.id)
        .where(PlanLine.needs_matching)
        .order_by(PlanLine.id)
        .limit(max(BATCH_SIZE - len(flagged), 0))
    ).all()
    if not flagged and not line_ids:
        return False
    opportunity_ids = [row.id for row in flagged]
    # Built first: the batch's values get their codes before the criteria look them up.
    documents = [
        *opportunity_documents(session, opportunity_ids),
        *plan_line_documents(session, line_ids),  # only lines of each plan's newest version
    ]
    tally.documents += len(documents)
    batch = document_batch(documents)
    del documents  # their texts (tens of MB a batch) are analysed: free them before matching
    bind = _time_binder(session)
    if searches:
        index = subscription_index(
            [search.params for search in searches], _size_limits(session, searches, now)
        )
        subs, docs = match(index, batch, now.timestamp())
        users, docs, subs = _most_urgent(searches, len(batch), subs, docs)
        rows = _match_rows(searches, batch, users, docs, subs, now, bind)
    else:
        rows = iter(())
    tally.follow_ups += _insert(session, _follow_up_rows(session, opportunity_ids, now, bind))
    tally.matches += _insert(session, rows)
    _clear_flags(session, flagged, line_ids)
    return True


def _size_limits(session: Session, searches: list[ActiveSearch], now: datetime) -> dict:
    classes = {search.params.size_class for search in searches if search.params.size_class}
    return {size: size_value_limit(session, size, now) for size in classes}


def _match_rows(searches, batch, users, docs, subs, now: datetime, bind) -> Iterator[list]:
    """The deliveries `_most_urgent` chose, as rows: tuples in INSERTED_COLUMNS order, times
    already as the driver takes them (`bind`), yielded in chunks (a large batch makes millions
    of rows). What depends only on the document or on the subscription is worked out once and
    picked by array indexing.
    """
    if not len(users):
        return
    deadlines = batch.columns["deadline"]
    per_doc = [
        _document_values(key, deadline, bind)
        for key, deadline in zip(batch.keys, deadlines, strict=True)
    ]
    kind, dedup_key, opportunity_id, plan_line_id, deadline_at = _object_columns(per_doc)
    due = functools.cache(lambda frequency, hour: bind(due_at(frequency, hour, now)))
    subscription_id, frequency, due_column = _object_columns(
        [
            (
                search.subscription_id,
                str(search.frequency),
                due(search.frequency, search.digest_hour),
            )
            for search in searches
        ]
    )
    created_at = bind(now)
    for start in range(0, len(users), INSERT_CHUNK):
        doc, row = docs[start : start + INSERT_CHUNK], subs[start : start + INSERT_CHUNK]
        yield list(
            zip(
                users[start : start + INSERT_CHUNK].tolist(),
                kind[doc].tolist(),
                dedup_key[doc].tolist(),
                opportunity_id[doc].tolist(),
                plan_line_id[doc].tolist(),
                itertools.repeat(None),  # change_id
                subscription_id[row].tolist(),
                frequency[row].tolist(),
                itertools.repeat(PENDING),
                itertools.repeat(0),  # attempts
                itertools.repeat(created_at),
                due_column[row].tolist(),
                deadline_at[doc].tolist(),
            )
        )


def _most_urgent(searches, documents: int, subs, docs) -> tuple[np.ndarray, ...]:
    """One delivery per (user, document): the most urgent of the user's matching subscriptions
    (then the first) names it. Returns (user id, document, subscription row) arrays sorted by
    user and document.

    One sort of one int64 key, (user rank, document, subscription rank), rather than a lexsort
    of four arrays; it stays below 2**63 for any batch (documents <= BATCH_SIZE) and up to
    tens of millions of subscriptions.
    """
    count = len(searches)
    user_ids, user_rank = np.unique(
        np.array([search.user_id for search in searches], dtype=np.int64), return_inverse=True
    )
    urgency = np.array([URGENCY[search.frequency] for search in searches])
    by_urgency = np.lexsort((np.arange(count), urgency))
    sub_rank = np.empty(count, dtype=np.int64)
    sub_rank[by_urgency] = np.arange(count)
    key = np.sort((user_rank[subs].astype(np.int64) * documents + docs) * count + sub_rank[subs])
    pair = key // count
    first = np.ones(len(key), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    pair, rank = pair[first], key[first] % count
    return (
        user_ids[pair // documents],
        (pair % documents).astype(np.int32),
        by_urgency[rank].astype(np.int32),
    )


def _document_values(key: str, deadline: float, bind) -> tuple:
    """(kind, dedup key, opportunity id, plan line id, deadline) of a document's deliveries."""
    kind, db_id = key.split(":")
    if kind == OPPORTUNITY:
        return str(DeliveryKind.MATCH), key, int(db_id), None, bind(_moment(deadline))
    return str(DeliveryKind.FORECAST), key, None, int(db_id), bind(_moment(deadline))


def _object_columns(rows: list[tuple]) -> list[np.ndarray]:
    """Columns of Python values, as object arrays so rows pick them by fancy indexing."""
    columns = []
    for values in zip(*rows, strict=True) if rows else ():
        column = np.empty(len(values), dtype=object)
        column[:] = values
        columns.append(column)
    return columns


def _moment(timestamp: float) -> datetime | None:
    return None if np.isnan(timestamp) else datetime.fromtimestamp(timestamp, UTC)


def _follow_up_rows(
    session: Session, opportunity_ids: list[int], now: datetime, bind
) -> list[list]:
    """The call that fulfils a plan line goes to everyone told of that line's forecast, as a
    follow-up (whether or not a subscription also matches it: one delivery either way)."""
    if not opportunity_ids:
        return []
    forecast = AlertDelivery
    query = (
        select(
            Opportunity.id,
            Opportunity.deadline_at,
            forecast.user_id,
            forecast.subscription_id,
            forecast.frequency,
            func.coalesce(Subscription.digest_hour, DEFAULT_DIGEST_HOUR).label("hour"),
        )
        .join(forecast, forecast.plan_line_id == Opportunity.plan_line_id)
        .join(User, User.id == forecast.user_id)
        .outerjoin(Subscription, Subscription.id == forecast.subscription_id)
        .where(
            Opportunity.id.in_(bindparam("ids", expanding=True)),
            forecast.kind == DeliveryKind.FORECAST,
            Opportunity.status == OpportunityStatus.OPEN,
            (Opportunity.deadline_at.is_(None)) | (Opportunity.deadline_at > now),
            *alert_recipient_conditions(),
        )
    )
    rows = []
    for start in range(0, len(opportunity_ids), 1000):
        chunk = opportunity_ids[start : start + 1000]
        for row in session.execute(query, {"ids": chunk}):
            rows.append(
                (
                    row.user_id,
                    str(DeliveryKind.FOLLOW_UP),
                    f"{OPPORTUNITY}:{row.id}",
                    row.id,
                    None,  # plan_line_id
                    None,  # change_id
                    row.subscription_id,
                    str(row.frequency),
                    PENDING,
                    0,  # attempts
                    bind(now),
                    bind(due_at(row.frequency, row.hour, now)),
                    bind(row.deadline_at),
                )
            )
    return [rows]


INSERTED_COLUMNS = (
    "user_id",
    "kind",
    "dedup_key",
    "opportunity_id",
    "plan_line_id",
    "change_id",
    "subscription_id",
    "frequency",
    "status",
    "attempts",
    "created_at",
    "due_at",
    "deadline_at_notice",
)
PENDING = str(DeliveryStatus.PENDING)


def _time_binder(session: Session):
    """A time as the driver takes it for alert_deliveries (on SQLite the very text the ORM
    stores, "2026-12-07 12:00:00.000000"), so rows are written without SQLAlchemy per row."""
    dialect = session.get_bind().dialect
    column_type = AlertDelivery.__table__.c.due_at.type
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None  # UTCDateTime makes the time naive UTC on every dialect

    def bind(value: datetime | None):
        return None if value is None else process(value)

    return bind


def _insert(session: Session, chunks: Iterable[list[tuple]]) -> int:
    """Insert chunks of rows (INSERTED_COLUMNS, times bound), skipping any (user, dedup key)
    already recorded; returns how many were new.

    Straight to the driver: SQLAlchemy's per-row parameter handling was most of the cost of
    writing a million deliveries. PostgreSQL takes them by COPY into a temporary table, then
    one INSERT ... SELECT, several times faster than an executemany of single-row inserts.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return _copy_insert(connection, chunks)
    statement = (
        f"INSERT INTO alert_deliveries ({', '.join(INSERTED_COLUMNS)}) "
        f"VALUES ({', '.join(['?'] * len(INSERTED_COLUMNS))}) "
        "ON CONFLICT (user_id, dedup_key) DO NOTHING"
    )
    # Rows come by user; the opportunity and subscription indexes take them all over the
    # place, and with SQLite's default 2 MB page cache their pages are spilled to the WAL and
    # read back again and again. A larger cache for this connection, while it writes.
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        return sum(connection.exec_driver_sql(statement, rows).rowcount for rows in chunks if rows)
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(previous)}")


def _copy_insert(connection, chunks: Iterable[list[tuple]]) -> int:
    columns = ", ".join(INSERTED_COLUMNS)
    with connection.connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE new_deliveries ON COMMIT DROP AS "
            f"SELECT {columns} FROM alert_deliveries WITH NO DATA"
        )
        with cursor.copy(f"COPY new_deliveries ({columns}) FROM STDIN") as copy:
            for rows in chunks:
                for row in rows:
                    copy.write_row(row)
        cursor.execute(
            f"INSERT INTO alert_deliveries ({columns}) SELECT {columns} FROM new_deliveries "
            "ON CONFLICT (user_id, dedup_key) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute("DROP TABLE new_deliveries")
    return inserted


def _clear_flags(session: Session, flagged, line_ids: Iterable[int]) -> None:
    """Clear `needs_matching` only where the row is as we read it: a version ingested while we
    matched keeps its flag for the next run."""
    connection = session.connection()
    table = Opportunity.__table__
    if flagged:
        connection.execute(
            table.update()
            .where(table.c.id == bindparam("row_id"), table.c.updated_at == bindparam("stamp"))
            # updated_at kept as it is: its onupdate would stamp the row as changed and the
            # index repair would rewrite every matched document
            .values(needs_matching=False, updated_at=table.c.updated_at),
            [{"row_id": row.id, "stamp": row.updated_at} for row in flagged],
        )
    line_ids = list(line_ids)
    if line_ids:
        lines = PlanLine.__table__
        connection.execute(
            lines.update().where(lines.c.id.in_(line_ids)).values(needs_matching=False)
        )
    search_hooks.note_changes(session)  # the flag is not indexed: nothing to reindex
