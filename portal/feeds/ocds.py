"""A search's opportunities as an OCDS 1.1 release package (tag `tender`, and `award` for a
process with awards), for data users."""

from datetime import datetime

from portal.api.serializers import iso_utc
from portal.feeds.text import xml_safe_tree
from portal.opportunities.awards import Winner, awards_of
from portal.opportunities.models import Opportunity, OpportunityStatus

OCID_PREFIX = "ocds-compras-mype-"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PUBLICATION_POLICY = "https://github.com/compras-mype/portal#datos"

# Our statuses onto the OCDS tender status codelist.
TENDER_STATUS = {
    OpportunityStatus.OPEN: "active",
    OpportunityStatus.CLOSED: "complete",
    OpportunityStatus.AWARDED: "complete",
    OpportunityStatus.CANCELLED: "cancelled",
    OpportunityStatus.DESERTED: "unsuccessful",
    OpportunityStatus.PLANNED: "planned",
    OpportunityStatus.SUSPENDED: "active",  # the codelist has no pause; the call stands
    OpportunityStatus.WITHDRAWN: "withdrawn",
}

OBJECT_CATEGORY = {"goods": "goods", "services": "services", "works": "works"}


def ocid_of(opportunity: Opportunity) -> str:
    return opportunity.ocid or f"{OCID_PREFIX}{opportunity.id}"


def _buyer(opportunity: Opportunity) -> dict | None:
    buyer = opportunity.buyer
    if buyer is None:
        return None
    identifier = (
        {"scheme": "PE-RUC", "id": buyer.ruc}
        if buyer.ruc
        else {"scheme": buyer.identifier_scheme, "id": buyer.identifier}
    )
    return {"id": f"buyer-{buyer.id}", "name": buyer.name, "identifier": identifier}


def _tender(opportunity: Opportunity) -> dict:
    tender = {
        "id": opportunity.source_ref,
        "title": opportunity.title,
        "description": opportunity.description or None,
        "status": TENDER_STATUS[OpportunityStatus(opportunity.status)],
        "procurementMethodDetails": (
            opportunity.procedure_type.name_es
            if opportunity.procedure_type
            else opportunity.procedure_text
        ),
        "tenderPeriod": {
            key: value
            for key, value in (
                ("startDate", iso_utc(opportunity.published_at)),
                ("endDate", iso_utc(opportunity.deadline_at)),
            )
            if value
        },
        "items": [
            {
                "id": str(index),
                "classification": {
                    "scheme": item.scheme,
                    "id": item.code,
                    **({"description": item.description} if item.description else {}),
                },
            }
            for index, item in enumerate(opportunity.classifications, start=1)
        ],
    }
    if opportunity.estimated_value is not None:
        tender["value"] = {
            "amount": float(opportunity.estimated_value),
            "currency": opportunity.currency,
        }
    category = OBJECT_CATEGORY.get(opportunity.object_type.value if opportunity.object_type else "")
    if category:
        tender["mainProcurementCategory"] = category
    return {key: value for key, value in tender.items() if value not in (None, "", [], {})}


def _supplier_party(winner: Winner, number: int) -> dict:
    if winner.ruc:
        identifier = {"scheme": "PE-RUC", "id": winner.ruc, "legalName": winner.name}
        return {"id": f"PE-RUC-{winner.ruc}", "name": winner.name, "identifier": identifier}
    party = {"id": f"supplier-{number}", "name": winner.name}
    return party | ({"identifier": {"id": winner.identifier}} if winner.identifier else {})


def _awards(opportunity: Opportunity) -> tuple[list[dict], list[dict]]:
    """awards[] and the supplier parties they name; award ids unique within the release."""
    awards, parties, ids = [], {}, set()
    for number, award in enumerate(awards_of(opportunity.awards), start=1):
        suppliers = []
        for winner in award.winners:
            key = (winner.ruc, winner.name, winner.identifier)
            party = parties.get(key) or _supplier_party(winner, len(parties) + 1)
            parties[key] = party
            suppliers.append({"id": party["id"], "name": party["name"]})
        award_id = award.source_award_id or str(number)
        award_id = award_id if award_id not in ids else f"{award_id}-{number}"
        ids.add(award_id)
        data = {"id": award_id, "status": award.status, "suppliers": suppliers}
        if award.awarded_at is not None:
            data["date"] = iso_utc(award.awarded_at)
        if award.amount is not None:
            data["value"] = {"amount": float(award.amount), "currency": award.currency}
        awards.append(data)
    return awards, [party | {"roles": ["supplier"]} for party in parties.values()]


def release(opportunity: Opportunity, detail_url: str) -> dict:
    buyer = _buyer(opportunity)
    awards, suppliers = _awards(opportunity)
    data = {
        "ocid": ocid_of(opportunity),
        "id": f"{ocid_of(opportunity)}-{opportunity.updated_at:%Y%m%dT%H%M%S}",
        "date": iso_utc(opportunity.updated_at),
        "tag": ["tender", "award"] if awards else ["tender"],
        "initiationType": "tender",
        "language": "es",
        "tender": _tender(opportunity),
        "parties": [*([buyer | {"roles": ["buyer"]}] if buyer else []), *suppliers],
    }
    if awards:
        data["awards"] = awards
    if buyer:
        data["buyer"] = {"id": buyer["id"], "name": buyer["name"]}
    if opportunity.url or detail_url:
        data["tender"]["documents"] = [
            {"id": "notice", "documentType": "tenderNotice", "url": opportunity.url or detail_url}
        ]
    return data


def release_package(
    opportunities: list[Opportunity], package_url: str, detail_url_of, now: datetime
) -> dict:
    """Estimated values become JSON numbers here, as the OCDS schema requires for amounts;
    control characters are dropped, as in the XML feeds, so every format carries the same text."""
    package = {
        "uri": package_url,
        "version": "1.1",
        "publishedDate": iso_utc(now),
        "publisher": {"name": "Compras MYPE"},
        "license": LICENSE,
        "publicationPolicy": PUBLICATION_POLICY,
        "releases": [release(item, detail_url_of(item)) for item in opportunities],
    }
    return xml_safe_tree(package)
