"""The matcher run: new and changed documents become alert deliveries, in one transaction.

Reads opportunities and plan lines flagged `needs_matching` by ingest (and plan upload),
builds their index documents from the committed rows (portal.search.documents, the indexer's
own code), matches them against every active subscription (notifications.match_engine) and
records one `alert_deliveries` row per user and document in the transaction that clears the
flags, so a crash either records both or neither. The database's uniqueness on (user,
dedup key) keeps a user from being told twice, whatever the runs and subscriptions.

Writing the rows is most of a large run (1.8 million in the benchmark), so the engine works in
a thread a few rounds ahead of the writes, which run in the database's own code (SQLite's C
library, PostgreSQL's server) while Python computes the next round; each round holds whole
users, and rows go in sorted by (user, dedup key), the order of the outbox's own indexes.
"""

import functools
import itertools
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import ARRAY, Integer, any_, bindparam, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from notifications.changes import record_change_alerts
from notifications.match_engine import (
    DocumentBatch,
    document_batch,
    match_rounds,
    subscription_index,
)
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
INSERT_CHUNK = 20_000  # rows staged per statement (SQLite)
ROUNDS_AHEAD = 4  # engine rounds computed ahead of the writes (a round is ~25,000 rows)
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
        # By user (then id, which keeps "the first" subscription first): rounds of the engine
        # then hold whole users, and their rows come out in the outbox's order.
        searches = sorted(
            active_searches(session), key=lambda search: (search.user_id, search.subscription_id)
        )
        tally.subscriptions = len(searches)
        recipients = _Recipients.of(searches, now, _time_binder(session))
        while True:
            _begin_batch(session)
            more = _match_batch(session, searches, recipients, now, tally)
            session.commit()
            if not more:
                break
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


def _begin_batch(session: Session) -> None:
    """Before a batch reads anything. On SQLite the batch leaves foreign keys unchecked (the
    pragma only takes effect outside a transaction): per-row checks were a third of writing
    1.8 million deliveries. What they guarded is checked once per batch instead, under the
    write lock (`_write_lock`, `_drop_vanished`). The pool turns the checks back on when the
    connection is returned (portal.extensions). A caller's open transaction keeps them on."""
    session.flush()  # a caller's pending rows are written with their checks
    _lock_database(session)
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not _in_transaction(connection):
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")


