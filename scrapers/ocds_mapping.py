"""One OCDS release to one OpportunityRecord: the field-by-field reading of the standard.

Publishers fill OCDS unevenly (1.0 and 1.1, buyer or procuringEntity, CUBSO or catalogue ids
with suffixes), so every reader here tolerates missing or mistyped fields.
"""

import re
from decimal import Decimal, InvalidOperation

from portal.opportunities.enums import ObjectType, OpportunityStatus
from portal.web_urls import web_url
from scrapers import ocds_documents, peru
from scrapers.countries import country_code
from scrapers.dates import to_utc
from scrapers.records import (
    BuyerRecord,
    ClassificationRecord,
    ItemError,
    OpportunityRecord,
    ParseContext,
)
from scrapers.text import clean_text, fold, is_digits, parse_amount

_CATEGORIES = {
    "goods": ObjectType.GOODS,
    "services": ObjectType.SERVICES,
    "works": ObjectType.WORKS,
    "consultingservices": ObjectType.CONSULTING,
}
# Publishers whose ocid prefix says the country when the addresses do not (OCDS prefix register).
_OCID_COUNTRIES = {
    "ocds-k50g02": "CO",
    "ocds-03ad3f": "PY",
    "ocds-07smqs": "MX",
    "ocds-87sd3t": "MX",
}
_CATALOGUE_ID = re.compile(r"^(\d{8})(?:-\d+)?$")


def is_planning_only(release: dict) -> bool:
    tags = _tags(release)
    return (
        not _dict(release.get("tender")) and bool(tags) and tags <= {"planning", "planningUpdate"}
    )


def opportunity(release: dict, context: ParseContext) -> OpportunityRecord | ItemError:
    ocid = release["ocid"].strip()
    tender = _dict(release.get("tender"))
    buyer = _buyer(release, context)
    if not tender and buyer is None:
        return ItemError(ocid, f"release without tender nor buyer (tags: {sorted(_tags(release))})")
    budget = _dict(_dict(release.get("planning")).get("budget"))
    title = clean_text(_str(tender.get("title"))) or clean_text(_str(tender.get("description")))
    title = title or clean_text(_str(budget.get("description")))
    if not title:
        return ItemError(ocid, "release without a title or description")
    value = _dict(tender.get("value")) or _dict(budget.get("amount"))
    peruvian = buyer is None or buyer.country == "PE"
    return OpportunityRecord(
        source_ref=ocid[:200],
        ocid=ocid[:200],
        title=title[:1000],
        description=_description(tender, budget, title),
        buyer=buyer,
        object_type=_CATEGORIES.get(fold(_str(tender.get("mainProcurementCategory")))),
        procedure_text=_procedure_text(tender),
        procedure_type_code=_procedure_code(tender) if peruvian else None,
        classifications=_classifications(tender),
        region_code=buyer.region_code if buyer else None,
        estimated_value=amount(value.get("amount")),
        currency=(_str(value.get("currency")) or context.default_currency)[:3].upper(),
        published_at=_published(release, tender, context),
        deadline_at=to_utc(_dict(tender.get("tenderPeriod")).get("endDate"), context.timezone),
        status=status_signal(release) or OpportunityStatus.OPEN,
        url=_url(release, tender),
        documents=ocds_documents.documents(tender, context.timezone),
    )


def status_signal(release: dict) -> OpportunityStatus | None:
    """What the release says of the process's state; a cancelled award never looks open, and a
    planned tender (OCDS `planned`, 1.0's `planning`) is a forecast, not an open call."""
    tender_status = _str(_dict(release.get("tender")).get("status"))
    awards = [award for award in _list(release.get("awards")) if isinstance(award, dict)]
    if "awardCancellation" in _tags(release) or tender_status == "cancelled":
        return OpportunityStatus.CANCELLED
    if tender_status == "withdrawn":
        return OpportunityStatus.WITHDRAWN
    if tender_status == "unsuccessful":
        return OpportunityStatus.DESERTED
    if any(award.get("status") == "active" for award in awards):
        return OpportunityStatus.AWARDED
    if tender_status == "complete":
        return OpportunityStatus.CLOSED
    if tender_status in ("planning", "planned"):
        return OpportunityStatus.PLANNED
    if tender_status == "active":
        return OpportunityStatus.OPEN
    return None


