"""Records to rows: opportunities upserted by (source, source_ref) in batches, plans as versions.

A batch is written in one SAVEPOINT with bulk inserts; if the database refuses it, the batch is
replayed item by item, each in its own SAVEPOINT, so one bad record is skipped with its reason
and the others are kept. Each batch is committed, which also lets the search index follow.
"""

import dataclasses
import enum
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from portal.buyers.models import Buyer, GovernmentLevel
from portal.buyers.ruc import is_valid_ruc
from portal.deadlines.assess import deadline_columns
from portal.deadlines.rules import load_rules
from portal.excerpts import excerpt
from portal.opportunities.awards import awards_json
from portal.opportunities.document_identity import merged_documents
from portal.opportunities.documents import documents_change
from portal.opportunities.enums import AWARD_STATUSES, OpportunityStatus
from portal.opportunities.models import (
    ChangeKind,
    Opportunity,
    OpportunityAward,
    OpportunityChange,
    OpportunityClassification,
    OpportunityDocument,
)
from portal.plans.models import AnnualPlan, PlanLine
from portal.reference.models import Department, ProcedureType
from portal.search import hooks as search_hooks
from portal.web_urls import web_url
from scrapers import plan_linking
from scrapers.models import ScrapeItemFailure, Source, SourceKind
from scrapers.records import (
    AwardRecord,
    BuyerRecord,
    ClassificationRecord,
    DocumentRecord,
    ItemError,
    NextPage,
    OpportunityRecord,
    ParsedItem,
    ParseWarning,
    PlanLineRecord,
    PlanRecord,
    Withdrawal,
)

BATCH_SIZE = 500
# A notice's description as stored (cut at a word, with "…"): annexes pasted whole run to
# megabytes, which the page, the API and every change row would carry.
MAX_DESCRIPTION_CHARS = 20_000
INDEX_BATCH_SIZE = 5000  # committed notices indexed together (see search.hooks.defer_indexing)
OPPORTUNITIES = Opportunity.__table__
CLASSIFICATIONS = OpportunityClassification.__table__
AWARDS = OpportunityAward.__table__
AWARD_COLUMNS = (
    "source_award_id",
    "supplier_name",
    "supplier_ruc",
    "supplier_identifier",
    "amount",
    "currency",
    "awarded_at",
    "status",
)
DOCUMENTS = OpportunityDocument.__table__
MAX_AWARD_AMOUNT = Decimal(10) ** 16  # the column's 18 digits, 2 of them decimals
SCHEMES = frozenset({"UNSPSC", "CUBSO", "CPV", "OTHER"})
DETAIL_FIELDS = (
    "title",
    "description",
    "object_type",
    "procedure_type_code",
    "procedure_text",
    "region_code",
    "published_at",
    "url",
    "ocid",
    "buyer_id",
)


@dataclass
class IngestTally:
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class PageOutcome:
    """Where a listing goes on, as the parsed page said."""

    next_pages: list[str] = field(default_factory=list)


class InvalidRecord(ValueError):
    """A record the database must not see (naive time, empty reference...)."""


