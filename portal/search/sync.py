"""Keeping the index equal to the database: apply noted changes, repair drift, rebuild."""

import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.opportunities.models import Opportunity
from portal.plans.models import AnnualPlan, PlanLine
from portal.search.arrays import VOCABULARIES, live_columns
from portal.search.documents import (
    OPPORTUNITY,
    PLAN_LINE,
    doc_key,
    latest_plan_ids,
    opportunity_documents,
    plan_line_documents,
)
from portal.search.schema import SCHEMA_VERSION
from portal.search.store import (
    PARTS,
    open_part,
    rebuild_dir,
    rebuild_lock,
    swap_in,
    write_documents,
)
from portal.search.writer_process import WriterProcess

REBUILD_BATCH = 5000  # rows read, and handed to the writer process, at a time
STREAM_ROWS = 10_000  # rows fetched at a time when every id is compared
KINDS = (OPPORTUNITY, PLAN_LINE)


@dataclass(frozen=True)
class Changes:
    """Ids a committed transaction touched; AnnualPlan ids stand for all their versions' lines,
    Buyer ids for every notice and plan line of the buyer (documents carry its name and RUC)."""

    opportunity_ids: frozenset[int] = frozenset()
    plan_line_ids: frozenset[int] = frozenset()
    plan_ids: frozenset[int] = frozenset()
    buyer_ids: frozenset[int] = frozenset()


def apply_changes(session: Session, index_dir: str | Path, changes: Changes) -> int:
    """Re-read the changed rows and replace their documents; rows now gone are deleted."""
    documents, keys = changed_documents(session, changes)
    return write_documents(index_dir, documents, deleted_keys=keys)


def changed_documents(session: Session, changes: Changes) -> tuple[list[dict], set[str]]:
    """The changed rows' documents, and the keys to replace: those of rows now gone too."""
    buyers_notices, buyers_lines = _rows_of_buyers(session, changes.buyer_ids)
    opportunity_ids = set(changes.opportunity_ids) | buyers_notices
    line_ids = set(changes.plan_line_ids) | _lines_of_plans(session, changes.plan_ids)
    line_ids |= buyers_lines
    documents = [
        *opportunity_documents(session, opportunity_ids),
        *plan_line_documents(session, line_ids),
    ]
    keys = {doc_key(OPPORTUNITY, i) for i in opportunity_ids}
    keys |= {doc_key(PLAN_LINE, i) for i in line_ids}
    return documents, keys


