"""PLACSP's CODICE TenderResult becomes AwardRecords: winning party, amount, date, result."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from scrapers import feed
from scrapers.records import AwardRecord, OpportunityRecord, ParseContext

CONTEXT = ParseContext(source_key="placsp", default_currency="EUR")
MINOR = "https://contrataciondelestado.es/sindicacion/datosAbiertosMenores/"
ENTRY = """<entry><id>{ref}</id><link href="https://example.org/{ref}"/><title>Obra</title>
<updated>2026-06-21T04:00:33+02:00</updated>
<cac-place-ext:ContractFolderStatus>
  <cbc-place-ext:ContractFolderStatusCode>RES</cbc-place-ext:ContractFolderStatusCode>
  {results}
</cac-place-ext:ContractFolderStatus></entry>"""
RESULT = """<cac:TenderResult>
  <cbc:ResultCode>{code}</cbc:ResultCode>
  <cbc:AwardDate>2026-06-11</cbc:AwardDate>
  {parties}
  <cac:AwardedTenderedProject>
    <cbc:ProcurementProjectLotID>{lot}</cbc:ProcurementProjectLotID>
    <cac:LegalMonetaryTotal>{amounts}</cac:LegalMonetaryTotal>
  </cac:AwardedTenderedProject>
</cac:TenderResult>"""
PARTY = """<cac:WinningParty>
  <cac:PartyIdentification><cbc:ID schemeName="NIF">{nif}</cbc:ID></cac:PartyIdentification>
  <cac:PartyName><cbc:Name>{name}</cbc:Name></cac:PartyName>
</cac:WinningParty>"""
NAMESPACES = (
    'xmlns="http://www.w3.org/2005/Atom" '
    'xmlns:cbc="urn:dgpe:names:draft:codice:schema:xsd:CommonBasicComponents-2" '
    'xmlns:cac="urn:dgpe:names:draft:codice:schema:xsd:CommonAggregateComponents-2" '
    'xmlns:cac-place-ext="urn:dgpe:names:draft:codice-place-ext:schema:xsd:'
    'CommonAggregateComponents-2" '
    'xmlns:cbc-place-ext="urn:dgpe:names:draft:codice-place-ext:schema:xsd:'
    'CommonBasicComponents-2"'
)


def records(payload: bytes) -> dict[str, OpportunityRecord]:
    items = feed.parse(io.BytesIO(payload), CONTEXT)
    return {item.source_ref: item for item in items if isinstance(item, OpportunityRecord)}


def feed_of(*results: str) -> bytes:
    entry = ENTRY.format(ref="expediente-1", results="".join(results))
    return f"<feed {NAMESPACES}><title>PLACSP</title>{entry}</feed>".encode()


def result(code: str, parties: list[tuple[str, str]], amounts: str = "", lot: str = "") -> str:
    winning = "".join(PARTY.format(nif=nif, name=name) for nif, name in parties)
    return RESULT.format(code=code, parties=winning, amounts=amounts, lot=lot)


def test_placsp_minor_contracts_name_their_winner_and_the_amount_with_vat(shared_fixtures):
    payload = (shared_fixtures / "placsp-atom" / "menores.atom").read_bytes()
    by_ref = records(payload)
    winners = {ref.removeprefix(MINOR): record.awards for ref, record in by_ref.items()}
    # AwardDate 2026-06-11, a day: kept as that day (noon UTC), not 22:00 UTC of the 10th
    assert winners["19908539"] == (
        AwardRecord(
            supplier_name="GENERACIONES ELECTRICAS MANCHEGAS SOCIEDAD LIMITADA",
            supplier_identifier="B02407351",
            amount=Decimal("5566"),
            currency="EUR",
            awarded_at=datetime(2026, 6, 11, 12, tzinfo=UTC),
            status="active",
        ),
    )
    assert [(a.supplier_name, a.amount) for a in winners["19908540"]] == [
        ("MONTESCAR S.L", Decimal("451"))
    ]
    assert [(a.supplier_name, a.amount) for a in winners["19908542"]] == [
        ("ELECTROTESLA ALICANTE SA", Decimal("7.91"))
    ]
    assert all(len(awards) == 1 for awards in winners.values())


def test_an_open_call_has_no_awards(shared_fixtures):
    payload = (shared_fixtures / "placsp-atom" / "mayores_first-entry.atom").read_bytes()
    [record] = records(payload).values()
    assert record.awards == ()


def test_a_joint_winner_and_each_lot_become_their_own_records():
    ute = [("B11111111", "Obras del Levante SL"), ("A22222222", "Asfaltos Tajo SA")]
    payload = feed_of(
        result("9", ute, '<cbc:PayableAmount currencyID="EUR">12100</cbc:PayableAmount>', "1"),
        result(
            "8",
            [("B33333333", "Señales Viarias SL")],
            '<cbc:TaxExclusiveAmount currencyID="EUR">2000</cbc:TaxExclusiveAmount>',
            "2",
        ),
    )
    [record] = records(payload).values()
    assert [
        (a.source_award_id, a.supplier_name, a.supplier_identifier, a.amount, a.status)
        for a in record.awards
    ] == [
        ("1", "Obras del Levante SL", "B11111111", Decimal("12100"), "active"),
        ("1", "Asfaltos Tajo SA", "A22222222", Decimal("12100"), "active"),
        ("2", "Señales Viarias SL", "B33333333", Decimal("2000"), "active"),
    ]


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("1", "pending"),
        ("4", "cancelled"),
        ("5", "cancelled"),
        ("7", "unsuccessful"),
        ("", "pending"),
    ],
)
def test_result_codes_become_ocds_award_statuses(code, status):
    payload = feed_of(result(code, [("B44444444", "Limpiezas Norte SL")]))
    [record] = records(payload).values()
    assert [(a.status, a.amount, a.currency) for a in record.awards] == [(status, None, "EUR")]


def test_a_deserted_result_without_winner_and_a_zero_amount_give_no_winner_and_no_amount():
    zero = '<cbc:PayableAmount currencyID="EUR">0</cbc:PayableAmount>'
    payload = feed_of(result("3", []), result("8", [("B55555555", "Jardines SL")], zero))
    [record] = records(payload).values()
    assert [(a.supplier_name, a.amount) for a in record.awards] == [("Jardines SL", None)]