def _write_lock(session: Session) -> None:
    """SQLite's write lock, taken once the documents are read and analysed (a scrape may
    commit meanwhile) and before the batch reads what it writes against: from here to commit
    no other connection can delete a subscription, a user or a document."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not _in_transaction(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _in_transaction(connection) -> bool:
    return connection.connection.driver_connection.in_transaction


def _match_batch(
    session: Session,
    searches: list[ActiveSearch],
    recipients: "_Recipients",
    now: datetime,
    tally: MatchTally,
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
    _write_lock(session)
    # Follow-ups first: a call that is both a follow-up and a match is told as the follow-up.
    tally.follow_ups += _insert_follow_ups(session, opportunity_ids, now)
    if searches:
        index = subscription_index(
            [search.params for search in searches], _size_limits(session, searches, now)
        )
        rounds = match_rounds(index, batch, now.timestamp(), recipients.user_rank)
        subjects = _Subjects.of(batch, _time_binder(session))
        pairs = (recipients.most_urgent(subs, docs, subjects) for subs, docs in rounds)
        tally.matches += _write(session, _ahead(pairs, ROUNDS_AHEAD), subjects, recipients)
    _clear_flags(session, flagged, line_ids)
    return True


def _size_limits(session: Session, searches: list[ActiveSearch], now: datetime) -> dict:
    classes = {search.params.size_class for search in searches if search.params.size_class}
    return {size: size_value_limit(session, size, now) for size in classes}


@dataclass(frozen=True)
class _Recipients:
    """The subscriptions (sorted by user) as arrays: whom each row's deliveries go to, how
    urgent it is, and what its rows say (subscription id, frequency, due time; values bound
    for the driver, picked by indexing)."""

    user_ids: np.ndarray  # distinct users, ascending
    user_rank: np.ndarray  # per row: its user's position in user_ids
    urgency_rank: np.ndarray  # per row: its place by urgency, then by row
    by_urgency: np.ndarray  # rows by urgency, then by row (urgency_rank's inverse)
    columns: list[np.ndarray]
    created_at: object  # the run's time, bound

    @classmethod
    def of(cls, searches: list[ActiveSearch], now: datetime, bind) -> "_Recipients":
        count = len(searches)
        user_ids, user_rank = np.unique(
            np.array([search.user_id for search in searches], dtype=np.int64),
            return_inverse=True,
        )
        urgency = np.array([URGENCY[search.frequency] for search in searches], dtype=np.int64)
        by_urgency = np.lexsort((np.arange(count), urgency))
        urgency_rank = np.empty(count, dtype=np.int64)
        urgency_rank[by_urgency] = np.arange(count)
        due = functools.cache(lambda frequency, hour: bind(due_at(frequency, hour, now)))
        columns = _object_columns(
            [
                (
                    search.subscription_id,
                    str(search.frequency),
                    due(search.frequency, search.digest_hour),
                )
                for search in searches
            ],
            width=3,
        )
        return cls(
            user_ids, user_rank.astype(np.int64), urgency_rank, by_urgency, columns, bind(now)
        )

    def most_urgent(self, subs: np.ndarray, docs: np.ndarray, subjects: "_Subjects"):
        """One delivery per (user, document) among matched pairs that hold all their users'
        matches: the most urgent of the user's matching subscriptions (then the first) names
        it. Returns (user ids, document positions, subscription rows) sorted by user and
        dedup key.

        One sort of one int64 key, (user rank, document's key rank, subscription's urgency
        rank), rather than a lexsort of four arrays; it stays below 2**63 for any batch
        (documents <= BATCH_SIZE) and up to tens of millions of subscriptions.
        """
        count, documents = len(self.user_rank), len(subjects.rank)
        key = np.sort(
            (self.user_rank[subs] * documents + subjects.rank[docs]) * count
            + self.urgency_rank[subs]
        )
        pair = key // count
        first = np.ones(len(key), dtype=bool)
        first[1:] = pair[1:] != pair[:-1]
        pair, rank = pair[first], key[first] % count
        return (
            self.user_ids[pair // documents],
            subjects.by_rank[pair % documents],
            self.by_urgency[rank],
        )


@dataclass(frozen=True)
class _Subjects:
    """What a batch's documents put in their deliveries, per document position (kind, dedup
    key, opportunity id, plan line id, deadline bound for the driver), and the documents'
    order by dedup key."""

    columns: list[np.ndarray]
    rank: np.ndarray  # per document: its place by dedup key (as the database orders text)
    by_rank: np.ndarray  # documents by dedup key (rank's inverse)

    @classmethod
    def of(cls, batch: DocumentBatch, bind) -> "_Subjects":
        deadlines = batch.columns["deadline"]
        columns = _object_columns(
            [
                _document_values(key, deadline, bind)
                for key, deadline in zip(batch.keys, deadlines, strict=True)
            ],
            width=5,
        )
        # Code-point order: SQLite's BINARY collation, and PostgreSQL's "C" (only the
        # outbox's index order is at stake: a row's place costs time, never correctness).
        by_rank = np.argsort(np.array(batch.keys, dtype=str), kind="stable")
        rank = np.empty(len(by_rank), dtype=np.int64)
        rank[by_rank] = np.arange(len(by_rank))
        return cls(columns, rank, by_rank.astype(np.int32))


def _document_values(key: str, deadline: float, bind) -> tuple:
    """(kind, dedup key, opportunity id, plan line id, deadline) of a document's deliveries."""
    kind, db_id = key.split(":")
    if kind == OPPORTUNITY:
        return str(DeliveryKind.MATCH), key, int(db_id), None, bind(_moment(deadline))
    return str(DeliveryKind.FORECAST), key, None, int(db_id), bind(_moment(deadline))