def _rows_of_buyers(session: Session, buyer_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """Ids of the buyers' notices and of the lines of their plans' newest versions."""
    buyer_ids = list(buyer_ids)
    if not buyer_ids:
        return set(), set()
    notices = select(Opportunity.id).where(Opportunity.buyer_id.in_(buyer_ids))
    lines = (
        select(PlanLine.id)
        .join(AnnualPlan)
        .where(AnnualPlan.buyer_id.in_(buyer_ids))
        .where(PlanLine.plan_id.in_(latest_plan_ids(session)))
    )
    return set(session.scalars(notices)), set(session.scalars(lines))


def _lines_of_plans(session: Session, plan_ids: Iterable[int]) -> set[int]:
    """Lines of every version of the touched plans' buyer and year: a new version hides the old."""
    plan_ids = list(plan_ids)
    if not plan_ids:
        return set()
    touched = select(AnnualPlan.buyer_id, AnnualPlan.fiscal_year).where(AnnualPlan.id.in_(plan_ids))
    pairs = set(session.execute(touched))
    lines = set()
    for buyer_id, year in pairs:
        query = (
            select(PlanLine.id)
            .join(AnnualPlan)
            .where(AnnualPlan.buyer_id == buyer_id, AnnualPlan.fiscal_year == year)
        )
        lines |= set(session.scalars(query))
    return lines


@dataclass(frozen=True)
class Stamps:
    """One kind's rows or documents: ids, each with the stamp of its last change.

    Numpy arrays, not dicts of keys: a repair compares every document with every row, and
    the scheduler that runs it every few minutes also runs the ingests (16 bytes a row here,
    about 150 in a dict of key strings).
    """

    ids: np.ndarray  # int64
    stamps: np.ndarray  # float64
    outdated: np.ndarray | None = None  # bool: written under an older SCHEMA_VERSION (index)


def _indexed_stamps(index_dir: str | Path) -> dict[str, Stamps]:
    """Per kind, every live document's id and stamp, both parts; a key may show up twice."""
    ids: dict[str, list] = {kind: [] for kind in KINDS}
    stamps: dict[str, list] = {kind: [] for kind in KINDS}
    outdated: dict[str, list] = {kind: [] for kind in KINDS}
    for part in PARTS:
        # Not mapped: a mapped reader counted ~1.4 KB of file pages per document in this
        # process's resident set (253 MB for 100,000 notices, against 116 MB read plainly).
        with open_part(index_dir, part, mmap=False).reader() as reader:
            columns = live_columns(reader, ("kind", "db_id", "stamp", "version"))
        for kind in KINDS:
            mine = columns["kind"] == VOCABULARIES["kind"].code(kind)
            ids[kind].append(columns["db_id"][mine].astype(np.int64))
            stamps[kind].append(columns["stamp"][mine])
            outdated[kind].append(columns["version"][mine] < SCHEMA_VERSION)
    return {
        kind: Stamps(
            np.concatenate(ids[kind]),
            np.concatenate(stamps[kind]),
            np.concatenate(outdated[kind]).astype(bool),
        )
        for kind in KINDS
    }


def _database_stamps(session: Session) -> dict[str, Stamps]:
    """Per kind, every row's id and stamp, streamed: plan lines have no stamp (0.0)."""
    rows = (
        select(Opportunity.id, Opportunity.updated_at)
        .order_by(Opportunity.id)
        .execution_options(yield_per=STREAM_ROWS)
    )
    opportunities = np.fromiter(
        ((i, updated.timestamp()) for i, updated in session.execute(rows)),
        dtype=[("id", np.int64), ("stamp", np.float64)],
    )
    lines = (
        select(PlanLine.id)
        .where(PlanLine.plan_id.in_(latest_plan_ids(session)))
        .execution_options(yield_per=STREAM_ROWS)
    )
    line_ids = np.fromiter(session.scalars(lines), dtype=np.int64)
    return {
        OPPORTUNITY: Stamps(opportunities["id"], opportunities["stamp"]),
        PLAN_LINE: Stamps(line_ids, np.zeros(len(line_ids))),
    }


@dataclass(frozen=True)
class Drift:
    """One kind's ids to re-index (missing or stale) and to delete (orphans)."""

    missing: np.ndarray
    stale: np.ndarray
    orphans: np.ndarray


def _drift(database: Stamps, indexed: Stamps) -> Drift:
    """A document indexed twice is stale, and so is one written under an older layout of
    the index (SCHEMA_VERSION): re-indexing it deletes every copy first."""
    unique, first, copies = np.unique(indexed.ids, return_index=True, return_counts=True)
    common, in_database, in_index = np.intersect1d(
        database.ids, unique, assume_unique=True, return_indices=True
    )
    changed = np.abs(database.stamps[in_database] - indexed.stamps[first][in_index]) > 1e-3
    if indexed.outdated is not None:
        changed |= indexed.outdated[first][in_index]
    return Drift(
        missing=np.setdiff1d(database.ids, unique, assume_unique=True),
        stale=common[changed | (copies[in_index] > 1)],
        orphans=np.setdiff1d(unique, database.ids, assume_unique=True),
    )


@dataclass(frozen=True)
class IndexStatus:
    database: dict[str, int]
    indexed: dict[str, int]  # per kind, both parts
    per_part: dict[str, int]


def index_status(session: Session, index_dir: str | Path) -> IndexStatus:
    indexed = _indexed_stamps(index_dir)
    database = _database_stamps(session)
    per_part = {}
    for part in PARTS:
        with open_part(index_dir, part).reader() as reader:
            per_part[part] = reader.doc_count()
    return IndexStatus(
        {kind: len(database[kind].ids) for kind in KINDS},
        {kind: len(np.unique(indexed[kind].ids)) for kind in KINDS},
        per_part,
    )


@dataclass(frozen=True)
class RepairReport:
    missing: int
    stale: int
    orphans: int


def repair(session: Session, index_dir: str | Path) -> RepairReport:
    """Compare ids and updated_at stamps; reindex missing or stale rows, delete orphans."""
    database, indexed = _database_stamps(session), _indexed_stamps(index_dir)
    drift = {kind: _drift(database[kind], indexed[kind]) for kind in KINDS}
    todo = {kind: np.union1d(found.missing, found.stale) for kind, found in drift.items()}
    for start in range(0, max(map(len, todo.values())), REBUILD_BATCH):
        chunk = {
            kind: frozenset(ids[start : start + REBUILD_BATCH].tolist())
            for kind, ids in todo.items()
        }
        apply_changes(
            session,
            index_dir,
            Changes(opportunity_ids=chunk[OPPORTUNITY], plan_line_ids=chunk[PLAN_LINE]),
        )
    for kind, found in drift.items():
        for start in range(0, len(found.orphans), REBUILD_BATCH):
            ids = found.orphans[start : start + REBUILD_BATCH].tolist()
            write_documents(index_dir, [], deleted_keys=[doc_key(kind, i) for i in ids])
    return RepairReport(
        missing=sum(len(found.missing) for found in drift.values()),
        stale=sum(len(found.stale) for found in drift.values()),
        orphans=sum(len(found.orphans) for found in drift.values()),
    )


def rebuild(
    session: Session, index_dir: str | Path, progress: Callable[[int], None] = lambda _n: None
) -> int:
    """Index every row again into a scratch index, swapped in when all is written.

    The scratch index is written the way a bulk ingest writes (portal.search.writer_process:
    segments of bounded size merged in tiers, on the second core), so memory stays flat
    whatever the size, where one big writer per part held every distinct term until its
    commit. The live index keeps answering, and taking the scheduler's writes, until the swap;
    a repair afterwards re-applies what changed in the database meanwhile.
    """
    scratch = rebuild_dir(index_dir)
    with rebuild_lock(index_dir):
        shutil.rmtree(scratch, ignore_errors=True)  # what a killed rebuild left
        writer = WriterProcess(scratch)
        try:
            _write_every_row(session, writer, progress)
        except BaseException:
            writer.abandon()
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        total = writer.close()
        swap_in(index_dir, scratch)
        shutil.rmtree(scratch, ignore_errors=True)
    repair(session, index_dir)
    return total


def _write_every_row(
    session: Session, writer: WriterProcess, progress: Callable[[int], None]
) -> None:
    lines = select(PlanLine.id).where(PlanLine.plan_id.in_(latest_plan_ids(session)))
    for read, ids in (
        (opportunity_documents, select(Opportunity.id)),
        (plan_line_documents, lines),
    ):
        for batch in _id_batches(session, ids):
            writer.write(list(read(session, batch)), set())
            progress(len(batch))
            session.expunge_all()


def _id_batches(session: Session, ids: Select) -> Iterator[list[int]]:
    """The ids a select gives, REBUILD_BATCH at a time in id order, read a batch at a time
    (keyset): a list of every id held 36 MB per million rows for the whole rebuild."""
    column = ids.selected_columns[0]
    last = None
    while True:
        page = ids if last is None else ids.where(column > last)
        batch = list(session.scalars(page.order_by(column).limit(REBUILD_BATCH)))
        if not batch:
            return
        yield batch
        last = batch[-1]


def database_row_count(session: Session) -> int:
    from sqlalchemy import func

    lines = select(func.count(PlanLine.id)).where(PlanLine.plan_id.in_(latest_plan_ids(session)))
    return (session.scalar(select(func.count(Opportunity.id))) or 0) + (session.scalar(lines) or 0)
