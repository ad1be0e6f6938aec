"""The index follows the database through session events (as pypi/warehouse does).

after_flush notes which rows changed in `session.info`; after_commit hands them to the index
writer; a transaction that rolled back indexes nothing. Core `insert()`/`update()` statements
bypass the unit of work: the engine event below marks the transaction, and its commit runs a
repair (ids and updated_at compared) unless the caller named the ids with `note_changes`.
"""

import logging
from collections.abc import Iterable

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

from portal.buyers.models import Buyer
from portal.opportunities.models import Opportunity, OpportunityClassification
from portal.plans.models import AnnualPlan, PlanLine
from portal.search.sync import Changes, apply_changes, changed_documents, repair
from portal.search.writer_process import IndexWriterError, WriterProcess

log = logging.getLogger(__name__)
INFO_KEY = "search_changes"
DEFER_KEY = "search_deferred"


WATCHED_TABLES = frozenset(
    {"opportunities", "opportunity_classifications", "plan_lines", "annual_plans"}
)
ID_KINDS = ("opportunity_ids", "plan_line_ids", "plan_ids", "buyer_ids")  # Changes' fields
# What documents say of their buyer (portal.search.documents.BuyerFacts): a change to one of
# these re-indexes every notice and plan line of the buyer.
BUYER_INDEXED = ("name", "acronym", "ruc", "identifier", "region_code")


def _pending(session: Session) -> dict[str, set]:
    return session.info.setdefault(INFO_KEY, {**{k: set() for k in ID_KINDS}, "bulk": set()})


def _after_begin(session: Session, _transaction, connection) -> None:
    """Let Core statements on this connection find the session's notes."""
    connection.info[INFO_KEY] = _pending(session)


def _after_execute(connection, statement, *_args) -> None:
    table = getattr(statement, "table", None)
    if isinstance(statement, UpdateBase) and getattr(table, "name", None) in WATCHED_TABLES:
        pending = connection.info.get(INFO_KEY)
        if pending is not None and not pending.get("flushing"):  # the ORM's own are noted
            pending["bulk"].add(table.name)


def _before_flush(session: Session, *_args) -> None:
    _pending(session)["flushing"] = True


def _after_flush_postexec(session: Session, _context) -> None:
    _pending(session)["flushing"] = False


def note_changes(
    session: Session,
    opportunity_ids: Iterable[int] = (),
    plan_line_ids: Iterable[int] = (),
    plan_ids: Iterable[int] = (),
) -> None:
    """For bulk statements the unit of work does not see: index these ids after commit."""
    pending = _pending(session)
    pending["noted"] = True
    pending["opportunity_ids"].update(opportunity_ids)
    pending["plan_line_ids"].update(plan_line_ids)
    pending["plan_ids"].update(plan_ids)


def _after_flush(session: Session, _context) -> None:
    pending = _pending(session)
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Opportunity):
            pending["opportunity_ids"].add(row.id)
        elif isinstance(row, OpportunityClassification):
            pending["opportunity_ids"].add(row.opportunity_id)
        elif isinstance(row, PlanLine):
            pending["plan_line_ids"].add(row.id)
        elif isinstance(row, AnnualPlan):
            pending["plan_ids"].add(row.id)
    for row in session.dirty:  # a new buyer has nothing indexed yet
        if isinstance(row, Buyer) and _buyer_facts_changed(row):
            pending["buyer_ids"].add(row.id)


def _buyer_facts_changed(buyer: Buyer) -> bool:
    attributes = inspect(buyer).attrs
    return any(attributes[name].history.has_changes() for name in BUYER_INDEXED)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a released SAVEPOINT: nothing is visible to others yet
        return
    pending = session.info.pop(INFO_KEY, None)
    if not pending or not any(pending[k] for k in (*ID_KINDS, "bulk")) or not has_app_context():
        return
    if not current_app.config.get("PORTAL_INDEX_WRITER", True):
        return
    changes = Changes(*(frozenset(i for i in pending[k] if i is not None) for k in ID_KINDS))
    if pending["bulk"] and not pending.get("noted"):
        _write(session, changes, full_repair=True)
        return
    deferred = session.info.get(DEFER_KEY)
    if deferred is None:
        _write(session, changes)
        return
    deferred["changes"] = _merge(deferred["changes"], changes)
    if _size(deferred["changes"]) >= deferred["flush_at"]:
        _write_deferred(session, deferred)


def defer_indexing(session: Session, flush_at: int) -> None:
    """Index this session's commits a few thousand rows at a time, in a writer process.

    Whoosh pays per written segment (flush and merge), so bulk writers such as a scrape run
    index about twice as fast in batches of thousands, and a child process writing them
    (portal.search.writer_process, started at the first full batch) lets the next batches
    reach the database meanwhile. `flush_deferred` writes the remainder and waits for the
    child. A crash in between leaves committed rows unindexed until the next `repair`.
    """
    session.info.setdefault(DEFER_KEY, {"flush_at": flush_at, "changes": Changes(), "writer": None})


def flush_deferred(session: Session) -> None:
    """Write what `defer_indexing` held back, wait for its writer process and stop deferring."""
    deferred = session.info.pop(DEFER_KEY, None)
    if deferred is None or not has_app_context():
        return
    if _size(deferred["changes"]) and current_app.config.get("PORTAL_INDEX_WRITER", True):
        if deferred["writer"] is None:
            _write(session, deferred["changes"])
        else:
            _write_deferred(session, deferred)
    if deferred["writer"] is not None:
        try:
            deferred["writer"].close()
        except IndexWriterError:
            log.exception("the index writer process failed; run `portal index repair`")


def _write_deferred(session: Session, deferred: dict) -> None:
    """Hand the held-back rows' documents to the writer process, starting it the first time."""
    changes, deferred["changes"] = deferred["changes"], Changes()
    try:
        with Session(bind=session.get_bind()) as reading:
            documents, keys = changed_documents(reading, changes)
        if deferred["writer"] is None:
            deferred["writer"] = WriterProcess(current_app.config["PORTAL_INDEX_DIR"])
        deferred["writer"].write(documents, keys)
    except Exception:  # the commit stands; `portal index repair` restores the index
        log.exception("indexing after commit failed; run `portal index repair`")


def _write(session: Session, changes: Changes, full_repair: bool = False) -> None:
    index_dir = current_app.config["PORTAL_INDEX_DIR"]
    try:
        with Session(bind=session.get_bind()) as reading:
            if full_repair:
                repair(reading, index_dir)
            else:
                apply_changes(reading, index_dir, changes)
    except Exception:  # the commit stands; `portal index repair` restores the index
        log.exception("indexing after commit failed; run `portal index repair`")


def _merge(first: Changes, second: Changes) -> Changes:
    return Changes(*(getattr(first, k) | getattr(second, k) for k in ID_KINDS))


def _size(changes: Changes) -> int:
    return sum(len(getattr(changes, k)) for k in ID_KINDS)


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(INFO_KEY, None)


def listen() -> None:
    """Listen on every Session once; the handlers find the index through current_app."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
        event.listen(Session, "after_begin", _after_begin)
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush_postexec", _after_flush_postexec)
        event.listen(Engine, "after_execute", _after_execute)
