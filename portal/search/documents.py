"""Database rows turned into index documents: the only place that knows both shapes."""

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from portal.buyers.models import Buyer
from portal.deadlines.checks import deadline_check
from portal.opportunities.models import (
    SECTOR_SCHEMES,
    Opportunity,
    OpportunityClassification,
    OpportunityStatus,
    sector_codes_of,
)
from portal.plans.models import AnnualPlan, PlanLine
from portal.reference import DATA_DIR
from portal.search.schema import (
    BODY_INDEXED_CHARS,
    SCHEMA_VERSION,
    SNIPPET_SOURCE_CHARS,
    code_key,
)
from portal.search.store import PLANNED
from scrapers.peru import NOMENCLATURA_IN_TEXT

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


@dataclass(frozen=True)
class BuyerFacts:
    """What a document says of its buyer, searched by name, acronym, RUC or identifier."""

    name: str = ""
    acronym: str | None = None
    ruc: str | None = None
    identifier: str | None = None
    region_code: str | None = None

    def words(self) -> str:
        """Name, acronym, RUC and the source's identifier (a RUC most of the time)."""
        parts = (self.name, self.acronym, self.ruc, self.identifier)
        return " ".join(dict.fromkeys(part for part in parts if part))

    def keys(self) -> list[str]:
        """Exact keys: the RUC, identifier and acronym as a whole."""
        return [code_key(part) for part in (self.ruc, self.identifier, self.acronym) if part]


@cache
def department_names() -> dict[str, str]:
    """UBIGEO code -> department name, from the reference file the portal ships."""
    with open(DATA_DIR / "departments.csv", encoding="utf-8-sig", newline="") as handle:
        return {row["ubigeo_code"]: row["name"] for row in csv.DictReader(handle)}


def place_names(*region_codes: str | None) -> list[str]:
    """The departments a document is in (its own region and its buyer's), named."""
    names = department_names()
    return list(dict.fromkeys(names[code] for code in region_codes if code in names))


def is_code(value: str | None) -> bool:
    """A code a person could type to find one notice: digits in it, and letters too or at
    least five characters (a plan's line "12" names a line in every plan). Links are left out:
    their words ("https", "convocatorias") would match every notice of a feed."""
    if not value or "://" in value or len(value) > 200:
        return False
    key = code_key(value)
    has_digit = any(character.isdigit() for character in key)
    has_letter = any(character.isalpha() for character in key)
    return has_digit and (has_letter or len(key) >= 5)


def codes_in(text: str) -> list[str]:
    """Process codes (nomenclaturas) written in a text, as published. The pattern takes a
    word before the code too ("CP SER-SM-1-2026-MDCC-1", but also "del AS-SM-2-2026-MVES-1"
    in prose): the code without it is given as well."""
    found = []
    for match in NOMENCLATURA_IN_TEXT.finditer(text):
        code = match.group().rstrip(".")
        found.append(code)
        if " " in code:
            found.append(code.split(" ", 1)[1])
    return found


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
    buyer: BuyerFacts | None = None,
    places: Iterable[str] = (),
    codes: Iterable[str | None] = (),
) -> dict:
    """One index document; the benchmark builds its synthetic corpus through this too.

    `codes` are the identifiers a page shows (nomenclature, OCDS id, reference): their words
    are searched like any word and each is an exact key too, as are the nomenclaturas the
    title and description mention and the buyer's RUC, identifier and acronym; an exact key
    ranks its documents first (portal.search.query).
    """
    body = _deduplicated(description)
    buyer = buyer or BuyerFacts()
    places = list(places)
    codes = [code for code in dict.fromkeys(codes) if is_code(code)]
    keys = [code_key(code) for code in (*codes, *codes_in(title), *codes_in(body))]
    keys = [key for key in dict.fromkeys([*keys, *buyer.keys()]) if key]
    entity = buyer.words()
    return {
        "doc_key": doc_key(kind, db_id),
        "title": title,
        "body": body,
        "entity": entity,
        "place": " ".join(places),
        "refs": " ".join(codes),
        "codes": " ".join(keys),
        "words": " ".join((title, buyer.name, buyer.acronym or "", *places)),
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
        "version": SCHEMA_VERSION,
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
    Opportunity.source_ref,
    Opportunity.ocid,
    Opportunity.procedure_text,
    Buyer.name.label("buyer_name"),
    Buyer.acronym.label("buyer_acronym"),
    Buyer.ruc.label("buyer_ruc"),
    Buyer.identifier.label("buyer_identifier"),
    Buyer.region_code.label("buyer_region_code"),
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
        buyer=BuyerFacts(
            row.buyer_name or "",
            row.buyer_acronym,
            row.buyer_ruc,
            row.buyer_identifier,
            row.buyer_region_code,
        ),
        places=place_names(row.region_code, row.buyer_region_code),
        codes=(row.source_ref, row.ocid, *codes_in(row.procedure_text or "")),
    )


def plan_line_document(line: PlanLine) -> dict:
    notes = " ".join(part for part in (line.classification_code, line.notes) if part)
    buyer = line.plan.buyer
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
        buyer=BuyerFacts(buyer.name, buyer.acronym, buyer.ruc, buyer.identifier, buyer.region_code),
        places=place_names(line.region_code, buyer.region_code),
        codes=(line.reference_number,),
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
        rows = session.execute(
            select(*OPPORTUNITY_COLUMNS)
            .outerjoin(Buyer, Buyer.id == Opportunity.buyer_id)
            .where(Opportunity.id.in_(chunk))
        )
        for row in rows:
            yield opportunity_document(row, sectors.get(row.id, set()))


def plan_line_documents(session: Session, ids: Iterable[int]) -> Iterator[dict]:
    ids = list(ids)
    for start in range(0, len(ids), 500):
        query = (
            select(PlanLine)
            .where(PlanLine.id.in_(ids[start : start + 500]))
            .where(PlanLine.plan_id.in_(latest_plan_ids(session)))
            .options(joinedload(PlanLine.plan).joinedload(AnnualPlan.buyer))
        )
        for line in session.scalars(query):
            yield plan_line_document(line)
