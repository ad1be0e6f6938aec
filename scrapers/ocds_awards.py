"""OCDS `awards[]` to AwardRecords: who won, for how much, one record per supplier of an award.

A consortium listed as several suppliers, or lots awarded to different firms, become several
records; cancelled and unsuccessful awards are kept with their status. Suppliers are references
to `parties` in OCDS 1.1 and inline organisations in 1.0: both are read.
"""

from datetime import tzinfo

from portal.buyers.ruc import is_valid_ruc
from portal.opportunities.enums import AWARD_STATUSES
from scrapers.dates import to_utc_day
from scrapers.ocds_mapping import amount
from scrapers.records import AwardRecord
from scrapers.text import clean_text

_RUC_ID_PREFIX = "PE-RUC-"  # Peru's party ids: "PE-RUC-20131312955"


def awards(release: dict, zone: tzinfo, currency: str) -> tuple[AwardRecord, ...]:
    """`currency` is the tender's, for an award that states an amount without one."""
    parties = {
        str(party["id"]): party
        for party in _dicts(release.get("parties"))
        if party.get("id") is not None
    }
    found: list[AwardRecord] = []
    for award in _dicts(release.get("awards")):
        value = award.get("value") if isinstance(award.get("value"), dict) else {}
        status = _str(award.get("status"))
        award_id = str(award.get("id") or "").strip()[:200] or None
        for supplier in _dicts(award.get("suppliers")):
            party = parties.get(str(supplier["id"]), {}) if supplier.get("id") is not None else {}
            organisation = party | _without_empty(supplier)
            name = _name(organisation)
            if not name:
                continue
            ruc, identifier = _identifiers(organisation)
            found.append(
                AwardRecord(
                    supplier_name=name[:500],
                    supplier_ruc=ruc,
                    supplier_identifier=identifier,
                    amount=amount(value.get("amount")),
                    currency=(_str(value.get("currency")) or currency)[:3].upper(),
                    awarded_at=to_utc_day(award.get("date"), zone),
                    # Not in the codelist (Colombia writes a name there): not confirmed.
                    status=status if status in AWARD_STATUSES else "pending",
                    source_award_id=award_id,
                )
            )
    return tuple(dict.fromkeys(found))  # Paraguay lists a supplier once per lot it won


def _name(organisation: dict) -> str:
    identifier = organisation.get("identifier")
    legal_name = identifier.get("legalName") if isinstance(identifier, dict) else None
    return clean_text(_str(organisation.get("name")) or _str(legal_name))


def _identifiers(organisation: dict) -> tuple[str | None, str | None]:
    """(RUC, other id): a RUC only from the PE-RUC scheme or a "PE-RUC-…" id, and only when its
    check digit holds; any other id is kept as the source wrote it."""
    identifier = organisation.get("identifier")
    identifier = identifier if isinstance(identifier, dict) else {}
    scheme_id = _id_text(identifier.get("id"))
    party_id = _id_text(organisation.get("id"))
    candidates = (
        [party_id.removeprefix(_RUC_ID_PREFIX)] if party_id.startswith(_RUC_ID_PREFIX) else []
    )
    if _str(identifier.get("scheme")).upper() == "PE-RUC":
        candidates.insert(0, scheme_id)
    for candidate in candidates:
        if is_valid_ruc(candidate):
            return candidate, None
    return None, (scheme_id or party_id)[:100] or None


def _id_text(value: object) -> str:
    """An id as text; Paraguay writes a consortium's missing RUC as the string "null"."""
    text = clean_text(str(value)) if isinstance(value, str | int) else ""
    return "" if text.casefold() in ("null", "none") else text


def _dicts(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _without_empty(organisation: dict) -> dict:
    return {key: value for key, value in organisation.items() if value}