def amount(value: object) -> Decimal | None:
    """A non-negative amount; 0 counts as unknown (Peru publishes 0 until the award)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(value) if isinstance(value, int | Decimal) else parse_amount(str(value))
    except (InvalidOperation, ValueError):
        return None
    if number is None or not number.is_finite() or number <= 0:
        return None
    return number


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _tags(release: dict) -> set[str]:
    tags = release.get("tag")
    return {tag for tag in tags if isinstance(tag, str)} if isinstance(tags, list) else set()


def _description(tender: dict, budget: dict, title: str) -> str:
    for candidate in (tender.get("description"), budget.get("description")):
        text = clean_text(candidate if isinstance(candidate, str) else None)
        if text and text != title:
            return text
    return ""


def _procedure_text(tender: dict) -> str | None:
    details = clean_text(_str(tender.get("procurementMethodDetails")))
    return (details or clean_text(_str(tender.get("procurementMethod"))))[:300] or None


def _procedure_code(tender: dict) -> str | None:
    return (
        peru.procedure_from_text(_str(tender.get("procurementMethodDetails")))
        or peru.procedure_from_nomenclatura(_str(tender.get("id")))
        or peru.procedure_from_nomenclatura(_str(tender.get("title")))
    )


def _published(release: dict, tender: dict, context: ParseContext):
    for candidate in (
        tender.get("datePublished"),
        _dict(tender.get("tenderPeriod")).get("startDate"),
        release.get("date"),
    ):
        moment = to_utc(candidate, context.timezone) if isinstance(candidate, str) else None
        if moment is not None:
            return moment
    return None


def _url(release: dict, tender: dict) -> str | None:
    documents = [doc for doc in _list(tender.get("documents")) if isinstance(doc, dict)]
    return stated_url(release) or _first_link(
        *(doc.get("url") for doc in documents), release.get("uri")
    )


def stated_url(release: dict) -> str | None:
    """The link the release gives the call itself (its notice, else tender.url); without
    one, the call is reached through its first document."""
    tender = _dict(release.get("tender"))
    documents = [doc for doc in _list(tender.get("documents")) if isinstance(doc, dict)]
    notices = [doc for doc in documents if doc.get("documentType") == "tenderNotice"]
    return _first_link(*(doc.get("url") for doc in notices), tender.get("url"))


def _first_link(*candidates: object) -> str | None:
    for candidate in candidates:
        link = web_url(candidate) if isinstance(candidate, str) else None
        if link is not None:
            return link[:2000]
    return None


def _buyer(release: dict, context: ParseContext) -> BuyerRecord | None:
    organisation = _buyer_organisation(release)
    identifier = _dict(organisation.get("identifier"))
    name = clean_text(_str(organisation.get("name")) or _str(identifier.get("legalName")))
    if not name:
        return None
    scheme = _str(identifier.get("scheme")) or None
    identifier_id = str(identifier.get("id") or "").strip() or None
    address = _dict(organisation.get("address"))
    country = _country(address, release, context)
    region = _str(address.get("region")) or _str(address.get("department"))
    return BuyerRecord(
        name=name[:300],
        ruc=peru.ruc_or_none(identifier_id) if scheme in (None, "PE-RUC") else None,
        identifier_scheme=scheme,
        identifier=identifier_id,
        region_code=peru.department_code(region) if country == "PE" else None,
        country=country,
    )


def _buyer_organisation(release: dict) -> dict:
    """`buyer` (1.0 inline or 1.1 reference to a party), else the buyer or procuring party."""
    parties = [party for party in _list(release.get("parties")) if isinstance(party, dict)]
    by_id = {str(party.get("id")): party for party in parties if party.get("id") is not None}
    reference = _dict(release.get("buyer"))
    if reference:
        return by_id.get(str(reference.get("id")), reference) | _without_empty(reference)
    for role in ("buyer", "procuringEntity"):
        for party in parties:
            if role in _list(party.get("roles")):
                return party
    procuring = _dict(_dict(release.get("tender")).get("procuringEntity"))
    return by_id.get(str(procuring.get("id")), procuring) if procuring else {}


def _without_empty(organisation: dict) -> dict:
    return {key: value for key, value in organisation.items() if value}


def _country(address: dict, release: dict, context: ParseContext) -> str:
    """The address's country in any language or as an ISO code, else the source's configured
    country, else the one its ocid prefix belongs to, else Peru."""
    for written in (address.get("countryName"), address.get("country")):
        code = country_code(written) if isinstance(written, str) else None
        if code:
            return code
    configured = context.config.get("country")
    code = country_code(configured) if isinstance(configured, str) else None
    prefix = release["ocid"].strip().lower()[:11]
    return code or _OCID_COUNTRIES.get(prefix, "PE")


def _classifications(tender: dict) -> tuple[ClassificationRecord, ...]:
    found: list[ClassificationRecord] = []
    for item in _list(tender.get("items")):
        if not isinstance(item, dict):
            continue
        listed = [item.get("classification"), *(_list(item.get("additionalClassifications")))]
        for classification in listed:
            if isinstance(classification, dict):
                found.extend(_classification(_with_item_code(classification, item)))
    return tuple(dict.fromkeys(found))


def _with_item_code(classification: dict, item: dict) -> dict:
    """Colombia's SECOP I leaves the UNSPSC id empty and puts the 8-digit code in the item id."""
    item_id = str(item.get("id") or "")
    if classification.get("id") or "UNSPSC" not in _str(classification.get("scheme")).upper():
        return classification
    return (
        classification | {"id": item_id}
        if len(item_id) == 8 and is_digits(item_id)
        else classification
    )


def _classification(classification: dict) -> list[ClassificationRecord]:
    """UNSPSC, CUBSO (16 digits, the first 8 UNSPSC), CPV, or a catalogue id on UNSPSC."""
    scheme = fold(_str(classification.get("scheme"))).upper()
    code = str(classification.get("id") or "").strip()
    if not code:
        return []
    description = clean_text(_str(classification.get("description"))) or None
    digits = code.replace("-", "")
    if ("CUBSO" in scheme or not scheme) and len(digits) == 16 and is_digits(digits):
        return [ClassificationRecord("CUBSO", digits, description), _unspsc(digits[:8])]
    if "CPV" in scheme:
        return [ClassificationRecord("CPV", code.split("-")[0], description)]
    catalogue = _CATALOGUE_ID.match(code)
    if catalogue and ("UNSPSC" in scheme or "CATALOGO" in scheme or not scheme):
        return [ClassificationRecord("UNSPSC", catalogue[1], description)]
    return [ClassificationRecord("OTHER", code[:40], description)]


def _unspsc(code: str) -> ClassificationRecord:
    return ClassificationRecord("UNSPSC", code)