def content_hash(record: OpportunityRecord) -> str:
    """sha256 of the record's fields, normalised so equal content always hashes alike."""
    payload = json.dumps(_plain(record), separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _plain(value):
    """JSON-ready form of a record (field order fixed by the dataclass); faster than asdict."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is tuple:
        return [_plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if kind is datetime or kind is Decimal:
        return _json_value(value)
    plain = [_plain(getattr(value, name)) for name in _field_names(kind)]
    if kind is OpportunityRecord:
        if value.awards:  # appended bare, as hashes stored since awards were added have it
            plain.append(_plain(value.awards))
        if value.fields_from_text:
            plain.append(["fields_from_text", *value.fields_from_text])
        if value.documents:
            plain.append(["documents", *_plain(value.documents)])
    return plain


_AS_IS = frozenset({str, int, bool, float, type(None)})
# Fields added to records after notices were stored, hashed only when set: a notice without
# awards or documents keeps the hash it was stored with, so an upgrade does not make every
# notice "updated", and a version that only adds a document is one.
_ADDED_LATER = ("awards", "fields_from_text", "documents")


@functools.cache
def _field_names(record_class: type) -> tuple[str, ...]:
    return tuple(
        item.name for item in dataclasses.fields(record_class) if item.name not in _ADDED_LATER
    )


def _json_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


@dataclass
class _Known:
    """Reference codes and buyers seen in this ingest, so a batch needs no per-row lookups."""

    procedure_codes: frozenset[str]
    region_codes: frozenset[str]
    plan_keys: set[tuple[int, int]]
    buyers: dict[tuple, int] = field(default_factory=dict)
    buyer_records: dict[BuyerRecord, int] = field(default_factory=dict)

    def forget_buyers_since(self, saved: tuple[dict, dict]) -> None:
        """Buyers created in a rolled-back SAVEPOINT no longer exist: drop them from the cache."""
        self.buyers, self.buyer_records = saved

    def buyers_now(self) -> tuple[dict, dict]:
        return dict(self.buyers), dict(self.buyer_records)


class Ingestor:
    """Buffers records of one run and writes them a batch at a time; `finish()` flushes the rest."""

    def __init__(
        self, session: Session, source: Source, run_id: int, now: datetime, batch_size=BATCH_SIZE
    ) -> None:
        self.session = session
        self.source_id = source.id
        self.run_id = run_id
        self.now = now
        self.batch_size = batch_size
        self.tally = IngestTally()
        self._pending: dict[str, OpportunityRecord] = {}
        self._known = _Known(
            procedure_codes=frozenset(session.scalars(select(ProcedureType.code))),
            region_codes=frozenset(session.scalars(select(Department.code))),
            plan_keys=set(session.execute(select(AnnualPlan.buyer_id, AnnualPlan.fiscal_year))),
        )
        self._deadline_rules = load_rules(session)  # minimums and floor, once per run
        # An OCDS release may list only the documents it adds (OCDS merges lists by id), so
        # the stored list grows; a feed's entry lists all its documents each time.
        self._documents_add_up = source.kind == SourceKind.OCDS

    def consume(self, items: Iterable[ParsedItem]) -> PageOutcome:
        """Feed a parser's output in; if the parser breaks, the unflushed batch is dropped."""
        outcome = PageOutcome()
        unknown_withdrawals = 0
        try:
            for item in items:
                if isinstance(item, ParseWarning):
                    self.tally.warnings.append(item.message)
                elif isinstance(item, NextPage):
                    outcome.next_pages.append(item.url)
                elif isinstance(item, ItemError):
                    self.tally.fetched += 1
                    self.fail(item.item_ref, item.reason)
                elif isinstance(item, Withdrawal):
                    unknown_withdrawals += not self.withdraw(item)
                else:
                    self.tally.fetched += 1
                    self.add(item)
        except BaseException:
            self._pending.clear()
            self.session.rollback()
            search_hooks.flush_deferred(self.session)  # batches committed before the break
            raise
        if unknown_withdrawals:
            self.tally.warnings.append(
                f"{unknown_withdrawals} avisos de retiro nombran convocatorias no guardadas;"
                " se ignoraron"
            )
        return outcome

    def add(self, record: OpportunityRecord | PlanRecord) -> None:
        if isinstance(record, PlanRecord):
            self._flush_batch()
            self._ingest_plan(record)
            return
        if record.source_ref in self._pending:  # a feed repeating an entry: keep the order
            self._flush_batch()
        self._pending[record.source_ref] = record
        if len(self._pending) >= self.batch_size:
            self._flush_batch()

    def withdraw(self, withdrawal: Withdrawal) -> bool:
        """Mark the stored notice withdrawn, with its change row, for matching and the index
        (the commit that follows reindexes it); False when no notice of the source has the ref."""
        if withdrawal.source_ref in self._pending:  # that notice's own record goes in first
            self._flush_batch()
        opportunity = self.session.scalar(
            select(Opportunity).where(
                Opportunity.source_id == self.source_id,
                Opportunity.source_ref == withdrawal.source_ref,
            )
        )
        if opportunity is None:
            return False
        self.tally.fetched += 1
        if not _withdraws(withdrawal, opportunity):
            self.tally.unchanged += 1
            return True
        self.session.add(
            OpportunityChange(
                opportunity_id=opportunity.id,
                changed_at=self.now,
                kind=ChangeKind.STATUS_CHANGED,
                field="status",
                old_value=_text(opportunity.status),
                new_value=_text(OpportunityStatus.WITHDRAWN),
                scrape_run_id=self.run_id,
            )
        )
        opportunity.status = OpportunityStatus.WITHDRAWN
        opportunity.needs_matching = True
        opportunity.updated_at = self.now
        self.session.flush()
        self.tally.updated += 1
        return True

    def fail(self, item_ref: str | None, reason: str) -> None:
        self.tally.failed += 1
        self.session.add(
            ScrapeItemFailure(run_id=self.run_id, item_ref=_cut(item_ref, 300), reason=reason)
        )

    def finish(self) -> IngestTally:
        self._flush_batch()
        self.session.commit()
        search_hooks.flush_deferred(self.session)
        return self.tally

    def _flush_batch(self) -> None:
        records = list(self._pending.values())
        self._pending.clear()
        if not records:
            return
        buyers_before = self._known.buyers_now()
        try:
            with self.session.begin_nested():
                counts = self._store(records)
        except (DBAPIError, InvalidRecord, ValueError):
            self._known.forget_buyers_since(buyers_before)
            counts = self._store_one_by_one(records)
        self.tally.new += counts.new
        self.tally.updated += counts.updated
        self.tally.unchanged += counts.unchanged
        search_hooks.defer_indexing(self.session, INDEX_BATCH_SIZE)
        self.session.commit()

    def _store_one_by_one(self, records: list[OpportunityRecord]) -> IngestTally:
        counts = IngestTally()
        for record in records:
            buyers_before = self._known.buyers_now()
            try:
                with self.session.begin_nested():
                    _add_counts(counts, self._store([record]))
            except IntegrityError as error:
                self._known.forget_buyers_since(buyers_before)
                self._retry_as_update(record, error, counts)
            except (DBAPIError, InvalidRecord, ValueError) as error:
                self._known.forget_buyers_since(buyers_before)
                self.fail(record.source_ref, _reason(error))
        return counts

    def _retry_as_update(
        self, record: OpportunityRecord, error: IntegrityError, counts: IngestTally
    ) -> None:
        """Another writer inserted the same notice meanwhile: what we hold is an update."""
        if not self._existing([record.source_ref]):
            self.fail(record.source_ref, _reason(error))
            return
        try:
            with self.session.begin_nested():
                _add_counts(counts, self._store([record]))
        except (DBAPIError, InvalidRecord, ValueError) as retry_error:
            self.fail(record.source_ref, _reason(retry_error))

    def _existing(self, refs: list[str]) -> dict[str, tuple[int, str, bool]]:
        """ref -> (id, content hash, whether its documents are recorded)."""
        rows = self.session.execute(
            select(
                Opportunity.source_ref,
                Opportunity.id,
                Opportunity.content_hash,
                Opportunity.documents_recorded_at.is_not(None),
            ).where(Opportunity.source_id == self.source_id, Opportunity.source_ref.in_(refs))
        )
        return {ref: (row_id, digest, recorded) for ref, row_id, digest, recorded in rows}

    def _store(self, records: list[OpportunityRecord]) -> IngestTally:
        counts = IngestTally()
        existing = self._existing([r.source_ref for r in records])
        fresh, changed, unrecorded = [], [], []
        for record in records:
            digest = content_hash(record)
            if record.source_ref not in existing:
                fresh.append((record, digest))
            elif existing[record.source_ref][1] != digest:
                changed.append((existing[record.source_ref][0], record, digest))
            else:
                counts.unchanged += 1
                if not existing[record.source_ref][2]:
                    unrecorded.append(existing[record.source_ref][0])
        self._insert(fresh)
        self._stamp_documents_recorded(unrecorded)
        for opportunity_id, record, digest in changed:
            self._update(opportunity_id, record, digest)
        counts.new, counts.updated = len(fresh), len(changed)
        return counts

    def _insert(self, fresh: list[tuple[OpportunityRecord, str]]) -> None:
        if not fresh:
            return
        rows = [self._row(record, digest) for record, digest in fresh]
        awards = [_award_rows(record.awards) for record, _ in fresh]  # checked before writing
        documents = [_document_rows(record.documents) for record, _ in fresh]
        for row in rows:
            row.update(source_id=self.source_id, first_seen_at=self.now, updated_at=self.now)
            row.update(needs_matching=True, documents_recorded_at=self.now)
        ids = (
            self.session.connection()
            .execute(
                OPPORTUNITIES.insert().returning(OPPORTUNITIES.c.id, sort_by_parameter_order=True),
                rows,
            )
            .scalars()
            .all()
        )
        search_hooks.note_changes(self.session, opportunity_ids=ids)
        classifications = [
            {"opportunity_id": opportunity_id, **values}
            for opportunity_id, (record, _) in zip(ids, fresh, strict=True)
            for values in _classification_rows(record.classifications)
        ]
        _insert_classifications(self.session, classifications)
        _insert_awards(
            self.session,
            [
                {"opportunity_id": opportunity_id, **values}
                for opportunity_id, award_rows in zip(ids, awards, strict=True)
                for values in award_rows
            ],
        )
        _insert_documents(
            self.session,
            [
                {"opportunity_id": opportunity_id, **values}
                for opportunity_id, document_rows in zip(ids, documents, strict=True)
                for values in document_rows
            ],
        )
        to_link = [
            opportunity_id
            for opportunity_id, row in zip(ids, rows, strict=True)
            if self._may_have_plan(row)
        ]
        plan_linking.link_opportunity_ids(self.session, to_link)

    def _may_have_plan(self, row: dict) -> bool:
        published = row["published_at"]
        if row["buyer_id"] is None or published is None:
            return False
        year = published.astimezone(plan_linking.PLAN_TIMEZONE).year
        return (row["buyer_id"], year) in self._known.plan_keys

    def _update(self, opportunity_id: int, record: OpportunityRecord, digest: str) -> None:
        opportunity = self.session.get(Opportunity, opportunity_id)
        row = self._row(record, digest)
        changes = list(_changes(opportunity, row))
        new_classifications = _classification_rows(record.classifications)
        if _classification_keys(opportunity) != {
            (c["scheme"], c["code"], c["description"]) for c in new_classifications
        }:
            changes.append((ChangeKind.DETAILS_CHANGED, "classifications", None, None))
            self._replace_classifications(opportunity, new_classifications)
        old_awards, new_awards = _stored_award_rows(opportunity), _award_rows(record.awards)
        if old_awards != new_awards:
            old_text, new_text = awards_json(old_awards), awards_json(new_awards)
            if old_text != new_text:  # a corrected date or foreign id alone is not news
                changes.append((ChangeKind.DETAILS_CHANGED, "awards", old_text, new_text))
            self._replace_awards(opportunity, new_awards)
        changes.extend(self._update_documents(opportunity, record.documents))
        for name, value in row.items():
            setattr(opportunity, name, value)
        opportunity.needs_matching = True
        opportunity.updated_at = self.now
        for kind, field_name, old, new in changes:
            self.session.add(
                OpportunityChange(
                    opportunity_id=opportunity_id,
                    changed_at=self.now,
                    kind=kind,
                    field=field_name,
                    old_value=old,
                    new_value=new,
                    scrape_run_id=self.run_id,
                )
            )
        self.session.flush()
        if opportunity.plan_line_id is None and self._may_have_plan(row):
            # a later release may bring the classification or description a link needs
            plan_linking.link_opportunities(self.session, [opportunity])

    def _replace_classifications(self, opportunity: Opportunity, rows: list[dict]) -> None:
        """Delete, then insert, in SQL: the ORM would insert first and hit the unique key."""
        self.session.execute(
            delete(OpportunityClassification).where(
                OpportunityClassification.opportunity_id == opportunity.id
            )
        )
        _insert_classifications(
            self.session, [{"opportunity_id": opportunity.id, **row} for row in rows]
        )
        self.session.expire(opportunity, ["classifications"])

    def _replace_awards(self, opportunity: Opportunity, rows: list[dict]) -> None:
        """Delete, then insert, in SQL, as for classifications: positions are unique."""
        self.session.execute(
            delete(OpportunityAward).where(OpportunityAward.opportunity_id == opportunity.id)
        )
        _insert_awards(self.session, [{"opportunity_id": opportunity.id, **row} for row in rows])
        self.session.expire(opportunity, ["awards"])

    def _update_documents(
        self, opportunity: Opportunity, documents: tuple[DocumentRecord, ...]
    ) -> list[tuple]:
        """The stored list becomes the source's (on OCDS sources, what it adds joins the list);
        a `documents` change when it adds one. A notice stored before documents were kept
        takes its first list silently."""
        new_rows = _document_rows(documents)
        old = [_stored_document(document) for document in opportunity.documents]
        new = [_document_of(row) for row in new_rows]
        if self._documents_add_up:
            new = list(merged_documents(old, new))
            new_rows = _document_rows(new)
        change = documents_change(old, new) if opportunity.documents_recorded_at else None
        if old != new:
            self._replace_documents(opportunity, new_rows)
        opportunity.documents_recorded_at = opportunity.documents_recorded_at or self.now
        return [(ChangeKind.DETAILS_CHANGED, "documents", *change)] if change else []

    def _replace_documents(self, opportunity: Opportunity, rows: list[dict]) -> None:
        """Delete, then insert, in SQL, as for awards: positions are unique."""
        self.session.execute(
            delete(OpportunityDocument).where(OpportunityDocument.opportunity_id == opportunity.id)
        )
        _insert_documents(self.session, [{"opportunity_id": opportunity.id, **row} for row in rows])
        self.session.expire(opportunity, ["documents"])

    def _stamp_documents_recorded(self, opportunity_ids: list[int]) -> None:
        """Notices stored before documents were kept, seen again unchanged: their hash says the
        source lists no document now, so the next one listed is news. Nothing to re-index."""
        if not opportunity_ids:
            return
        self.session.connection().execute(
            update(OPPORTUNITIES)
            .where(OPPORTUNITIES.c.id.in_(opportunity_ids))
            .values(documents_recorded_at=self.now, updated_at=OPPORTUNITIES.c.updated_at)
        )
        search_hooks.note_changes(self.session)

    def _row(self, record: OpportunityRecord, digest: str) -> dict:
        if not record.source_ref.strip():
            raise InvalidRecord("registro sin identificador en la fuente")
        for name in ("published_at", "deadline_at"):
            value = getattr(record, name)
            if value is not None and value.tzinfo is None:
                raise InvalidRecord(f"{name} sin zona horaria: {value.isoformat()}")
        procedure_code = record.procedure_type_code
        procedure_text = record.procedure_text
        if procedure_code is not None and procedure_code not in self._known.procedure_codes:
            procedure_text = procedure_text or procedure_code
            procedure_code = None
        return {
            "source_ref": record.source_ref,
            "ocid": record.ocid,
            "buyer_id": self._buyer_id(record.buyer),
            "title": _cut(record.title, 1000) or record.source_ref,
            "description": excerpt(record.description, MAX_DESCRIPTION_CHARS),
            "object_type": record.object_type,
            "procedure_type_code": procedure_code,
            "procedure_text": _cut(procedure_text, 300),
            "region_code": self._region(record.region_code),
            "estimated_value": record.estimated_value,
            "currency": record.currency,
            "published_at": record.published_at,
            "deadline_at": record.deadline_at,
            "status": record.status,
            "url": record.url,
            "fields_from_text": list(record.fields_from_text) or None,
            "content_hash": digest,
            **deadline_columns(
                self._deadline_rules, procedure_code, record.published_at, record.deadline_at
            ),
        }

    def _region(self, code: str | None) -> str | None:
        return code if code in self._known.region_codes else None

    def _buyer_id(self, record: BuyerRecord | None) -> int | None:
        if record is None or not record.name.strip():
            return None
        if record in self._known.buyer_records:
            return self._known.buyer_records[record]
        ruc = record.ruc if record.ruc and is_valid_ruc(record.ruc) else None
        keys = _buyer_keys(record, ruc)
        for key in keys:
            if key in self._known.buyers:
                self._known.buyer_records[record] = self._known.buyers[key]
                return self._known.buyers[key]
        buyer = _find_buyer(self.session, record, ruc)
        if buyer is not None and _adopt_identifiers(buyer, record, ruc):
            self._known.buyers.pop(_name_key(record), None)  # the name now has an owner
        if buyer is None:
            buyer = Buyer(
                ruc=ruc,
                identifier_scheme=record.identifier_scheme if record.identifier else None,
                identifier=record.identifier if record.identifier_scheme else None,
                name=_cut(record.name, 300),
                government_level=_government_level(record.government_level),
                region_code=self._region(record.region_code),
                country=record.country,
                created_at=self.now,
            )
            self.session.add(buyer)
            self.session.flush()
        for key in keys:
            self._known.buyers[key] = buyer.id
        self._known.buyer_records[record] = buyer.id
        return buyer.id

    def _ingest_plan(self, record: PlanRecord) -> None:
        """A new plan version only when its lines differ from the newest stored version."""
        buyers_before = self._known.buyers_now()
        try:
            with self.session.begin_nested():
                stored = self._store_plan(record)
        except (DBAPIError, InvalidRecord, ValueError) as error:
            self._known.forget_buyers_since(buyers_before)
            self.fail(record.source_ref or f"PAC {record.fiscal_year}", _reason(error))
        else:
            if stored:
                self.tally.new += 1
            else:
                self.tally.unchanged += 1
        self.session.commit()

    def _store_plan(self, record: PlanRecord) -> bool:
        buyer_id = self._buyer_id(record.buyer)
        if buyer_id is None:
            raise InvalidRecord("plan sin entidad compradora")
        latest = self.session.scalar(
            select(AnnualPlan)
            .where(AnnualPlan.buyer_id == buyer_id, AnnualPlan.fiscal_year == record.fiscal_year)
            .order_by(AnnualPlan.version.desc())
            .limit(1)
        )
        lines = [self._plan_line(line) for line in record.lines]
        if latest is not None and _line_signature(latest.lines) == _line_signature(lines):
            return False
        plan = AnnualPlan(
            buyer_id=buyer_id,
            fiscal_year=record.fiscal_year,
            version=(latest.version + 1) if latest else 1,
            approving_instrument=record.approving_instrument,
            source_id=self.source_id,
            source_ref=_cut(record.source_ref, 300),
            published_at=self.now,
            lines=lines,
        )
        self.session.add(plan)
        self.session.flush()
        self._known.plan_keys.add((buyer_id, record.fiscal_year))
        plan_linking.link_plan(self.session, plan)
        return True

    def _plan_line(self, line: PlanLineRecord) -> PlanLine:
        procedure_code = line.procedure_type_code
        if procedure_code is not None and procedure_code not in self._known.procedure_codes:
            procedure_code = None
        return PlanLine(
            reference_number=line.reference_number,
            description=line.description,
            object_type=line.object_type,
            procedure_type_code=procedure_code,
            classification_code=line.classification_code,
            estimated_value=line.estimated_value,
            currency=line.currency,
            planned_month=line.planned_month,
            region_code=self._region(line.region_code),
            quantity=line.quantity,
            unit_of_measure=line.unit_of_measure,
            funding_source=line.funding_source,
            notes=line.notes,
        )


def _withdraws(withdrawal: Withdrawal, opportunity: Opportunity) -> bool:
    """Not again, nor when dated before the notice's publication: that tombstone deleted an
    earlier version, and the notice was published again since."""
    if opportunity.status == OpportunityStatus.WITHDRAWN:
        return False
    when, published = withdrawal.withdrawn_at, opportunity.published_at
    return when is None or published is None or when >= published


def _insert_classifications(session: Session, rows: list[dict]) -> None:
    """Core insert with RETURNING, so both drivers batch rows into few cached statements
    (psycopg's plain executemany sends them one at a time)."""
    if rows:
        session.connection().execute(CLASSIFICATIONS.insert().returning(CLASSIFICATIONS.c.id), rows)


def _insert_awards(session: Session, rows: list[dict]) -> None:
    if rows:
        session.connection().execute(AWARDS.insert().returning(AWARDS.c.id), rows)


def _insert_documents(session: Session, rows: list[dict]) -> None:
    if rows:
        session.connection().execute(DOCUMENTS.insert().returning(DOCUMENTS.c.id), rows)


def _document_rows(records: tuple[DocumentRecord, ...]) -> list[dict]:
    """Rows in the source's order, as the columns hold them (cut, http(s) links, UTC)."""
    rows = []
    for record in records:
        if record.published_at is not None and record.published_at.tzinfo is None:
            raise InvalidRecord(f"documento sin zona horaria: {record.published_at.isoformat()}")
        url = web_url(record.url)
        title = (record.title or "").strip() or url
        if not title:
            continue
        rows.append(
            {
                "position": len(rows),
                "title": title[:500],
                "url": url if url and len(url) <= 2000 else None,
                "document_type": _cut(record.document_type, 100),
                "source_document_id": _cut(record.source_document_id, 200),
                "published_at": record.published_at.astimezone(UTC)
                if record.published_at
                else None,
            }
        )
    return rows


def _document_of(row: dict) -> DocumentRecord:
    return DocumentRecord(**{name: value for name, value in row.items() if name != "position"})


def _stored_document(document: OpportunityDocument) -> DocumentRecord:
    return DocumentRecord(
        title=document.title,
        url=document.url,
        document_type=document.document_type,
        source_document_id=document.source_document_id,
        published_at=document.published_at,
    )


def _award_rows(records: tuple[AwardRecord, ...]) -> list[dict]:
    """Rows in the source's order, as the columns hold them (cut, cents, checked RUC)."""
    rows = []
    for position, record in enumerate(records):
        if record.awarded_at is not None and record.awarded_at.tzinfo is None:
            raise InvalidRecord(f"awarded_at sin zona horaria: {record.awarded_at.isoformat()}")
        name = (record.supplier_name or "").strip()
        if not name:
            raise InvalidRecord("adjudicación sin nombre del proveedor")
        ruc = record.supplier_ruc if is_valid_ruc(record.supplier_ruc or "") else None
        rows.append(
            {
                "position": position,
                "source_award_id": _cut(record.source_award_id, 200),
                "supplier_name": name[:500],
                "supplier_ruc": ruc,
                "supplier_identifier": _cut(record.supplier_identifier, 100),
                "amount": _award_amount(record.amount),
                "currency": (record.currency or "PEN")[:3].upper(),
                "awarded_at": record.awarded_at.astimezone(UTC) if record.awarded_at else None,
                "status": record.status if record.status in AWARD_STATUSES else "pending",
            }
        )
    return rows


def _award_amount(amount: Decimal | None) -> Decimal | None:
    """In cents, as stored, so a stored award compares equal to the record it came from; an
    amount the column cannot hold (negative, beyond 16 digits) is unknown."""
    if amount is None or not amount.is_finite() or not 0 <= amount < MAX_AWARD_AMOUNT:
        return None
    return amount.quantize(Decimal("0.01"))


def _stored_award_rows(opportunity: Opportunity) -> list[dict]:
    return [
        {"position": award.position} | {name: getattr(award, name) for name in AWARD_COLUMNS}
        for award in opportunity.awards
    ]


def _line_signature(lines) -> list[tuple]:
    columns = (
        "reference_number",
        "description",
        "object_type",
        "procedure_type_code",
        "classification_code",
        "currency",
        "planned_month",
        "region_code",
        "unit_of_measure",
        "funding_source",
        "notes",
    )
    amounts = ("estimated_value", "quantity")
    return sorted(
        tuple(getattr(line, name) for name in columns)
        + tuple(
            _json_value(getattr(line, n)) if getattr(line, n) is not None else None for n in amounts
        )
        for line in lines
    )


def _changes(opportunity: Opportunity, row: dict):
    """(kind, field, old, new) for every field the new sighting changes."""
    old_deadline, new_deadline = opportunity.deadline_at, row["deadline_at"]
    if old_deadline != new_deadline:
        if old_deadline is not None and new_deadline is not None:
            kind = (
                ChangeKind.DEADLINE_EXTENDED
                if new_deadline > old_deadline
                else ChangeKind.DEADLINE_SHORTENED
            )
        else:
            kind = ChangeKind.DETAILS_CHANGED
        yield kind, "deadline_at", _text(old_deadline), _text(new_deadline)
    if opportunity.status != row["status"]:
        yield ChangeKind.STATUS_CHANGED, "status", _text(opportunity.status), _text(row["status"])
    for name in ("estimated_value", "currency"):
        old, new = getattr(opportunity, name), row[name]
        if _text(old) != _text(new):
            yield ChangeKind.VALUE_CHANGED, name, _text(old), _text(new)
    for name in DETAIL_FIELDS:
        old, new = getattr(opportunity, name), row[name]
        if _text(old) != _text(new):
            yield ChangeKind.DETAILS_CHANGED, name, _text(old), _text(new)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | Decimal):
        return _json_value(value)
    return str(value)


