"""Spain's CODICE extension inside PLACSP Atom entries: the facts feedparser does not read.

Read with lxml from the feed's own bytes, entities never resolved. NUTS regions are not
Peruvian departments, so they travel as an OTHER classification ("NUTS:ES421").
"""

from dataclasses import replace
from zoneinfo import ZoneInfo

from lxml import etree

from portal.opportunities.enums import ObjectType, OpportunityStatus
from portal.web_urls import web_url
from scrapers.dates import to_utc, to_utc_day
from scrapers.records import (
    AwardRecord,
    BuyerRecord,
    ClassificationRecord,
    DocumentRecord,
    OpportunityRecord,
    ParseContext,
)
from scrapers.text import clean_text, parse_amount

MADRID = ZoneInfo("Europe/Madrid")
NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "cbc": "urn:dgpe:names:draft:codice:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:dgpe:names:draft:codice:schema:xsd:CommonAggregateComponents-2",
    "ext": "urn:dgpe:names:draft:codice-place-ext:schema:xsd:CommonAggregateComponents-2",
    "extb": "urn:dgpe:names:draft:codice-place-ext:schema:xsd:CommonBasicComponents-2",
}
_STATUSES = {
    "PRE": OpportunityStatus.OPEN,
    "PUB": OpportunityStatus.OPEN,
    "EV": OpportunityStatus.CLOSED,
    "ADJ": OpportunityStatus.AWARDED,
    "RES": OpportunityStatus.AWARDED,
    "ANUL": OpportunityStatus.CANCELLED,
}
# CODICE ContractCode: 1 supplies, 2 services, 3 works; 21/22 service and 31/32 works concessions.
_OBJECT_TYPES = {
    "1": ObjectType.GOODS,
    "2": ObjectType.SERVICES,
    "21": ObjectType.SERVICES,
    "22": ObjectType.SERVICES,
    "3": ObjectType.WORKS,
    "31": ObjectType.WORKS,
    "32": ObjectType.WORKS,
}
_PROCEDURES = {"1": "Procedimiento abierto", "2": "Procedimiento restringido"}
# CODICE TenderResultCode onto the OCDS award statuses: 1 provisional, 2 final, 8 awarded,
# 9 contract signed, 10 best bidder asked for documents, 11 in-house order signed; 3, 6 and 7
# deserted; 4 withdrawn (desistimiento) and 5 renounced. Any other code is not confirmed.
_RESULTS = {
    "1": "pending",
    "2": "active",
    "3": "unsuccessful",
    "4": "cancelled",
    "5": "cancelled",
    "6": "unsuccessful",
    "7": "unsuccessful",
    "8": "active",
    "9": "active",
    "10": "pending",
    "11": "active",
}
# A buyer is the contracting body: PLACSP's platform id names it; the NIF is its
# administration's, shared by all of its bodies ("Alcaldía", "Junta de Gobierno Local"...).
_BUYER_IDENTIFIERS = (
    ("ES-PLACSP", "cac:PartyIdentification/cbc:ID[@schemeName='ID_PLATAFORMA']"),
    ("ES-NIF", "cac:PartyIdentification/cbc:ID[@schemeName='NIF']"),
)
# The folder's document references, in the words of OCDS's documentType codelist.
_DOCUMENTS = (
    ("cac:LegalDocumentReference", "biddingDocuments"),  # pliego de cláusulas administrativas
    ("cac:TechnicalDocumentReference", "technicalSpecifications"),  # prescripciones técnicas
    ("cac:AdditionalDocumentReference", None),
    ("ext:GeneralDocument/ext:GeneralDocumentDocumentReference", None),
)
_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, recover=True, huge_tree=False, load_dtd=False
)


