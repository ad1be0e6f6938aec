import io
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portal.opportunities.models import ObjectType, OpportunityStatus
from scrapers import feed
from scrapers.records import (
    ClassificationRecord,
    OpportunityRecord,
    ParseContext,
    ParseError,
    ParseWarning,
)

CONTEXT = ParseContext(source_key="test-feed")

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Convocatorias</title><link>https://compras.example.pe/</link>
<description>Avisos</description>
<item>
  <guid>aviso-1</guid><title>Adquisici&#243;n de papel bond</title>
  <link>https://compras.example.pe/aviso/1</link>
  <description>&lt;p&gt;Papel &lt;b&gt;A4&lt;/b&gt; para oficinas&lt;/p&gt;</description>
  <pubDate>Mon, 02 Feb 2026 15:00:00 GMT</pubDate>
</item>
<item>
  <guid>aviso-2</guid><title>Servicio de limpieza</title>
  <link>https://compras.example.pe/aviso/2</link>
  <pubDate>Tue, 03 Feb 2026 10:00:00 -0500</pubDate>
</item>
<item>
  <guid>aviso-1</guid><title>Adquisici&#243;n de papel bond (rectificado)</title>
  <link>https://compras.example.pe/aviso/1</link>
  <description>Papel A4 y A3</description>
  <pubDate>Wed, 04 Feb 2026 09:00:00 GMT</pubDate>
</item>
<item>
  <title>Sin guid: se usa el enlace</title>
  <link>https://compras.example.pe/aviso/3</link>
