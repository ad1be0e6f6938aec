"""Identifiers in the OCDS export that mean the same thing tomorrow and elsewhere.

A release's ocid and its buyer's party id are how data users join our releases with the
source's and with each other (OCDS merge compiles releases by ocid and parties by id). Row ids
change when the database is rebuilt or a second instance ingests the same sources, so neither
is built from them: an ocid comes from the source key and the notice's reference at the source,
a party id from the organization's identifier, `{scheme}-{id}` as OCDS recommends
(`PE-RUC-20131705434`, what Peru's own OCDS publishes).
"""

import hashlib
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.buyers.models import Buyer
from portal.opportunities.models import Opportunity
from scrapers.models import Source

OCID_PREFIX = "ocds-compras-mype-"
DIGEST_CHARS = 16  # 64 bits: no two of a few million notices share one
NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:DIGEST_CHARS]


def source_keys(session: Session, opportunities: Iterable[Opportunity]) -> dict[int, str]:
    """Source id -> key for the sources of these notices (a handful: one query)."""
    ids = {opportunity.source_id for opportunity in opportunities}
    if not ids:
        return {}
    return dict(session.execute(select(Source.id, Source.key).where(Source.id.in_(ids))).all())


def ocid_of(opportunity: Opportunity, source_key: str) -> str:
    """The source's own ocid; else the prefix, the source key readable, and a digest of key and
    reference (references can be long URLs; the key is in the digest so that two keys reading
    alike as slugs still differ)."""
    if opportunity.ocid:
        return opportunity.ocid
    slug = NOT_SLUG.sub("-", source_key.lower()).strip("-")[:40] or "fuente"
    return f"{OCID_PREFIX}{slug}-{_digest(source_key, opportunity.source_ref)}"


def buyer_identifier(buyer: Buyer) -> dict | None:
    """The RUC when there is one, else the identifier in the scheme the source gave."""
    if buyer.ruc:
        return {"scheme": "PE-RUC", "id": buyer.ruc}
    if buyer.identifier_scheme and buyer.identifier:
        return {"scheme": buyer.identifier_scheme, "id": buyer.identifier}
    return None


def buyer_party(buyer: Buyer) -> dict:
    """The buyer as an OCDS party; one known only by name gets an id from its name."""
    identifier = buyer_identifier(buyer)
    if identifier is None:
        return {"id": f"{OCID_PREFIX}buyer-{_digest(buyer.name)}", "name": buyer.name}
    party_id = f"{identifier['scheme']}-{identifier['id']}"
    return {"id": party_id, "name": buyer.name, "identifier": identifier}