def feed_root(payload: bytes) -> etree._Element | None:
    """The feed as an lxml tree for what feedparser does not read (CODICE folders, RFC 6721
    tombstones): parsed once, without entities, DTDs or network; None when unreadable."""
    if b"ContractFolderStatus" not in payload and b"deleted-entry" not in payload:
        return None  # a plain feed: nothing to read, no second parse
    try:
        return etree.fromstring(payload, parser=_SAFE_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None


def contract_folders(root: etree._Element | None) -> dict[str, etree._Element]:
    """Each entry's ContractFolderStatus by the entry's id; empty for feeds without CODICE."""
    if root is None:
        return {}
    folders = {}
    for entry in root.iterfind("atom:entry", NAMESPACES):
        entry_id = clean_text(entry.findtext("atom:id", namespaces=NAMESPACES))
        folder = entry.find("ext:ContractFolderStatus", NAMESPACES)
        if entry_id and folder is not None:
            folders[entry_id] = folder
    return folders


def enrich(record: OpportunityRecord, folder: etree._Element, context: ParseContext):
    """The entry's record with buyer, budget, CPV, deadline, status and awards from its folder."""
    amount, currency = _budget(folder)
    return replace(
        record,
        buyer=_buyer(folder) or record.buyer,
        object_type=_OBJECT_TYPES.get(_text(folder, "cac:ProcurementProject/cbc:TypeCode")),
        procedure_text=_PROCEDURES.get(_text(folder, "cac:TenderingProcess/cbc:ProcedureCode")),
        classifications=_classifications(folder),
        estimated_value=amount,
        currency=currency or "EUR",
        deadline_at=_deadline(folder),
        status=_STATUSES.get(_text(folder, "extb:ContractFolderStatusCode"), record.status),
        awards=_awards(folder),
        documents=_documents(folder),
    )


def _text(element: etree._Element, path: str) -> str | None:
    return clean_text(element.findtext(path, namespaces=NAMESPACES)) or None


def _buyer(folder: etree._Element) -> BuyerRecord | None:
    party = folder.find("ext:LocatedContractingParty/cac:Party", NAMESPACES)
    if party is None:
        return None
    name = _text(party, "cac:PartyName/cbc:Name")
    if not name:
        return None
    scheme, identifier = _buyer_identifier(party)
    return BuyerRecord(
        name=name,
        identifier_scheme=scheme,
        identifier=identifier,
        government_level="foreign",
        country="ES",
    )


def _buyer_identifier(party: etree._Element) -> tuple[str | None, str | None]:
    for scheme, path in _BUYER_IDENTIFIERS:
        identifier = _text(party, path)
        if identifier:
            return scheme, identifier[:120]
    return None, None


def _budget(folder: etree._Element) -> tuple:
    for tag in ("cbc:TaxExclusiveAmount", "cbc:EstimatedOverallContractAmount"):
        node = folder.find(f"cac:ProcurementProject/cac:BudgetAmount/{tag}", NAMESPACES)
        if node is not None and node.text:
            amount = parse_amount(node.text)
            if amount is not None and amount >= 0:
                return amount, (node.get("currencyID") or "EUR")[:3].upper()
    return None, None


def _classifications(folder: etree._Element) -> tuple[ClassificationRecord, ...]:
    project = "cac:ProcurementProject/"
    cpv_codes = folder.iterfind(
        project + "cac:RequiredCommodityClassification/cbc:ItemClassificationCode", NAMESPACES
    )
    found = [ClassificationRecord("CPV", code) for code in _unique_texts(cpv_codes)]
    for location in folder.iterfind(project + "cac:RealizedLocation", NAMESPACES):
        nuts = _text(location, "cbc:CountrySubentityCode")
        if nuts:
            found.append(
                ClassificationRecord(
                    "OTHER", f"NUTS:{nuts}", _text(location, "cbc:CountrySubentity")
                )
            )
    return tuple(dict.fromkeys(found))


def _unique_texts(nodes) -> list[str]:
    return list(dict.fromkeys(clean_text(node.text) for node in nodes if clean_text(node.text)))


def _deadline(folder: etree._Element):
    period = "cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/"
    end_date = _text(folder, period + "cbc:EndDate")
    if not end_date:
        return None
    end_time = _text(folder, period + "cbc:EndTime") or "23:59:59"
    return to_utc(f"{end_date}T{end_time}", MADRID)


def _awards(folder: etree._Element) -> tuple[AwardRecord, ...]:
    """Each result's winning parties, with the amount awarded (VAT included when given)."""
    found = []
    for result in folder.iterfind("cac:TenderResult", NAMESPACES):
        amount, currency = _awarded_amount(result)
        award_date = _text(result, "cbc:AwardDate")
        for party in result.iterfind("cac:WinningParty", NAMESPACES):
            name = _text(party, "cac:PartyName/cbc:Name")
            if not name:
                continue
            identifier = _text(party, "cac:PartyIdentification/cbc:ID")
            found.append(
                AwardRecord(
                    supplier_name=name[:500],
                    supplier_identifier=identifier[:100] if identifier else None,
                    amount=amount,
                    currency=currency or "EUR",
                    awarded_at=to_utc_day(award_date, MADRID),
                    status=_RESULTS.get(_text(result, "cbc:ResultCode"), "pending"),
                    source_award_id=_text(
                        result, "cac:AwardedTenderedProject/cbc:ProcurementProjectLotID"
                    ),
                )
            )
    return tuple(dict.fromkeys(found))


def _documents(folder: etree._Element) -> tuple[DocumentRecord, ...]:
    """Each reference's file (its cbc:ID names it) and link; one without either is skipped."""
    found = []
    for path, document_type in _DOCUMENTS:
        for reference in folder.iterfind(path, NAMESPACES):
            name = _text(reference, "cbc:ID")
            url = web_url(_text(reference, "cac:Attachment/cac:ExternalReference/cbc:URI"))
            title = name or (url.rsplit("/", 1)[-1] if url else None)
            if not title:
                continue
            found.append(
                DocumentRecord(
                    title=title[:500],
                    url=url[:2000] if url else None,
                    document_type=document_type,
                    source_document_id=name[:200] if name else None,
                )
            )
    return tuple(dict.fromkeys(found))


def _awarded_amount(result: etree._Element) -> tuple:
    """0 counts as unknown, as for budgets; a spent amount is never negative."""
    total = "cac:AwardedTenderedProject/cac:LegalMonetaryTotal/"
    for tag in ("cbc:PayableAmount", "cbc:TaxExclusiveAmount"):
        node = result.find(total + tag, NAMESPACES)
        amount = parse_amount(node.text) if node is not None and node.text else None
        if amount is not None and amount > 0:
            return amount, (node.get("currencyID") or "EUR")[:3].upper()
    return None, None