def _classification_rows(records: tuple[ClassificationRecord, ...]) -> list[dict]:
    """One row per (scheme, code): sources sometimes list the same code on several items."""
    rows: dict[tuple[str, str], dict] = {}
    for record in records:
        scheme = record.scheme if record.scheme in SCHEMES else "OTHER"
        code = record.code.strip()[:40]
        if code and (scheme, code) not in rows:
            rows[(scheme, code)] = {
                "scheme": scheme,
                "code": code,
                "description": _cut(record.description, 500),
            }
    return list(rows.values())


def _classification_keys(opportunity: Opportunity) -> set[tuple]:
    return {(c.scheme, c.code, c.description) for c in opportunity.classifications}


def _buyer_keys(record: BuyerRecord, ruc: str | None) -> list[tuple]:
    """The cache keys of a buyer: its identifiers, or its name only when it carries none (two
    "Junta de Gobierno Local" with different identifiers must not meet on their name)."""
    keys: list[tuple] = []
    if ruc:
        keys.append(("ruc", ruc))
    if _has_identifier(record):
        keys.append(("id", record.identifier_scheme, record.identifier))
    return keys or [_name_key(record)]


def _name_key(record: BuyerRecord) -> tuple:
    return ("name", _cut(record.name, 300), record.country)


def _find_buyer(session: Session, record: BuyerRecord, ruc: str | None) -> Buyer | None:
    """By RUC, else by scheme and identifier, else by exact name and country: a record with an
    identifier takes by name only a buyer that has none, one without takes the buyer of that
    name with none, else the only buyer of that name."""
    if ruc:
        found = session.scalar(select(Buyer).where(Buyer.ruc == ruc))
        if found:
            return found
    if _has_identifier(record):
        found = session.scalar(
            select(Buyer).where(
                Buyer.identifier_scheme == record.identifier_scheme,
                Buyer.identifier == record.identifier,
            )
        )
        if found:
            return found
    namesakes = session.scalars(
        select(Buyer)
        .where(Buyer.name == _cut(record.name, 300), Buyer.country == record.country)
        .order_by(_identified_column(), Buyer.id)
        .limit(2)
    ).all()
    if namesakes and not _identified(namesakes[0]):
        return namesakes[0]
    identified_record = bool(ruc) or _has_identifier(record)
    return namesakes[0] if len(namesakes) == 1 and not identified_record else None


