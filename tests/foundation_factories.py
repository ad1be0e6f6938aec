"""Plain factories for the foundation tests (model constraints, demo); web tests have their own."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

from portal.buyers.models import Buyer, GovernmentLevel
from portal.buyers.ruc import ruc_check_digit
from portal.opportunities.models import ObjectType, Opportunity, OpportunityStatus
from scrapers.models import Source, SourceKind

_sequence = count(1)


def valid_ruc(number: int) -> str:
    base = f"20{number:08d}"
    return base + str(ruc_check_digit(base))


def make_source(session, key: str | None = None, kind: SourceKind = SourceKind.MANUAL) -> Source:
    source = Source(key=key or f"source-{next(_sequence)}", name="Fuente de prueba", kind=kind)
    session.add(source)
    session.flush()
    return source


def make_buyer(session, name: str | None = None, region_code: str | None = "15", **fields) -> Buyer:
    number = next(_sequence)
    buyer = Buyer(
        name=name or f"Municipalidad de prueba {number}",
        ruc=fields.pop("ruc", valid_ruc(number)),
        government_level=fields.pop("government_level", GovernmentLevel.LOCAL),
        region_code=region_code,
        **fields,
    )
    session.add(buyer)
    session.flush()
    return buyer


def make_opportunity(session, source: Source | None = None, **fields) -> Opportunity:
    number = next(_sequence)
    now = datetime.now(UTC)
    values = {
        "source": source or make_source(session),
        "source_ref": f"ref-{number}",
        "title": f"Adquisición de bienes {number}",
        "description": "Descripción de prueba",
        "object_type": ObjectType.GOODS,
        "estimated_value": Decimal("10000.00"),
        "published_at": now - timedelta(days=2),
        "deadline_at": now + timedelta(days=10),
        "status": OpportunityStatus.OPEN,
        "content_hash": f"{number:064d}",
    }
    values.update(fields)
    source = values.pop("source")
    opportunity = Opportunity(source_id=source.id, **values)
    session.add(opportunity)
    session.flush()
    return opportunity
