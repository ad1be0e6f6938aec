"""Awards where readers look: the opportunity page and its history, the JSON API and the
portal's OCDS export. Stored one row per supplier, they are shown one per award."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from lxml import html

from portal.opportunities.models import (
    ChangeKind,
    OpportunityAward,
    OpportunityChange,
    OpportunityStatus,
)

RUC = "20601234565"  # check digit: 105 mod 11 = 6, 11 − 6 = 5
AWARDED_AT = datetime(2026, 6, 18, 17, 0, tzinfo=UTC)  # 12:00 in Lima


@pytest.fixture
def awarded(session, make_opportunity):
    """A works call won by a consortium of two (one award) and a cancelled award to a third."""
    opportunity = make_opportunity(
        title="Mejoramiento de la losa deportiva de Pachacámac",
        status=OpportunityStatus.AWARDED,
        ocid="ocds-dgv273-seacev3-4001",
    )
    joint = {"source_award_id": "A1", "amount": Decimal("150000.00"), "awarded_at": AWARDED_AT}
    session.add_all(
        [
            OpportunityAward(
                opportunity_id=opportunity.id,
                position=0,
                supplier_name="Constructora Andina S.A.C.",
                supplier_ruc=RUC,
                **joint,
            ),
            OpportunityAward(
                opportunity_id=opportunity.id,
                position=1,
                supplier_name="Textiles Chavín E.I.R.L.",
                supplier_identifier="CONS-7",
                **joint,
            ),
            OpportunityAward(
                opportunity_id=opportunity.id,
                position=2,
                supplier_name="Servicios Misti E.I.R.L.",
                status="cancelled",
                source_award_id="A2",
            ),
            OpportunityChange(
                opportunity_id=opportunity.id,
                changed_at=AWARDED_AT,
                kind=ChangeKind.DETAILS_CHANGED,
                field="awards",
                old_value=None,
                new_value='[{"award":"A1","supplier":"Constructora Andina S.A.C.",'
                '"ruc":"20601234565","amount":"150000","currency":"PEN","status":"active"}]',
            ),
        ]
    )
    session.commit()
    return opportunity


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def facts(award) -> list[tuple[str, str]]:
    [listing] = award.cssselect("dl")
    terms, values = listing.cssselect("dt"), listing.cssselect("dd")
    return list(zip(map(text_of, terms), map(text_of, values), strict=True))


def test_the_page_shows_each_award_with_its_winners_amount_date_and_status(client, awarded):
    page = html.fromstring(client.get(f"/oportunidades/{awarded.id}").get_data(as_text=True))

    [section] = page.cssselect("section.awards")
    assert text_of(section.cssselect("h2")[0]) == "Adjudicación"
    joint, cancelled = section.cssselect("li.award")
    assert [text_of(winner) for winner in joint.cssselect(".winners li")] == [
        "Constructora Andina S.A.C. RUC 20601234565",
        "Textiles Chavín E.I.R.L. CONS-7",
    ]
    assert text_of(joint.cssselect(".consortium")[0]) == (
        "Consorcio · 2 empresas, un solo monto para todas"
    )
    assert facts(joint) == [
        ("Monto del consorcio", "S/ 150,000.00"),
        ("Fecha", "18/06/2026"),
    ]
    assert [text_of(winner) for winner in cancelled.cssselect(".winners li")] == [
        "Servicios Misti E.I.R.L."
    ]
    assert facts(cancelled) == [
        ("Monto", "no publicado"),
        ("Fecha", "—"),
        ("Estado", "cancelada"),
    ]
    [change] = page.cssselect("section.history tbody tr")
    assert [text_of(cell) for cell in change.cssselect("td")][1:] == [
        "Adjudicación",
        "—",
        "Adjudicado a Constructora Andina S.A.C. (RUC 20601234565) por S/ 150,000.00",
    ]


def test_a_page_without_awards_has_no_award_section(client, make_opportunity):
    opportunity = make_opportunity()
    page = html.fromstring(client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True))
    assert page.cssselect("section.awards") == []


def test_the_api_lists_awards_with_their_suppliers(client, awarded):
    expected = [
        {
            "id": "A1",
            "status": "active",
            "date": "2026-06-18T17:00:00Z",
            "amount": "150000.00",
            "currency": "PEN",
            "suppliers": [
                {"name": "Constructora Andina S.A.C.", "ruc": RUC, "identifier": None},
                {"name": "Textiles Chavín E.I.R.L.", "ruc": None, "identifier": "CONS-7"},
            ],
        },
        {
            "id": "A2",
            "status": "cancelled",
            "date": None,
            "amount": None,
            "currency": "PEN",
            "suppliers": [{"name": "Servicios Misti E.I.R.L.", "ruc": None, "identifier": None}],
        },
    ]
    detail = client.get(f"/api/v1/opportunities/{awarded.id}").get_json()["data"]
    assert detail["awards"] == expected
    listing = client.get("/api/v1/opportunities?q=losa&status=awarded").get_json()["data"]
    assert [row["awards"] for row in listing] == [expected]
    by_columns = client.get("/api/v1/opportunities?status=awarded").get_json()["data"]
    assert [row["awards"] for row in by_columns] == [expected]


def test_the_ocds_export_carries_awards_and_their_supplier_parties(client, awarded):
    package = json.loads(client.get("/buscar.ocds.json?q=losa&status=awarded").data)
    [release] = package["releases"]

    assert release["tag"] == [
        "award"
    ]  # an awarded call with its awards (portal.feeds.ocds.release_tags)
    assert release["awards"] == [
        {
            "id": "A1",
            "status": "active",
            "suppliers": [
                {"id": f"PE-RUC-{RUC}", "name": "Constructora Andina S.A.C."},
                {"id": "supplier-2", "name": "Textiles Chavín E.I.R.L."},
            ],
            "date": "2026-06-18T17:00:00Z",
            "value": {"amount": 150000.0, "currency": "PEN"},
        },
        {
            "id": "A2",
            "status": "cancelled",
            "suppliers": [{"id": "supplier-3", "name": "Servicios Misti E.I.R.L."}],
        },
    ]
    suppliers = [party for party in release["parties"] if party["roles"] == ["supplier"]]
    assert suppliers == [
        {
            "id": f"PE-RUC-{RUC}",
            "name": "Constructora Andina S.A.C.",
            "identifier": {
                "scheme": "PE-RUC",
                "id": RUC,
                "legalName": "Constructora Andina S.A.C.",
            },
            "roles": ["supplier"],
        },
        {
            "id": "supplier-2",
            "name": "Textiles Chavín E.I.R.L.",
            "identifier": {"id": "CONS-7"},
            "roles": ["supplier"],
        },
        {"id": "supplier-3", "name": "Servicios Misti E.I.R.L.", "roles": ["supplier"]},
    ]
    party_ids = [party["id"] for party in release["parties"]]
    assert len(party_ids) == len(set(party_ids))  # every reference names exactly one party