def _object_columns(rows: list[tuple], width: int) -> list[np.ndarray]:
    """Columns of Python values, as object arrays so rows pick them by fancy indexing."""
    columns = [np.empty(len(rows), dtype=object) for _ in range(width)]
    for column, values in zip(columns, zip(*rows, strict=True) if rows else (), strict=False):
        column[:] = values
    return columns


def _moment(timestamp: float) -> datetime | None:
    return None if np.isnan(timestamp) else datetime.fromtimestamp(timestamp, UTC)


_DONE = object()


def _ahead(items: Iterator, depth: int) -> Iterator:
    """`items`, computed in a worker thread up to `depth` items ahead of the caller.

    The caller writes to the database meanwhile: SQLite steps a statement in C and PostgreSQL
    works in its own process, both without the GIL, so the engine's next round overlaps the
    last one's rows being written. The worker never touches the database; if the caller
    stops early (an error while writing), the worker stops at its next item.
    """
    results: queue.Queue = queue.Queue(maxsize=depth)
    stopped = threading.Event()

    def put(item) -> bool:
        while not stopped.is_set():
            try:
                results.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:  # handed to the caller, raised there
            put(error)
        else:
            put(_DONE)

    worker = threading.Thread(target=work, name="matcher-engine", daemon=True)
    worker.start()
    try:
        while (item := results.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stopped.set()
        worker.join()


def _write(
    session: Session, pairs: Iterable, subjects: "_Subjects", recipients: _Recipients
) -> int:
    """Records the deliveries of (user ids, documents, subscription rows) arrays, skipping
    any (user, dedup key) already recorded; returns how many were new."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return _copy_deliveries(connection, pairs, subjects, recipients)
    return _sqlite_deliveries(connection, pairs, subjects, recipients)


MATCH_COLUMNS = (
    "user_id",
    "kind",
    "dedup_key",
    "opportunity_id",
    "plan_line_id",
    "subscription_id",
    "frequency",
    "status",
    "attempts",
    "created_at",
    "due_at",
    "deadline_at_notice",
)
PENDING = str(DeliveryStatus.PENDING)
MATCH_TABLES = ("match_pairs", "match_subjects", "match_recipients")  # SQLite, temporary


def _sqlite_deliveries(connection, pairs, subjects: "_Subjects", recipients: _Recipients) -> int:
    """Three integers a row cross from Python (binding parameters cost more than SQLite's own
    work on them); what depends on the document or on the subscription is joined in from two
    temporary tables, in one INSERT ... SELECT per chunk.

    A larger page cache for this connection while it writes: with SQLite's default 2 MB the
    outbox's index pages are spilled to the WAL and read back again and again.
    """
    caches = ("cache_size", "temp.cache_size")
    previous = [connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in caches]
    for name in caches:
        connection.exec_driver_sql(f"PRAGMA {name} = -{SQLITE_CACHE_KIB}")
    try:
        _create_match_tables(connection, subjects, recipients)
        _drop_vanished(connection)
        statement = (
            f"INSERT INTO alert_deliveries ({', '.join(MATCH_COLUMNS)}) "
            "SELECT p.user_id, s.kind, s.dedup_key, s.opportunity_id, s.plan_line_id, "
            "r.subscription_id, r.frequency, ?, 0, ?, r.due_at, s.deadline_at_notice "
            "FROM match_pairs AS p "
            "JOIN match_subjects AS s ON s.position = p.subject "
            "JOIN match_recipients AS r ON r.position = p.recipient "
            "ORDER BY p.rowid "
            "ON CONFLICT (user_id, dedup_key) DO NOTHING"
        )
        written = 0
        for users, docs, subs in pairs:
            for start in range(0, len(users), INSERT_CHUNK):
                chunk = slice(start, start + INSERT_CHUNK)
                connection.exec_driver_sql(
                    "INSERT INTO match_pairs VALUES (?, ?, ?)",
                    list(
                        zip(
                            users[chunk].tolist(),
                            docs[chunk].tolist(),
                            subs[chunk].tolist(),
                            strict=True,
                        )
                    ),
                )
                written += connection.exec_driver_sql(
                    statement, (PENDING, recipients.created_at)
                ).rowcount
                connection.exec_driver_sql("DELETE FROM match_pairs")
        for table in MATCH_TABLES:
            connection.exec_driver_sql(f"DROP TABLE temp.{table}")
        return written
    finally:
        for name, value in zip(caches, previous, strict=True):
            connection.exec_driver_sql(f"PRAGMA {name} = {int(value)}")


def _create_match_tables(connection, subjects: "_Subjects", recipients: _Recipients) -> None:
    """The batch's documents and the run's subscriptions by position, for the join. The
    driver runs DDL outside a transaction until the first write, so a run that failed may
    have left them on this connection."""
    for table in MATCH_TABLES:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{table}")
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE match_subjects (position INTEGER PRIMARY KEY, kind TEXT, "
        "dedup_key TEXT, opportunity_id INTEGER, plan_line_id INTEGER, deadline_at_notice TEXT)"
    )
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE match_recipients (position INTEGER PRIMARY KEY, "
        "subscription_id INTEGER, frequency TEXT, due_at TEXT)"
    )
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE match_pairs (user_id INTEGER, subject INTEGER, recipient INTEGER)"
    )
    for table, columns in (
        ("match_subjects", subjects.columns),
        ("match_recipients", recipients.columns),
    ):
        marks = ", ".join(["?"] * (len(columns) + 1))
        connection.exec_driver_sql(
            f"INSERT INTO {table} VALUES ({marks})",
            list(zip(itertools.count(), *(column.tolist() for column in columns))),
        )


def _drop_vanished(connection) -> None:
    """Leaves out subscriptions and documents deleted since they were read: the rows' parents,
    checked for the whole batch at once while this transaction holds SQLite's write lock (a
    subscription's user outlives it: deleting a user deletes its subscriptions)."""
    connection.exec_driver_sql(
        "DELETE FROM temp.match_recipients "
        "WHERE subscription_id NOT IN (SELECT id FROM main.subscriptions)"
    )
    connection.exec_driver_sql(
        "DELETE FROM temp.match_subjects "
        "WHERE (opportunity_id IS NOT NULL "
        "AND opportunity_id NOT IN (SELECT id FROM main.opportunities)) "
        "OR (plan_line_id IS NOT NULL AND plan_line_id NOT IN (SELECT id FROM main.plan_lines))"
    )


def _copy_deliveries(connection, pairs, subjects: "_Subjects", recipients: _Recipients) -> int:
    """Straight into the outbox by COPY, the rows streamed as the engine hands them over: the
    server inserts while Python builds the next ones. COPY has no ON CONFLICT, so the pairs
    already recorded are read first and left out; no other writer can add them meanwhile
    (dedup keys of documents are written by the matcher alone, and the advisory lock lets one
    matcher at a time), and the unique index would refuse any that did.

    Each row's values are Python objects picked from per-document and per-subscription
    columns; a staging table with INSERT ... SELECT ... ON CONFLICT cost the server more. The
    outbox's parents are checked once per statement (migration 0009), after `_alive` locked
    the ones still there, so a subscription or document deleted since it was read is left
    out rather than failing the batch.
    """
    told = _already_told(connection, subjects)
    alive_recipient, alive_subject = _alive(connection, subjects, recipients)
    kind, dedup_key, opportunity_id, plan_line_id, deadline = subjects.columns
    subscription_id, frequency, due = recipients.columns
    written = 0
    columns = ", ".join(MATCH_COLUMNS)
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY alert_deliveries ({columns}) FROM STDIN") as copy,
    ):
        for users, docs, subs in pairs:
            keep = alive_recipient[subs] & alive_subject[docs]
            if len(told):
                keep &= ~np.isin(users * len(subjects.rank) + docs, told)
            users, docs, subs = users[keep], docs[keep], subs[keep]
            count = len(users)
            for row in zip(
                users.tolist(),
                kind[docs].tolist(),
                dedup_key[docs].tolist(),
                opportunity_id[docs].tolist(),
                plan_line_id[docs].tolist(),
                subscription_id[subs].tolist(),
                frequency[subs].tolist(),
                itertools.repeat(PENDING, count),
                itertools.repeat(0, count),
                itertools.repeat(recipients.created_at, count),
                due[subs].tolist(),
                deadline[docs].tolist(),
                strict=True,
            ):
                copy.write_row(row)
            written += count
    return written


