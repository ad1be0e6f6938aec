"""A search's opportunities as an OCDS 1.1 release package, for data users.

Each release is the notice as it stands now, tagged by what it holds: `planning` for a
forecast, `tenderCancellation` for a cancelled call, `award` for an awarded one with its
awards, `tender` otherwise. Ids are stable across rebuilds (portal.feeds.ocds_ids). The
call's minimum time to bid and the short-deadline flag are `tender.minimumTenderPeriod`, an
extension of the portal's own (portal.feeds.ocds_deadline). `tender.documents` holds the
notice's link and the documents the source lists (bases, clarifications, amendments).
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from portal.api.serializers import iso_utc
from portal.feeds.ocds_deadline import FIELD as MINIMUM_FIELD
from portal.feeds.ocds_deadline import minimum_tender_period
from portal.feeds.ocds_ids import buyer_party, ocid_of
from portal.feeds.text import xml_safe_tree
from portal.opportunities.awards import Winner, awards_of
from portal.opportunities.models import (
    Opportunity,
    OpportunityClassification,
    OpportunityDocument,
    OpportunityStatus,
)
from portal.web_urls import web_url

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PUBLICATION_POLICY = "https://github.com/compras-mype/portal#datos"

# Our statuses onto the closed OCDS tenderStatus codelist. A closed call has its bids in and
# nothing decided: the tender process is still under way (`active`, its tenderPeriod.endDate
# in the past says bidding is over); only an award completes it.
TENDER_STATUS = {
    OpportunityStatus.OPEN: "active",
    OpportunityStatus.CLOSED: "active",
    OpportunityStatus.AWARDED: "complete",
    OpportunityStatus.CANCELLED: "cancelled",
    OpportunityStatus.DESERTED: "unsuccessful",
    OpportunityStatus.PLANNED: "planned",
    OpportunityStatus.SUSPENDED: "active",  # the codelist has no pause; the call stands
    OpportunityStatus.WITHDRAWN: "withdrawn",
}

OBJECT_CATEGORY = {"goods": "goods", "services": "services", "works": "works"}
STATUS_TAG = {
    OpportunityStatus.PLANNED: "planning",
    OpportunityStatus.CANCELLED: "tenderCancellation",
}


def release_tags(status: OpportunityStatus, has_awards: bool) -> list[str]:
    """An awarded call with its awards is an `award` release; awards beside another status
    (a cancelled award, say) add `award` to that status's tag."""
    if has_awards and status == OpportunityStatus.AWARDED:
        return ["award"]
    tag = STATUS_TAG.get(status, "tender")
    return [tag, "award"] if has_awards else [tag]


def tender_items(classifications: list[OpportunityClassification]) -> list[dict]:
    """One item per code the source gave, its description kept; the UNSPSC code that ingest
    read off a CUBSO code (its first 8 digits) goes with the CUBSO item as an additional
    classification rather than as an item of its own."""
    read_off_cubso = {item.code[:8] for item in classifications if item.scheme == "CUBSO"}
    items: list[dict] = []
    for item in classifications:
        if item.scheme == "UNSPSC" and item.code in read_off_cubso and not item.description:
            continue
        classification = {"scheme": item.scheme, "id": item.code}
        data = {"id": str(len(items) + 1), "classification": classification}
        if item.description:
            classification["description"] = item.description
            data["description"] = item.description
        if item.scheme == "CUBSO":
            data["additionalClassifications"] = [{"scheme": "UNSPSC", "id": item.code[:8]}]
        items.append(data)
    return items


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
        "items": tender_items(opportunity.classifications),
        MINIMUM_FIELD: minimum_tender_period(opportunity),
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


def _parties(buyer: dict | None, suppliers: list[dict]) -> list[dict]:
    """Buyer and suppliers, one party per id: a buyer that also won keeps both roles."""
    parties: dict[str, dict] = {}
    for party in [*([buyer | {"roles": ["buyer"]}] if buyer else []), *suppliers]:
        known = parties.get(party["id"])
        roles = [*known["roles"], *party["roles"]] if known else party["roles"]
        parties[party["id"]] = (known or party) | {"roles": list(dict.fromkeys(roles))}
    return list(parties.values())


def release(opportunity: Opportunity, detail_url: str, source_key: str) -> dict:
    buyer = buyer_party(opportunity.buyer) if opportunity.buyer else None
    awards, suppliers = _awards(opportunity)
    ocid = ocid_of(opportunity, source_key)
    data = {
        "ocid": ocid,
        "id": f"{ocid}-{opportunity.updated_at:%Y%m%dT%H%M%S}",
        "date": iso_utc(opportunity.updated_at),
        "tag": release_tags(OpportunityStatus(opportunity.status), bool(awards)),
        "initiationType": "tender",
        "language": "es",
        "tender": _tender(opportunity),
        "parties": _parties(buyer, suppliers),
    }
    if awards:
        data["awards"] = awards
    if buyer:
        data["buyer"] = {"id": buyer["id"], "name": buyer["name"]}
    notice = (
        [{"id": "notice", "documentType": "tenderNotice", "url": opportunity.url or detail_url}]
        if opportunity.url or detail_url
        else []
    )
    documents = notice + _documents(opportunity.documents, taken={"notice"})
    if documents:
        data["tender"]["documents"] = documents
    return data


def _documents(documents: list[OpportunityDocument], taken: set[str]) -> list[dict]:
    """The source's documents as OCDS Documents: its id for each when unique in the release,
    else one of ours; links only when http(s)."""
    found = []
    for document in documents:
        document_id = wanted = document.source_document_id or f"document-{document.position + 1}"
        while document_id in taken:
            document_id = f"{wanted}-{len(taken)}"
        taken.add(document_id)
        data = {
            "id": document_id,
            "documentType": document.document_type,
            "title": document.title,
            "url": web_url(document.url),
            "datePublished": iso_utc(document.published_at),
        }
        found.append({key: value for key, value in data.items() if value})
    return found


def load_documents(session: Session, opportunities: Sequence[Opportunity]) -> None:
    """Every opportunity's documents in one query per 500 (the export reads them all)."""
    for start in range(0, len(opportunities), 500):
        chunk = opportunities[start : start + 500]
        listed = defaultdict(list)
        query = (
            select(OpportunityDocument)
            .where(OpportunityDocument.opportunity_id.in_([item.id for item in chunk]))
            .order_by(OpportunityDocument.opportunity_id, OpportunityDocument.position)
        )
        for document in session.scalars(query):
            listed[document.opportunity_id].append(document)
        for item in chunk:
            set_committed_value(item, "documents", listed[item.id])


def release_package(
    opportunities: list[Opportunity],
    package_url: str,
    detail_url_of,
    now: datetime,
    source_keys: Mapping[int, str],
    extensions: Sequence[str] = (),
) -> dict:
    """Estimated values become JSON numbers here, as the OCDS schema requires for amounts;
    control characters are dropped, as in the XML feeds, so every format carries the same text.
    `extensions` are the URLs of the extension.json files of the fields beyond OCDS."""
    package = {
        "uri": package_url,
        "version": "1.1",
        "publishedDate": iso_utc(now),
        "publisher": {"name": "Compras MYPE"},
        "license": LICENSE,
        "publicationPolicy": PUBLICATION_POLICY,
        **({"extensions": list(extensions)} if extensions else {}),
        "releases": [
            release(item, detail_url_of(item), source_keys[item.source_id])
            for item in opportunities
        ],
    }
    return xml_safe_tree(package)
