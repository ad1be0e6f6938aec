"""Stored notices recomputed: after the administrators change the floor or the decreed
non-working days, daily for everything (the holidays library updated, reference minimums
changed), and once after the migration that added the columns.

Rows are read and written a batch at a time, each batch its own transaction, so a refresh of
300,000 notices neither holds them in memory nor keeps SQLite's write lock for its whole run.
Only rows whose values change are written; their updated_at moves, so the search index takes
them in (right after each commit in a writing process, by the repair job otherwise). A row is
written only if its procedure and dates are still those the values were computed from: a
scrape that changed them meanwhile has stored the right values itself.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from portal.deadlines.assess import assess
from portal.deadlines.business_days import PERU
from portal.deadlines.rules import ADMIN, load_rules
from portal.opportunities.models import Opportunity
from portal.search import hooks as search_hooks

REFRESH_BATCH = 1000
INDEX_BATCH = 5000  # changed notices indexed together, as an ingest does
STORED = ("minimum_days", "minimum_day_kind", "minimum_basis", "given_days", "short_deadline")
INPUTS = ("procedure_type_code", "published_at", "deadline_at")
_COLUMNS = Opportunity.__table__.c
_WRITE = (
    update(Opportunity.__table__)
    .where(
        _COLUMNS.id == bindparam("row_id"),
        *(_COLUMNS[name].is_not_distinct_from(bindparam(f"read_{name}")) for name in INPUTS),
    )
    .values({name: bindparam(name) for name in (*STORED, "updated_at")})
)


@dataclass
class RefreshReport:
    examined: int = 0
    changed: int = 0
    flagged: int = 0  # short deadlines among the examined, after the refresh


def refresh(
    session: Session,
    now: datetime,
    only_without_legal_minimum: bool = False,
    batch_size: int = REFRESH_BATCH,
    spanning: date | None = None,
) -> RefreshReport:
    """Recompute the columns of every notice, or only of those the administrators' floor can
    affect (no minimum yet, or the floor's): a legal minimum never depends on it. With
    `spanning`, only notices whose bid window holds that Lima day (published before it,
    closing on it or later): those a non-working day can change."""
    rules = load_rules(session)
    query = select(
        Opportunity.id,
        Opportunity.procedure_type_code,
        Opportunity.published_at,
        Opportunity.deadline_at,
        *(getattr(Opportunity, name) for name in STORED),
    ).order_by(Opportunity.id)
    if only_without_legal_minimum:
        query = query.where(
            or_(Opportunity.minimum_basis.is_(None), Opportunity.minimum_basis == ADMIN)
        )
    if spanning is not None:
        midnight = datetime.combine(spanning, time(), PERU).astimezone(UTC)
        query = query.where(
            Opportunity.published_at < midnight, Opportunity.deadline_at >= midnight
        )
    report = RefreshReport()
    search_hooks.defer_indexing(session, INDEX_BATCH)
    try:
        last_id = 0
        while rows := session.execute(
            query.where(Opportunity.id > last_id).limit(batch_size)
        ).all():
            last_id = rows[-1].id
            _refresh_batch(session, rules, rows, now, report)
            session.commit()
    finally:
        search_hooks.flush_deferred(session)
    return report


def _refresh_batch(session: Session, rules, rows, now: datetime, report: RefreshReport) -> None:
    changed = []
    for row in rows:
        columns = assess(rules, row.procedure_type_code, row.published_at, row.deadline_at)
        values = columns.columns()
        report.examined += 1
        report.flagged += columns.short_deadline
        if any(values[name] != getattr(row, name) for name in STORED):
            read = {f"read_{name}": getattr(row, name) for name in INPUTS}
            changed.append({"row_id": row.id, **read, **values, "updated_at": now})
    if changed:
        session.execute(_WRITE, changed)
        search_hooks.note_changes(session, opportunity_ids=[item["row_id"] for item in changed])
        report.changed += len(changed)