def _alive(connection, subjects: "_Subjects", recipients: _Recipients):
    """(per subscription row, per document) whether its database row is still there, locked
    FOR KEY SHARE until commit as a foreign key check would lock it (PostgreSQL)."""
    _kind, _key, opportunity_id, plan_line_id, _deadline = subjects.columns
    subscription_id = recipients.columns[0]
    alive = {}
    for table, ids in (
        (Subscription.__table__, subscription_id),
        (Opportunity.__table__, opportunity_id),
        (PlanLine.__table__, plan_line_id),
    ):
        wanted = [i for i in ids.tolist() if i is not None]
        query = (
            select(table.c.id)
            .where(table.c.id == any_(bindparam("ids", wanted, type_=ARRAY(Integer))))
            .with_for_update(key_share=True)
        )
        alive[table.name] = set(connection.scalars(query)) if wanted else set()
    return (
        np.array([i in alive["subscriptions"] for i in subscription_id.tolist()], dtype=bool),
        np.array(
            [
                i in alive["opportunities"] if i is not None else j in alive["plan_lines"]
                for i, j in zip(opportunity_id.tolist(), plan_line_id.tolist(), strict=True)
            ],
            dtype=bool,
        ),
    )


def _already_told(connection, subjects: "_Subjects") -> np.ndarray:
    """(user id * documents + position) of the batch's documents already in someone's outbox:
    a document that changed since it was matched, or a call just recorded as a follow-up."""
    kind, dedup_key, opportunity_id, plan_line_id, _deadline = subjects.columns
    position = {key: number for number, key in enumerate(dedup_key.tolist())}
    deliveries = AlertDelivery.__table__.c
    told = []
    for column, ids in (
        (deliveries.opportunity_id, [i for i in opportunity_id.tolist() if i is not None]),
        (deliveries.plan_line_id, [i for i in plan_line_id.tolist() if i is not None]),
    ):
        if ids:
            query = select(deliveries.user_id, deliveries.dedup_key).where(
                column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
            )
            for user_id, key in connection.execute(query):
                if key in position:
                    told.append(user_id * len(position) + position[key])
    return np.array(sorted(told), dtype=np.int64)


def _insert_follow_ups(session: Session, opportunity_ids: list[int], now: datetime) -> int:
    """The call that fulfils a plan line goes to everyone told of that line's forecast, as a
    follow-up (whether or not a subscription also matches it: one delivery either way);
    returns how many were new."""
    if not opportunity_ids:
        return 0
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
    rows = [
        {
            "user_id": row.user_id,
            "kind": DeliveryKind.FOLLOW_UP,
            "dedup_key": f"{OPPORTUNITY}:{row.id}",
            "opportunity_id": row.id,
            "subscription_id": row.subscription_id,
            "frequency": row.frequency,
            "created_at": now,
            "due_at": due_at(row.frequency, row.hour, now),
            "deadline_at_notice": row.deadline_at,
        }
        for start in range(0, len(opportunity_ids), 1000)
        for row in session.execute(query, {"ids": opportunity_ids[start : start + 1000]})
    ]
    if not rows:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(AlertDelivery.__table__)
        .on_conflict_do_nothing(index_elements=["user_id", "dedup_key"])
        .returning(AlertDelivery.__table__.c.id)
    )
    return len(session.execute(statement, rows).all())  # RETURNING names only new rows


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
