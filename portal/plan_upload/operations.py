"""Storing an uploaded PAC as a draft, publishing it as a new plan version, or discarding it.

Each function only adds and flushes; the caller commits (or rolls back) the whole unit. A
draft keeps the file itself, so publishing reads exactly the bytes that were previewed.
"""

import hashlib
import io
from datetime import datetime, timedelta
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.buyers.models import Buyer
from portal.plan_upload.preview import preview_of, problems_of
from portal.plans.models import AnnualPlan, PlanLine, PlanUpload, UploadStatus
from portal.reference.models import Department, ProcedureType
from portal.search import hooks as search_hooks
from scrapers import plan_linking
from scrapers.plan_file import PlanFileContext, PlanReading, read_plan_file
from scrapers.records import BuyerRecord, ParseError, PlanLineRecord, PlanRecord
from scrapers.text import clean_text

PLAN_LINES = PlanLine.__table__
FILENAME_LENGTH = 255
INSTRUMENT_LENGTH = 200
INSERT_BATCH = 5_000
DRAFT_DAYS = 30  # a draft nobody published by then is discarded, its file dropped


class PublishRefused(Exception):
    """The draft cannot become a plan (it has problems); the message is for the user."""


class AlreadyDecided(Exception):
    """The draft was already published or discarded (a double click, a second tab)."""

    def __init__(self, status: UploadStatus):
        super().__init__(status.value)
        self.status = status


def store_draft(
    session: Session,
    *,
    buyer: Buyer,
    fiscal_year: int,
    user: User,
    filename: str,
    payload: bytes,
    now: datetime,
) -> PlanUpload:
    """Read the file and keep it as a draft with its problems and preview. A file that cannot
    be read at all raises ParseError and nothing is stored."""
    reading = read_plan_file(io.BytesIO(payload), _context(buyer, fiscal_year))
    record = entity_plan(reading)
    upload = PlanUpload(
        buyer_id=buyer.id,
        fiscal_year=fiscal_year,
        uploaded_by_id=user.id,
        filename=display_filename(filename),
        content=payload,
        size_bytes=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
        row_count=reading.rows,
        line_count=len(record.lines) if record else 0,
        problem_count=reading.problem_count,
        problems=problems_of(reading.problems),
        preview=preview_of(record.lines if record else ()),
        approving_instrument=_instrument(reading.approving_instrument),
        status=UploadStatus.DRAFT,
        created_at=now,
    )
    session.add(upload)
    session.flush()
    return upload


def publish_draft(session: Session, upload: PlanUpload, user: User, now: datetime) -> AnnualPlan:
    """The draft's lines become the entity's next plan version, all of them or none: the
    caller's transaction holds the claim on the draft, the plan, its lines and their links."""
    if upload.status != UploadStatus.DRAFT:
        raise AlreadyDecided(upload.status)
    record = _publishable(upload)
    _claim(session, upload, status=UploadStatus.PUBLISHED, published_at=now)
    plan = AnnualPlan(
        buyer_id=upload.buyer_id,
        fiscal_year=upload.fiscal_year,
        version=next_version(session, upload.buyer_id, upload.fiscal_year),
        approving_instrument=upload.approving_instrument,
        uploaded_by_id=user.id,
        published_at=now,
    )
    session.add(plan)
    session.flush()
    line_ids = insert_lines(session, plan.id, record.lines)
    # Core rows bypass the unit of work: name them, so the commit indexes them as forecasts.
    search_hooks.note_changes(session, plan_line_ids=line_ids, plan_ids=[plan.id])
    session.expire(plan, ["lines"])
    upload.plan_id = plan.id
    plan_linking.link_plan(session, plan)
    session.flush()
    return plan


def discard_draft(session: Session, upload: PlanUpload) -> None:
    """The draft stays on record as discarded; it can no longer be published."""
    if upload.status != UploadStatus.DRAFT:
        raise AlreadyDecided(upload.status)
    _claim(session, upload, status=UploadStatus.DISCARDED)


def entity_plan(reading: PlanReading) -> PlanRecord | None:
    """The file's plan, or None when rows have problems. Told the entity and the year, the
    reader reports a file about another entity or year as problems, so a clean reading holds
    exactly the one plan."""
    if reading.problem_count:
        return None
    (record,) = reading.plans
    return record


