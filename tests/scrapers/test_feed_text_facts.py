"""Plain RSS items whose facts are only in their text: read, marked as such, followed by ingest."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.buyers.models import Buyer
from portal.opportunities.models import (
    ChangeKind,
    ObjectType,
    Opportunity,
    OpportunityChange,
    OpportunityStatus,
)
from scrapers import feed
from scrapers.models import RunStatus, SourceKind
from scrapers.pipeline import RunOptions, run_source
from scrapers.records import BuyerRecord, OpportunityRecord, ParseContext

LIMA = ZoneInfo("America/Lima")
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
CODE = "AS-SM-219-2026-MVES-1"
GUID = f"https://www.munives.gob.pe/convocatorias/{CODE}"
MVES = "Municipalidad Distrital de Villa El Salvador"


def rss(deadline: str, status: str, value: str = "S/ 3,099,000.00") -> bytes:
    """One item as a municipality's CMS writes it: the code as title, the facts in paragraphs."""
    description = (
        f"&lt;p&gt;Entidad: {MVES} (RUC 20131705434)&lt;/p&gt;"
        "&lt;p&gt;Objeto: Bien&lt;/p&gt;"
        "&lt;p&gt;Descripción: Adquisición de camionetas para serenazgo&lt;/p&gt;"
        f"&lt;p&gt;Valor referencial: {value}&lt;/p&gt;"
        "&lt;p&gt;Registro de participantes hasta el 10/03/2026&lt;/p&gt;"
        f"&lt;p&gt;Presentación de ofertas hasta el {deadline}&lt;/p&gt;"
        f"&lt;p&gt;Estado: {status}&lt;/p&gt;"
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Convocatorias MVES</title><link>https://www.munives.gob.pe/</link><description>SEACE</description>
<item>
  <guid>{GUID}</guid><title>{CODE}</title><link>{GUID}</link>
  <description>{description}</description>
  <pubDate>Mon, 02 Mar 2026 09:00:00 -0500</pubDate>
</item>
</channel></rss>""".encode()


FIRST = rss("15/03/2026 16:30", "Convocado")
EXTENDED_THEN_CANCELLED = rss("20 de marzo de 2026 a las 16:30", "Cancelado")


def parse_one(payload: bytes, context: ParseContext) -> OpportunityRecord:
    (item,) = [
        i for i in feed.parse(io.BytesIO(payload), context) if isinstance(i, OpportunityRecord)
    ]
    return item


def test_a_plain_feed_item_gets_its_facts_from_its_text():
    item = parse_one(FIRST, ParseContext(source_key="mves", timezone=LIMA))

    assert item.buyer == BuyerRecord(name=MVES, ruc="20131705434")
    assert item.deadline_at == datetime(2026, 3, 15, 21, 30, tzinfo=UTC)
    assert (item.estimated_value, item.currency) == (Decimal("3099000.00"), "PEN")
    assert (item.procedure_type_code, item.object_type) == ("AS", ObjectType.GOODS)
    assert item.status == OpportunityStatus.OPEN
    assert set(item.fields_from_text) == {
        "buyer",
        "deadline_at",
        "estimated_value",
        "currency",
        "procedure_type_code",
        "object_type",
        "status",
    }


def test_the_deadline_is_read_in_the_sources_zone():
    item = parse_one(FIRST, ParseContext(source_key="x", timezone=ZoneInfo("Europe/Madrid")))
    assert item.deadline_at == datetime(2026, 3, 15, 15, 30, tzinfo=UTC)


def test_a_cancellation_written_in_the_text_is_the_status():
    item = parse_one(EXTENDED_THEN_CANCELLED, ParseContext(source_key="mves"))
    assert item.status == OpportunityStatus.CANCELLED
    assert item.deadline_at == datetime(2026, 3, 20, 21, 30, tzinfo=UTC)


def test_a_dollar_value_sets_the_currency():
    item = parse_one(rss("15/03/2026", "Convocado", "US$ 12,500.00"), ParseContext("mves"))
    assert (item.estimated_value, item.currency) == (Decimal("12500.00"), "USD")


def test_codice_facts_win_over_the_entrys_text(shared_fixtures):
    """A PLACSP entry's summary saying otherwise changes nothing its CODICE folder states; it
    adds only what the folder leaves empty (here the procedure code)."""
    atom = (shared_fixtures / "placsp-atom/mayores_first-entry.atom").read_bytes()
    context = ParseContext(source_key="placsp", timezone=ZoneInfo("Europe/Madrid"))
    before = parse_one(atom, context)
    summary = (
        "Nomenclatura: CP-SM-1-2026-UAL-1; Valor estimado: 1.000,00 EUR; "
        "Presentación de ofertas hasta el 01/01/2027 10:00; Estado: Cancelado; "
    ).encode()
    contradicted = atom.replace(b"Id licitaci", summary + b"Id licitaci", 1)

    after = parse_one(contradicted, context)

    assert (after.deadline_at, after.status, after.estimated_value) == (
        before.deadline_at,
        before.status,
        before.estimated_value,
    )
    assert before.procedure_type_code is None and after.procedure_type_code == "CP"
    assert after.fields_from_text == ("procedure_type_code",)


@pytest.fixture
def mves_source(make_source, http_server):
    Reply = http_server.Reply
    url = http_server.route(
        "/convocatorias.rss", Reply(body=FIRST), Reply(body=EXTENDED_THEN_CANCELLED)
    )
    return make_source("mves", SourceKind.FEED, url)


def test_changes_read_from_the_text_are_recorded_like_any_other(session, fetcher, mves_source):
    first = run_source(session, mves_source, NOW, fetcher, RunOptions())
    notice = session.scalar(select(Opportunity))
    assert (first.status, first.new) == (RunStatus.SUCCEEDED, 1)
    assert notice.deadline_at == datetime(2026, 3, 15, 21, 30, tzinfo=UTC)
    assert notice.buyer.ruc == "20131705434" and notice.procedure_type_code == "AS"
    assert "deadline_at" in notice.fields_from_text
    session.execute(Opportunity.__table__.update().values(needs_matching=False))
    session.commit()

    second = run_source(session, mves_source, NOW + timedelta(hours=1), fetcher, RunOptions())

    assert second.updated == 1
    rows = select(OpportunityChange).where(OpportunityChange.scrape_run_id == second.id)
    changes = {change.field: change for change in session.scalars(rows)}
    deadline, status = changes["deadline_at"], changes["status"]
    assert deadline.kind == ChangeKind.DEADLINE_EXTENDED
    assert deadline.new_value == "2026-03-20T21:30:00+00:00"
    assert status.kind == ChangeKind.STATUS_CHANGED
    assert (status.old_value, status.new_value) == ("open", "cancelled")
    session.refresh(notice)
    assert notice.status == OpportunityStatus.CANCELLED and notice.needs_matching
    assert session.scalar(select(Buyer.name).where(Buyer.ruc == "20131705434")) == MVES
