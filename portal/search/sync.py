"""Keeping the index equal to the database: apply noted changes, repair drift, rebuild."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.opportunities.models import Opportunity
from portal.plans.models import PlanLine
from portal.search.arrays import VOCABULARIES, load_arrays
from portal.search.documents import (
    OPPORTUNITY,
    PLAN_LINE,
    doc_key,
    latest_plan_ids,
    opportunity_documents,
    plan_line_documents,
)
from portal.search.store import PARTS, BulkWriter, open_part, write_documents

REBUILD_BATCH = 2000


@dataclass(frozen=True)
class Changes:
    """Ids a committed transaction touched; AnnualPlan ids stand for all their versions' lines."""

    opportunity_ids: frozenset[int] = frozenset()
    plan_line_ids: frozenset[int] = frozenset()
    plan_ids: frozenset[int] = frozenset()


def apply_changes(session: Session, index_dir: str | Path, changes: Changes) -> int:
    """Re-read the changed rows and replace their documents; rows now gone are deleted."""
    documents, keys = changed_documents(session, changes)
    return write_documents(index_dir, documents, deleted_keys=keys)


def changed_documents(session: Session, changes: Changes) -> tuple[list[dict], set[str]]:
    """The changed rows' documents, and the keys to replace: those of rows now gone too."""
    line_ids = set(changes.plan_line_ids) | _lines_of_plans(session, changes.plan_ids)
    documents = [
        *opportunity_documents(session, changes.opportunity_ids),
        *plan_line_documents(session, line_ids),
    ]
    keys = {doc_key(OPPORTUNITY, i) for i in changes.opportunity_ids}
    keys |= {doc_key(PLAN_LINE, i) for i in line_ids}
    return documents, keys


def _lines_of_plans(session: Session, plan_ids: Iterable[int]) -> set[int]:
    """Lines of every version of the touched plans' buyer and year: a new version hides the old."""
    from portal.plans.models import AnnualPlan

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
class IndexStatus:
    database: dict[str, int]
    indexed: dict[str, int]  # per kind, both parts
    per_part: dict[str, int]


def _indexed_stamps(index_dir: str | Path) -> dict[str, float]:
    """doc_key -> stamp of every live document in both parts."""
    stamps: dict[str, float] = {}
    kinds = VOCABULARIES["kind"].values
    for part in PARTS:
        with open_part(index_dir, part).reader() as reader:
            arrays = load_arrays(reader)
            live = arrays.live.nonzero()[0]
            for row in live:
                kind = kinds[arrays.columns["kind"][row]]
                stamps[f"{kind}:{int(arrays.columns['db_id'][row])}"] = float(
                    arrays.columns["stamp"][row]
                )
    return stamps


def _database_stamps(session: Session) -> dict[str, float]:
    stamps = {
        doc_key(OPPORTUNITY, i): updated.timestamp()
        for i, updated in session.execute(select(Opportunity.id, Opportunity.updated_at))
    }
    lines = select(PlanLine.id).where(PlanLine.plan_id.in_(latest_plan_ids(session)))
    stamps.update({doc_key(PLAN_LINE, i): 0.0 for i in session.scalars(lines)})
    return stamps


def index_status(session: Session, index_dir: str | Path) -> IndexStatus:
    indexed = _indexed_stamps(index_dir)
    database = _database_stamps(session)
    per_part = {}
    for part in PARTS:
        with open_part(index_dir, part).reader() as reader:
            per_part[part] = reader.doc_count()

    def by_kind(keys) -> dict[str, int]:
        return {
            kind: sum(1 for k in keys if k.startswith(kind + ":"))
            for kind in (OPPORTUNITY, PLAN_LINE)
        }

    return IndexStatus(by_kind(database), by_kind(indexed), per_part)


@dataclass(frozen=True)
class RepairReport:
    missing: int
    stale: int
    orphans: int


def repair(session: Session, index_dir: str | Path) -> RepairReport:
    """Compare ids and updated_at stamps; reindex missing or stale rows, delete orphans."""
    indexed = _indexed_stamps(index_dir)
    database = _database_stamps(session)
    missing = database.keys() - indexed.keys()
    stale = {
        key for key in database.keys() & indexed.keys() if abs(database[key] - indexed[key]) > 1e-3
    }
    orphans = indexed.keys() - database.keys()
    todo = missing | stale
    changes = Changes(
        opportunity_ids=frozenset(_ids(todo, OPPORTUNITY)),
        plan_line_ids=frozenset(_ids(todo, PLAN_LINE)),
    )
    for start in range(0, max(len(todo), 1), REBUILD_BATCH):
        chunk = Changes(
            frozenset(sorted(changes.opportunity_ids)[start : start + REBUILD_BATCH]),
            frozenset(sorted(changes.plan_line_ids)[start : start + REBUILD_BATCH]),
        )
        apply_changes(session, index_dir, chunk)
    if orphans:
        write_documents(index_dir, [], deleted_keys=orphans)
    return RepairReport(len(missing), len(stale), len(orphans))


def _ids(keys: Iterable[str], kind: str) -> list[int]:
    return [int(key.split(":")[1]) for key in keys if key.startswith(kind + ":")]


def rebuild(
    session: Session, index_dir: str | Path, progress: Callable[[int], None] = lambda _n: None
) -> int:
    """Index every row again into a new generation per part, swapped in when all is written."""
    writer = BulkWriter(index_dir)
    total = 0
    try:
        opportunity_ids = list(session.scalars(select(Opportunity.id).order_by(Opportunity.id)))
        lines = select(PlanLine.id).where(PlanLine.plan_id.in_(latest_plan_ids(session)))
        line_ids = list(session.scalars(lines.order_by(PlanLine.id)))
        for read, ids in (
            (opportunity_documents, opportunity_ids),
            (plan_line_documents, line_ids),
        ):
            for start in range(0, len(ids), REBUILD_BATCH):
                batch = ids[start : start + REBUILD_BATCH]
                for document in read(session, batch):
                    writer.add(document)
                    total += 1
                progress(len(batch))
                session.expunge_all()
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return total


def database_row_count(session: Session) -> int:
    from sqlalchemy import func

    lines = select(func.count(PlanLine.id)).where(PlanLine.plan_id.in_(latest_plan_ids(session)))
    return (session.scalar(select(func.count(Opportunity.id))) or 0) + (session.scalar(lines) or 0)