def _has_identifier(record: BuyerRecord) -> bool:
    return bool(record.identifier_scheme and record.identifier)


def _identified(buyer: Buyer) -> bool:
    return bool(buyer.ruc or (buyer.identifier_scheme and buyer.identifier))


def _identified_column():
    """1 for a buyer with a RUC or an identifier, 0 without: those without sort first."""
    has_one = Buyer.ruc.is_not(None) | (
        Buyer.identifier_scheme.is_not(None) & Buyer.identifier.is_not(None)
    )
    return case((has_one, 1), else_=0)


def _adopt_identifiers(buyer: Buyer, record: BuyerRecord, ruc: str | None) -> bool:
    """A buyer found by name that had no identifier takes the record's, so the next entity of
    that name with another identifier is told apart instead of merged into it."""
    if _identified(buyer) or not (ruc or _has_identifier(record)):
        return False
    buyer.ruc = ruc
    if _has_identifier(record):
        buyer.identifier_scheme = record.identifier_scheme
        buyer.identifier = record.identifier
    return True


def _government_level(value: str | None) -> GovernmentLevel:
    try:
        return GovernmentLevel(value) if value else GovernmentLevel.UNKNOWN
    except ValueError:
        return GovernmentLevel.UNKNOWN


def _add_counts(total: IngestTally, part: IngestTally) -> None:
    total.new += part.new
    total.updated += part.updated
    total.unchanged += part.unchanged


def _reason(error: Exception) -> str:
    """The first line of a database error is the useful part; the SQL that follows is noise."""
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(error).__name__])[0][:1000]


def _cut(text: str | None, length: int) -> str | None:
    return text[:length] if text else text