def next_version(session: Session, buyer_id: int, fiscal_year: int) -> int:
    newest = session.scalar(
        select(func.max(AnnualPlan.version)).where(
            AnnualPlan.buyer_id == buyer_id, AnnualPlan.fiscal_year == fiscal_year
        )
    )
    return (newest or 0) + 1


def insert_lines(session: Session, plan_id: int, lines: tuple[PlanLineRecord, ...]) -> list[int]:
    """A plain executemany a batch of dicts at a time, then the new ids in one query: psycopg
    pipelines executemany, whereas RETURNING batches are multi-row statements whose 17
    parameters a row it re-parses on every batch (three times slower for 50,000 lines)."""
    procedure_codes = set(session.scalars(select(ProcedureType.code)))
    region_codes = set(session.scalars(select(Department.code)))
    for start in range(0, len(lines), INSERT_BATCH):
        batch = lines[start : start + INSERT_BATCH]
        rows = [_line_row(plan_id, line, procedure_codes, region_codes) for line in batch]
        session.connection().execute(PLAN_LINES.insert(), rows)
    return list(session.scalars(select(PlanLine.id).where(PlanLine.plan_id == plan_id)))


def display_filename(filename: str) -> str:
    """The file's own name without any folder a browser sent along, as the clerk knows it."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    return clean_text(name)[:FILENAME_LENGTH] or "plan"


def _context(buyer: Buyer, fiscal_year: int) -> PlanFileContext:
    return PlanFileContext(fiscal_year=fiscal_year, buyer=BuyerRecord(buyer.name, buyer.ruc))


def _publishable(upload: PlanUpload) -> PlanRecord:
    """Re-read the stored bytes: what is published is what the preview showed."""
    try:
        reading = read_plan_file(
            io.BytesIO(upload.content), _context(upload.buyer, upload.fiscal_year)
        )
        record = entity_plan(reading)
    except ParseError as error:
        raise PublishRefused(str(error)) from error
    if record is None:
        raise PublishRefused("el archivo tiene problemas: corríjalo y súbalo de nuevo")
    return record


def _claim(session: Session, upload: PlanUpload, **values) -> None:
    """Move the draft out of DRAFT only if it still is: of two clicks (or two workers) racing,
    the second finds the row changed (PostgreSQL re-checks it after the first commits; SQLite
    serialises writers) and publishes nothing."""
    claimed = session.execute(
        update(PlanUpload)
        .where(PlanUpload.id == upload.id, PlanUpload.status == UploadStatus.DRAFT)
        .values(**values)
    )
    if claimed.rowcount != 1:
        session.refresh(upload)
        raise AlreadyDecided(upload.status)


def _line_row(
    plan_id: int, line: PlanLineRecord, procedure_codes: set[str], region_codes: set[str]
) -> dict:
    """Codes the reference tables lack are dropped, as ingest does, rather than failing the
    whole plan on a foreign key."""
    return {
        "plan_id": plan_id,
        "reference_number": line.reference_number,
        "description": line.description,
        "object_type": line.object_type,
        "procedure_type_code": line.procedure_type_code
        if line.procedure_type_code in procedure_codes
        else None,
        "classification_code": line.classification_code,
        "estimated_value": line.estimated_value,
        "currency": line.currency,
        "planned_month": line.planned_month,
        "region_code": line.region_code if line.region_code in region_codes else None,
        "quantity": line.quantity,
        "unit_of_measure": line.unit_of_measure,
        "funding_source": line.funding_source,
        "notes": line.notes,
        "needs_matching": True,
    }


def _instrument(text: str | None) -> str | None:
    return clean_text(text)[:INSTRUMENT_LENGTH] or None


def purge_drafts(session: Session, now: datetime, days: int = DRAFT_DAYS) -> int:
    """Drafts nobody published within `days` are discarded, and discarded files are dropped
    (a file can be up to 25 MB); the row stays, with its problems, as the record of the
    attempt. Published files are kept: they are where a plan version came from."""
    cutoff = now - timedelta(days=days)
    session.execute(
        update(PlanUpload)
        .where(PlanUpload.status == UploadStatus.DRAFT, PlanUpload.created_at < cutoff)
        .values(status=UploadStatus.DISCARDED)
    )
    dropped = session.execute(
        update(PlanUpload)
        .where(PlanUpload.status == UploadStatus.DISCARDED, func.length(PlanUpload.content) > 0)
        .where(PlanUpload.created_at < cutoff)
        .values(content=b"")
    )
    return dropped.rowcount
