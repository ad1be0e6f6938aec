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
from notifications.models import AlertDelivery, DeliveryKind
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
    if searches:
        index = subscription_index(
            [search.params for search in searches], _size_limits(session, searches, now)
        )
        subs, docs = match(index, batch, now.timestamp())
        rows = _match_rows(searches, batch.keys, batch.columns["deadline"], subs, docs, now)
    else:
        rows = iter(())
    tally.follow_ups += _insert(session, _follow_up_rows(session, opportunity_ids, now))
    tally.matches += _insert(session, rows)
    _clear_flags(session, flagged, line_ids)
    return True


def _size_limits(session: Session, searches: list[ActiveSearch], now: datetime) -> dict:
    classes = {search.params.size_class for search in searches if search.params.size_class}
    return {size: size_value_limit(session, size, now) for size in classes}


def _match_rows(searches, keys, deadlines, subs, docs, now: datetime) -> Iterator[dict]:
    """One delivery per (user, document): the most urgent matching subscription names it.
    Yielded, not listed: a large batch makes millions of rows."""
    users = np.array([search.user_id for search in searches], dtype=np.int64)[subs]
    urgency = np.array([URGENCY[search.frequency] for search in searches])[subs]
    order = np.lexsort((subs, urgency, docs, users))
    users, docs, subs = users[order], docs[order], subs[order]
    first = np.ones(len(users), dtype=bool)
    first[1:] = (users[1:] != users[:-1]) | (docs[1:] != docs[:-1])
    due = functools.cache(lambda frequency, hour: due_at(frequency, hour, now))
    for user_id, position, row in zip(users[first], docs[first], subs[first], strict=True):
        search = searches[int(row)]
        kind, db_id = keys[int(position)].split(":")
        is_opportunity = kind == OPPORTUNITY
        deadline = deadlines[int(position)]
        yield (
            {
                "user_id": int(user_id),
                "kind": DeliveryKind.MATCH if is_opportunity else DeliveryKind.FORECAST,
                "dedup_key": f"{kind}:{db_id}",
                "opportunity_id": int(db_id) if is_opportunity else None,
                "plan_line_id": None if is_opportunity else int(db_id),
                "subscription_id": search.subscription_id,
                "frequency": search.frequency,
                "due_at": due(search.frequency, search.digest_hour),
                "deadline_at_notice": _moment(deadline),
                "created_at": now,
            }
        )


def _moment(timestamp: float) -> datetime | None:
    return None if np.isnan(timestamp) else datetime.fromtimestamp(timestamp, UTC)


def _follow_up_rows(session: Session, opportunity_ids: list[int], now: datetime) -> list[dict]:
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
                {
                    "user_id": row.user_id,
                    "kind": DeliveryKind.FOLLOW_UP,
                    "dedup_key": f"{OPPORTUNITY}:{row.id}",
                    "opportunity_id": row.id,
                    "plan_line_id": None,
                    "subscription_id": row.subscription_id,
                    "frequency": row.frequency,
                    "due_at": due_at(row.frequency, row.hour, now),
                    "deadline_at_notice": row.deadline_at,
                    "created_at": now,
                }
            )
    return rows


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
TIME_COLUMNS = ("created_at", "due_at", "deadline_at_notice")


def _insert(session: Session, rows: Iterable[dict]) -> int:
    """Insert, skipping any (user, dedup key) already recorded; returns how many were new.

    Plain DBAPI executemany with the few distinct times bound once: SQLAlchemy's per-row
    parameter handling was most of the cost of writing a million deliveries.
    """
    connection = session.connection()
    dialect = connection.dialect
    table = AlertDelivery.__table__
    processors = {name: table.c[name].type.bind_processor(dialect) for name in TIME_COLUMNS}
    bound: dict[tuple[str, datetime], object] = {}

    def time(name: str, value: datetime | None):
        if value is None or processors[name] is None:
            return value
        key = (name, value)
        if key not in bound:
            bound[key] = processors[name](value)
        return bound[key]

    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO alert_deliveries ({', '.join(INSERTED_COLUMNS)}) "
        f"VALUES ({', '.join([marker] * len(INSERTED_COLUMNS))}) "
        "ON CONFLICT (user_id, dedup_key) DO NOTHING"
    )
    inserted = 0
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, INSERT_CHUNK)):
        values = [
            (
                row["user_id"],
                str(row["kind"]),
                row["dedup_key"],
                row["opportunity_id"],
                row["plan_line_id"],
                None,
                row["subscription_id"],
                str(row["frequency"]),
                "pending",
                0,
                *(time(name, row[name]) for name in TIME_COLUMNS),
            )
            for row in chunk
        ]
        inserted += connection.exec_driver_sql(statement, values).rowcount
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