</item>
</channel></rss>"""


def parse(payload: bytes, context: ParseContext = CONTEXT) -> list:
    return list(feed.parse(io.BytesIO(payload), context))


def records(items: list) -> dict[str, OpportunityRecord]:
    return {item.source_ref: item for item in items if isinstance(item, OpportunityRecord)}


def test_rss_entries_map_to_records_with_sanitised_description():
    by_ref = records(parse(RSS))
    second = by_ref["aviso-2"]
    assert second.title == "Servicio de limpieza"
    assert second.url == "https://compras.example.pe/aviso/2"
    assert second.published_at == datetime(2026, 2, 3, 15, tzinfo=UTC)


def test_duplicate_guid_keeps_the_last_updated_entry():
    items = parse(RSS)
    by_ref = records(items)
    assert [item.source_ref for item in items].count("aviso-1") == 1
    assert by_ref["aviso-1"].title == "Adquisición de papel bond (rectificado)"
    assert by_ref["aviso-1"].description == "Papel A4 y A3"


def test_duplicate_guid_does_not_let_an_older_entry_win():
    newest_first = RSS.replace(b"Wed, 04 Feb 2026", b"Sun, 01 Feb 2026")
    assert records(parse(newest_first))["aviso-1"].description == "Papel A4 para oficinas"


def test_entry_without_guid_uses_its_link():
    assert "https://compras.example.pe/aviso/3" in records(parse(RSS))


def test_feed_that_is_not_well_formed_but_has_entries_warns():
    broken = RSS.replace(b"</channel></rss>", b"<item><title>roto & mal</title></item>")
    items = parse(broken)
    warnings = [item for item in items if isinstance(item, ParseWarning)]
    assert warnings and "not well-formed" in warnings[0].message
    assert "aviso-2" in records(items)


@pytest.mark.parametrize("payload", [b"", b"esto no es un feed", b"<html><body>hola</body></html>"])
def test_payload_without_entries_is_a_parse_error(payload):
    with pytest.raises(ParseError):
        parse(payload)


@pytest.mark.parametrize(
    "payload",
    [
        b"<feed><entry><title>x</ti",
        b"<rss version='2.0'><channel><item><title>sin enlace</title></item><item><title>x</ti",
    ],
)
def test_feed_that_is_not_well_formed_and_has_no_usable_entry_is_a_parse_error(payload):
    with pytest.raises(ParseError, match="not well-formed"):
        parse(payload)


def rss_dated(pub_date: str) -> bytes:
    return (
        b"<rss version='2.0'><channel><title>t</title><item><guid>a</guid><title>x</title>"
        b"<pubDate>" + pub_date.encode() + b"</pubDate></item></channel></rss>"
    )


def atom_dated(updated: str) -> bytes:
    return (
        b"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><entry><id>a</id>"
        b"<title>x</title><updated>" + updated.encode() + b"</updated></entry></feed>"
    )


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (rss_dated("Tue, 03 Feb 2026 10:00:00"), datetime(2026, 2, 3, 15, tzinfo=UTC)),
        (rss_dated("Tue, 03 Feb 2026 10:00:00 GMT"), datetime(2026, 2, 3, 10, tzinfo=UTC)),
        (rss_dated("Tue, 03 Feb 2026 10:00:00 +0100"), datetime(2026, 2, 3, 9, tzinfo=UTC)),
        (atom_dated("2026-02-03T10:00:00"), datetime(2026, 2, 3, 15, tzinfo=UTC)),
        (atom_dated("2026-02-03T10:00:00Z"), datetime(2026, 2, 3, 10, tzinfo=UTC)),
        (atom_dated("2026-02-03T10:00:00-03:00"), datetime(2026, 2, 3, 13, tzinfo=UTC)),
    ],
)
def test_entry_date_without_zone_is_read_in_the_source_zone(payload, expected):
    [record] = records(parse(payload)).values()
    assert record.published_at == expected


def test_naive_entry_date_follows_the_configured_source_zone():
    madrid = ParseContext(source_key="test-feed", timezone=ZoneInfo("Europe/Madrid"))
    [record] = records(parse(atom_dated("2026-02-03T10:00:00"), madrid)).values()
    assert record.published_at == datetime(2026, 2, 3, 9, tzinfo=UTC)


def test_date_only_feedparser_can_read_uses_its_reading():
    [record] = records(parse(atom_dated("2026-02-03T10:00:00 GMT"))).values()
    assert record.published_at == datetime(2026, 2, 3, 10, tzinfo=UTC)


def test_duplicate_ids_with_naive_dates_are_ordered_in_the_source_zone():
    entry = "<entry><id>a</id><title>{title}</title><updated>{updated}</updated></entry>"
    entries = entry.format(title="nuevo", updated="2026-02-03T10:00:00") + entry.format(
        title="viejo", updated="2026-02-03T12:00:00Z"
    )
    payload = f"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>{entries}</feed>"
    assert records(parse(payload.encode()))["a"].title == "nuevo"


def test_placsp_minor_contracts_carry_codice_facts(shared_fixtures):
    payload = (shared_fixtures / "placsp-atom" / "menores.atom").read_bytes()
    by_ref = records(parse(payload))
    assert len(by_ref) == 6
    first = by_ref["https://contrataciondelestado.es/sindicacion/datosAbiertosMenores/19908539"]
    assert first.title == "Contrato menor suministros: cuadro eléctrico para bomba Villar"
    assert first.buyer.name == "Alcaldía del Ayuntamiento de Chinchilla de Montearagón"
    buyer_id = (first.buyer.identifier_scheme, first.buyer.identifier)
    assert buyer_id == ("ES-PLACSP", "31160720159832")  # the contracting body's platform id
    assert (first.buyer.country, first.buyer.government_level) == ("ES", "foreign")
    assert first.estimated_value == Decimal("4600")
    assert first.currency == "EUR"
    assert first.object_type is ObjectType.GOODS
    assert ClassificationRecord("CPV", "31211100") in first.classifications
    assert ClassificationRecord("OTHER", "NUTS:ES421", "ALBACETE") in first.classifications
    assert first.status is OpportunityStatus.AWARDED
    # 2026-06-10 23:59:59 in Madrid (CEST, UTC+2)
    assert first.deadline_at == datetime(2026, 6, 10, 21, 59, 59, tzinfo=UTC)
    assert first.published_at == datetime(2026, 6, 21, 2, 0, 54, tzinfo=UTC)


def test_placsp_open_call_with_seven_cpv_codes(shared_fixtures):
    payload = (shared_fixtures / "placsp-atom" / "mayores_first-entry.atom").read_bytes()
    [record] = records(parse(payload)).values()
    assert record.status is OpportunityStatus.OPEN
    assert record.object_type is ObjectType.SERVICES
    assert record.estimated_value == Decimal("597235.2")
    assert [c.code for c in record.classifications if c.scheme == "CPV"] == [
        "71241000",
        "71300000",
        "73220000",
        "73200000",
        "79411000",
        "72224000",
        "79421000",
    ]
    assert record.deadline_at == datetime(2026, 7, 23, 11, 0, tzinfo=UTC)
    assert record.buyer.identifier == "40001090000277"  # ID_PLATAFORMA, before the NIF
    assert record.procedure_text == "Procedimiento abierto"
