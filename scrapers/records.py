"""What parsers hand to ingest: plain frozen records, free of database and HTTP concerns.

A parser is `parse(stream, context) -> Iterator[ParsedItem]`: it yields records for good items,
`ItemError` for a malformed item (skipped with its reason, the batch goes on), `ParseWarning`
for things an operator should see on the run, `NextPage` where a listing continues and
`Withdrawal` where the publisher took a notice down. It raises `ParseError` only when the
payload as a whole is unusable.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO, Protocol
from zoneinfo import ZoneInfo

from portal.opportunities.enums import ObjectType, OpportunityStatus


class ParseError(Exception):
    """The pipeline's own error: the payload cannot be read at all, and the run fails.

    A failing run leaves the database as it was before the transaction it broke: the raw payload
    (kept for `reparse`) and the batches committed before stand, and the run's counts say so.
    """


@dataclass(frozen=True)
class ParseContext:
    """What a parser may know about its source: zone for naive dates, currency, selectors."""

    source_key: str
    timezone: ZoneInfo = ZoneInfo("America/Lima")
    default_currency: str = "PEN"
    base_url: str | None = None
    config: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BuyerRecord:
    name: str
    ruc: str | None = None
    identifier_scheme: str | None = None
    identifier: str | None = None
    government_level: str | None = None
    region_code: str | None = None
    country: str = "PE"


@dataclass(frozen=True)
class ClassificationRecord:
    scheme: str  # UNSPSC, CUBSO, CPV or OTHER
    code: str
    description: str | None = None


@dataclass(frozen=True)
class AwardRecord:
    """One award as published: the winner, and the amount when the source gives it."""

    supplier_name: str
    supplier_ruc: str | None = None  # kept only when its check digit holds
    supplier_identifier: str | None = None  # the source's id for the supplier, any scheme
    amount: Decimal | None = None
    currency: str = "PEN"
    awarded_at: datetime | None = None
    status: str = "active"  # OCDS award status: pending, active, cancelled, unsuccessful
    source_award_id: str | None = None


@dataclass(frozen=True)
class DocumentRecord:
    """A document of the call as the source lists it (bases, specifications, amendments)."""

    title: str
    url: str | None = None  # http(s) only
    document_type: str | None = None  # OCDS documentType, or CODICE's kind in those words
    source_document_id: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class OpportunityRecord:
    """One notice as the source states it; times aware (UTC or with zone), text normalised."""

    source_ref: str
    title: str
    description: str = ""
    buyer: BuyerRecord | None = None
    object_type: ObjectType | None = None
    procedure_type_code: str | None = None
    procedure_text: str | None = None
    classifications: tuple[ClassificationRecord, ...] = ()
    region_code: str | None = None
    estimated_value: Decimal | None = None
    currency: str = "PEN"
    published_at: datetime | None = None
    deadline_at: datetime | None = None
    status: OpportunityStatus = OpportunityStatus.OPEN
    url: str | None = None
    ocid: str | None = None
    awards: tuple[AwardRecord, ...] = ()
    # Not stored yet (no table holds them): what a "documents added" change will compare.
    documents: tuple[DocumentRecord, ...] = ()
    # Names of the fields above read from free text (see scrapers.text_facts), not from
    # structured data; stored as `opportunities.fields_from_text`.
    fields_from_text: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)  # a plan holds up to 50,000 of them
class PlanLineRecord:
    reference_number: str
    description: str
    object_type: ObjectType
    planned_month: int
    procedure_type_code: str | None = None
    classification_code: str | None = None
    estimated_value: Decimal | None = None
    currency: str = "PEN"
    region_code: str | None = None
    quantity: Decimal | None = None
    unit_of_measure: str | None = None
    funding_source: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class PlanRecord:
    """A whole annual plan (PAC) as published: stored as one new version, all or nothing."""

    buyer: BuyerRecord
    fiscal_year: int
    lines: tuple[PlanLineRecord, ...]
    source_ref: str | None = None
    approving_instrument: str | None = None


@dataclass(frozen=True)
class ItemError:
    item_ref: str | None
    reason: str


@dataclass(frozen=True)
class ParseWarning:
    message: str


@dataclass(frozen=True)
class NextPage:
    url: str


@dataclass(frozen=True)
class Withdrawal:
    """The publisher took down the notice it published as `source_ref` (an Atom deletion
    tombstone, RFC 6721): ingest marks the stored notice withdrawn; an unknown one is ignored."""

    source_ref: str
    withdrawn_at: datetime | None = None


ParsedItem = OpportunityRecord | PlanRecord | ItemError | ParseWarning | NextPage | Withdrawal


class Parser(Protocol):
    def __call__(self, stream: BinaryIO, context: ParseContext) -> Iterator[ParsedItem]: ...
