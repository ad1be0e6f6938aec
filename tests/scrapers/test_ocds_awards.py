"""OCDS awards become AwardRecords: winner, RUC when it is one, amount, date and status."""

import copy
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

from portal.opportunities.models import OpportunityStatus
from scrapers import ocds
from scrapers.records import AwardRecord, OpportunityRecord, ParseContext

CONTEXT = ParseContext(source_key="ocds-test")
PARAGUAY = "ocds-sample-data/paraguay"
AWARD_RELEASE = (
    f"{PARAGUAY}/releases/"
    "ocds-03ad3f-277004-277004-adquisicion-equipos-e-insumos-informaticos-1-award.json"
)
TENDER_RELEASE = (
    f"{PARAGUAY}/releases/277004-adquisicion-equipos-e-insumos-informaticos-tender.json"
)
CONSTRUCTORA = "Constructora Andina S.A.C."
RUC = "20601234565"  # 2·5+0·4+6·3+0·2+1·7+2·6+3·5+4·4+5·3+6·2 = 105; 105 mod 11 = 6; 11 − 6 = 5


def parsed(*releases: dict) -> dict[str, OpportunityRecord]:
    payload = json.dumps({"uri": "x", "releases": list(releases)}).encode()
    items = ocds.parse(io.BytesIO(payload), CONTEXT)
    return {item.source_ref: item for item in items if isinstance(item, OpportunityRecord)}


def parsed_file(path) -> dict[str, OpportunityRecord]:
    with path.open("rb") as stream:
        items = ocds.parse(stream, CONTEXT)
        return {item.source_ref: item for item in items if isinstance(item, OpportunityRecord)}


def peruvian_release(awards: list[dict], suppliers: list[dict] = ()) -> dict:
    """A Peruvian AS call, as OECE publishes it, with the given awards and supplier parties."""
    return {
        "ocid": "ocds-dgv273-seacev3-2001",
        "id": "2",
        "date": "2024-06-20T10:00:00-05:00",
        "tag": ["tender", "award"],
        "parties": [
            {
                "id": "PE-RUC-20131312955",
                "name": "Seguro Social de Salud",
                "identifier": {"scheme": "PE-RUC", "id": "20131312955"},
                "address": {"countryName": "Perú", "region": "LIMA METROPOLITANA"},
                "roles": ["buyer"],
            },
            *suppliers,
        ],
        "buyer": {"id": "PE-RUC-20131312955", "name": "Seguro Social de Salud"},
        "tender": {
            "id": "AS-SM-35-2024-ESSALUD-1",
            "title": "Mejoramiento del local de la posta",
            "status": "complete",
            "value": {"amount": 160000, "currency": "PEN"},
        },
        "awards": awards,
    }


def supplier_party(party_id: str, name: str, identifier: dict) -> dict:
    return {"id": party_id, "name": name, "identifier": identifier, "roles": ["supplier"]}


def test_the_dncp_award_release_names_each_winner_once_with_the_awards_amount(shared_fixtures):
    """The real DNCP award lists four suppliers, one of them twice (two lots): three winners,
    each with the award's amount, their Paraguayan RUC kept as the source's id, not as a RUC."""
    tender = json.loads((shared_fixtures / TENDER_RELEASE).read_text(encoding="utf-8"))
    award = json.loads((shared_fixtures / AWARD_RELEASE).read_text(encoding="utf-8"))

    [record] = parsed(tender, award).values()

    assert record.status is OpportunityStatus.AWARDED
    awarded_at = datetime(2016, 2, 26, 20, 53, 51, tzinfo=UTC)  # 15:53:51 at -05:00
    award_id = "277004-adquisicion-equipos-e-insumos-informaticos-1"
    assert record.awards == tuple(
        AwardRecord(
            supplier_name=name,
            supplier_identifier=identifier,
            amount=Decimal("2116219396"),
            currency="PYG",
            awarded_at=awarded_at,
            status="active",
            source_award_id=award_id,
        )
        for name, identifier in (
            ("DATA LAB SA", "80030218-4"),
            ("MARCELO ADDARIO PAVON", "754010-8"),
            ("PARASUR SA", "80015541-6"),
        )
    )


def test_record_packages_carry_their_compiled_awards(shared_fixtures):
    records = parsed_file(shared_fixtures / "ocds-cdmx-paraguay" / "record-package_1.1.json")
    [award] = records["ocds-03ad3f-193399"].awards
    assert (award.supplier_name, award.supplier_identifier) == ("MASTER SOFT SRL", "80007525-0")
    assert (award.amount, award.currency, award.status) == (Decimal("135630400"), "PYG", "active")
    assert award.awarded_at == datetime(2010, 4, 23, 12, 25, 10, tzinfo=UTC)


def test_a_consortium_with_the_literal_id_null_keeps_its_name_without_an_id(shared_fixtures):
    records = parsed_file(shared_fixtures / f"{PARAGUAY}/records/280555.json")
    [award] = records["ocds-03ad3f-280555"].awards
    assert award.supplier_name == "CONSORCIO SIEMENS - RIEDER - 500 KV"
    assert award.supplier_identifier is None
    assert (award.amount, award.currency) == (Decimal("45233757"), "USD")


def test_lots_won_by_one_firm_are_one_record_per_award(shared_fixtures):
    """Colombia's SECOP: RIELCO won two awards (4876707 and 4876740) of one process."""
    records = parsed_file(
        shared_fixtures / "ocds-sample-data/colombia/records/ocds-k50g02-16-13-5279502.json"
    )
    awards = records["ocds-k50g02-16-13-5279502"].awards
    assert [(a.source_award_id, a.supplier_name, a.amount) for a in awards] == [
        ("4876707", "RIELCO LTDA", Decimal("6000000.0")),
        ("4876740", "RIELCO LTDA", Decimal("2605500.0")),
    ]
    assert {(a.currency, a.status, a.supplier_identifier) for a in awards} == {
        ("COP", "active", "860536079")
    }


