"""Database rows turned into index documents: the only place that knows both shapes."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from portal.deadlines.checks import deadline_check
from portal.opportunities.models import (
    SECTOR_SCHEMES,
    Opportunity,
    OpportunityClassification,
    OpportunityStatus,
    sector_codes_of,
)
from portal.plans.models import AnnualPlan, PlanLine
from portal.search.schema import BODY_INDEXED_CHARS, SNIPPET_SOURCE_CHARS
from portal.search.store import PLANNED

OPPORTUNITY = "opportunity"
PLAN_LINE = "plan_line"


def doc_key(kind: str, db_id: int) -> str:
    return f"{kind}:{db_id}"


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("nan")


def _deduplicated(text: str) -> str:
    """Descriptions often repeat their title and boilerplate: index each paragraph once."""
    seen: set[str] = set()
    kept = []
    for paragraph in text.split("\n"):
        key = paragraph.strip().lower()
        if key and key not in seen:
            seen.add(key)
            kept.append(paragraph.strip())
    return "\n".join(kept)[:BODY_INDEXED_CHARS]


def plan_line_sectors(code: str | None) -> set[str]:
    """Segment and family of a plan line's UNSPSC/CUBSO code, as notices get theirs."""
    if not code or not code[:4].isdigit():  # a line carries no scheme: only digits count
        return set()
    return sector_codes_of("UNSPSC", code)


def make_document(
    *,
    kind: str,
    db_id: int,
    title: str,
    description: str,
    status: str,
    region: str | None,
    object_type: str | None,
    procedure_type: str | None,
    buyer_id: int | None,
    sectors: Iterable[str],
    value: float | None,
    published: datetime | None,
    deadline: datetime | None,
    stamp: float,
    deadline_check: str = "",
) -> dict:
    """One index document; the benchmark builds its synthetic corpus through this too."""
    body = _deduplicated(description)
    return {
        "doc_key": doc_key(kind, db_id),
        "title": title,
        "body": body,
        "words": title,
        "snippet": body[:SNIPPET_SOURCE_CHARS],
        "kind": kind.encode(),
        "db_id": db_id,
        "status": status.encode(),
        "region": (region or "").encode(),
        "object_type": (object_type or "").encode(),
        "procedure_type": (procedure_type or "").encode(),
        "deadline_check": deadline_check.encode(),
        "buyer": buyer_id or 0,
        "sectors": " ".join(sorted(sectors)).encode(),
        "value": float(value) if value is not None else -1.0,
        "published": _timestamp(published),
        "deadline": _timestamp(deadline),
        "stamp": stamp,
        "title_len": min(len(title.split()), 65_535),
        "body_len": min(len(body.split()), 65_535),
    }


OPPORTUNITY_COLUMNS = (
    Opportunity.id,
    Opportunity.title,
    Opportunity.description,
    Opportunity.status,
    Opportunity.region_code,
    Opportunity.object_type,
    Opportunity.procedure_type_code,
    Opportunity.buyer_id,
    Opportunity.estimated_value,
    Opportunity.published_at,
    Opportunity.deadline_at,
    Opportunity.updated_at,
    Opportunity.short_deadline,
    Opportunity.given_days,
)


def opportunity_document(row, sectors: set[str]) -> dict:
    """A row of OPPORTUNITY_COLUMNS: plain rows, since building ORM objects for a bulk
    ingest's notices cost a third of its time in the ingesting process."""
    return make_document(
        kind=OPPORTUNITY,
        db_id=row.id,
        title=row.title,
        description=row.description or "",
        status=OpportunityStatus(row.status).value,
        region=row.region_code,
        object_type=row.object_type.value if row.object_type else None,
        procedure_type=row.procedure_type_code,
        buyer_id=row.buyer_id,
        sectors=sectors,
        value=row.estimated_value,
        published=row.published_at,
        deadline=row.deadline_at,
        stamp=row.updated_at.timestamp(),
        deadline_check=deadline_check(row.short_deadline, row.given_days),
    )


def plan_line_document(line: PlanLine) -> dict:
    notes = " ".join(part for part in (line.classification_code, line.notes) if part)
    return make_document(
        kind=PLAN_LINE,
        db_id=line.id,
        title=line.description[:300],
        description=(line.description[300:] + "\n" + notes).strip(),
        status=PLANNED,
        region=line.region_code,
        object_type=line.object_type.value,
        procedure_type=line.procedure_type_code,
        buyer_id=line.plan.buyer_id,
        sectors=plan_line_sectors(line.classification_code),
        value=line.estimated_value,
        published=line.plan.published_at,
        deadline=None,
        stamp=0.0,
    )


def latest_plan_ids(session: Session):
    """Only the newest version of each buyer's yearly plan is searchable: amendments replace."""
    newest = (
        select(AnnualPlan.buyer_id, AnnualPlan.fiscal_year, func.max(AnnualPlan.version).label("v"))
        .group_by(AnnualPlan.buyer_id, AnnualPlan.fiscal_year)
        .subquery()
    )
    return select(AnnualPlan.id).join(
        newest,
        (AnnualPlan.buyer_id == newest.c.buyer_id)
        & (AnnualPlan.fiscal_year == newest.c.fiscal_year)
        & (AnnualPlan.version == newest.c.v),
    )


def opportunity_documents(session: Session, ids: Iterable[int]) -> Iterator[dict]:
    ids = list(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sectors: dict[int, set[str]] = defaultdict(set)
        classifications = select(
            OpportunityClassification.opportunity_id,
            OpportunityClassification.scheme,
            OpportunityClassification.code,
        ).where(
            OpportunityClassification.opportunity_id.in_(chunk),
            OpportunityClassification.scheme.in_(SECTOR_SCHEMES),
        )
        for opportunity_id, scheme, code in session.execute(classifications):
            sectors[opportunity_id] |= sector_codes_of(scheme, code)
        rows = session.execute(select(*OPPORTUNITY_COLUMNS).where(Opportunity.id.in_(chunk)))
        for row in rows:
            yield opportunity_document(row, sectors.get(row.id, set()))


def plan_line_documents(session: Session, ids: Iterable[int]) -> Iterator[dict]:
    ids = list(ids)
    for start in range(0, len(ids), 500):
        query = (
            select(PlanLine)
            .where(PlanLine.id.in_(ids[start : start + 500]))
            .where(PlanLine.plan_id.in_(latest_plan_ids(session)))
            .options(joinedload(PlanLine.plan))
        )
        for line in session.scalars(query):
            yield plan_line_document(line)