def test_a_pending_award_without_amount_keeps_the_tender_currency(shared_fixtures):
    """Mexico City's release states the award as pending, value 0 and currency null."""
    path = shared_fixtures / "ocds-cdmx-paraguay" / "release-package_encoding-utf-8.json"
    with path.open("rb") as stream:
        first_release = json.load(stream)["releases"][0]
    [record] = parsed(first_release).values()
    [award] = record.awards
    assert (award.supplier_name, award.supplier_identifier) == (
        "COMERCIALIZADORA DE EQUIPOS",
        "CES031203IG0",
    )
    assert (award.amount, award.currency, award.status) == (None, "MXN", "pending")


def test_a_peruvian_winner_gets_its_ruc_from_the_pe_ruc_scheme():
    party = supplier_party("PE-RUC-" + RUC, CONSTRUCTORA, {"scheme": "PE-RUC", "id": RUC})
    award = {
        "id": "AS-SM-35-2024-ESSALUD-1-A1",
        "status": "active",
        "date": "2024-06-18T12:00:00-05:00",
        "value": {"amount": 150000, "currency": "PEN"},
        "suppliers": [{"id": "PE-RUC-" + RUC, "name": CONSTRUCTORA}],
    }
    [record] = parsed(peruvian_release([award], [party])).values()
    assert record.awards == (
        AwardRecord(
            supplier_name=CONSTRUCTORA,
            supplier_ruc=RUC,
            amount=Decimal("150000"),
            currency="PEN",
            awarded_at=datetime(2024, 6, 18, 17, tzinfo=UTC),
            source_award_id="AS-SM-35-2024-ESSALUD-1-A1",
        ),
    )


def test_a_ruc_is_read_from_a_pe_ruc_party_id_but_only_with_a_valid_check_digit():
    good = {"id": "PE-RUC-" + RUC, "name": CONSTRUCTORA}
    bad = {"id": "PE-RUC-20601234560", "name": "Servicios Misti E.I.R.L."}  # check digit 0 ≠ 5
    other_scheme = supplier_party("s-3", "Ferretería Sur", {"scheme": "PE-DNI", "id": RUC})
    award = {"id": "1", "status": "active", "suppliers": [good, bad, {"id": "s-3"}]}
    [record] = parsed(peruvian_release([award], [other_scheme])).values()
    assert [(a.supplier_name, a.supplier_ruc, a.supplier_identifier) for a in record.awards] == [
        (CONSTRUCTORA, RUC, None),
        ("Servicios Misti E.I.R.L.", None, "PE-RUC-20601234560"),
        ("Ferretería Sur", None, RUC),  # 11 valid digits, but the scheme says it is no RUC
    ]


def test_cancelled_and_unsuccessful_awards_are_kept_with_their_status_zero_is_no_amount():
    winner = {"name": "  <b>Consorcio</b>   Vial  Sur  "}
    awards = [
        {"id": "1", "status": "cancelled", "value": {"amount": 0}, "suppliers": [winner]},
        {"id": "2", "status": "unsuccessful", "suppliers": [{"name": "Textiles Chavín"}]},
        {"id": "3", "status": "adjudicado", "suppliers": [{"name": "Rosa Mamani"}]},
        {"id": "4", "status": "active", "suppliers": [{"id": "x"}]},  # no name: no winner
    ]
    [record] = parsed(peruvian_release(awards)).values()
    assert [(a.supplier_name, a.status, a.amount) for a in record.awards] == [
        ("Consorcio Vial Sur", "cancelled", None),
        ("Textiles Chavín", "unsuccessful", None),
        ("Rosa Mamani", "pending", None),  # not in the codelist: not confirmed
    ]
    assert record.status is OpportunityStatus.AWARDED  # award 4 is active


def test_an_award_only_release_brings_its_winner_to_the_earlier_tender():
    tender = peruvian_release([])
    tender["tag"], tender["date"] = ["tender"], "2024-05-02T10:00:00-05:00"
    tender["tender"] = tender["tender"] | {"status": "active"}
    award = {
        "ocid": tender["ocid"],
        "id": "3",
        "date": "2024-06-20T10:00:00-05:00",
        "tag": ["award"],
        "awards": [
            {
                "id": "A1",
                "status": "pending",
                "value": {"amount": "150000.00", "currency": "PEN"},
                "suppliers": [
                    {"name": CONSTRUCTORA, "identifier": {"scheme": "PE-RUC", "id": RUC}}
                ],
            }
        ],
    }
    [record] = parsed(tender, award).values()
    assert record.title == "Mejoramiento del local de la posta"
    assert record.status is OpportunityStatus.OPEN  # a pending award does not award the call
    assert [(a.supplier_ruc, a.amount, a.status) for a in record.awards] == [
        (RUC, Decimal("150000.00"), "pending")
    ]

    confirmed = copy.deepcopy(award)
    confirmed["date"], confirmed["awards"][0]["status"] = "2024-06-25T10:00:00-05:00", "active"
    [record] = parsed(tender, award, confirmed).values()
    assert record.status is OpportunityStatus.AWARDED
    assert [a.status for a in record.awards] == ["active"]


def test_a_release_without_awards_has_none():
    tender = peruvian_release([])
    del tender["awards"]
    [record] = parsed(tender).values()
    assert record.awards == ()
