"""The detail page names a process by the codes people quote: its SEACE nomenclature, and its
UNSPSC and CUBSO codes beside the name of their family or segment."""

import pytest
from lxml import html

from portal.opportunities.models import OpportunityClassification
from portal.reference.models import Sector


def _page(client, opportunity, language: str = "es"):
    response = client.get(f"/oportunidades/{opportunity.id}?lang={language}")
    assert response.status_code == 200
    return html.fromstring(response.text)


def _facts(page) -> dict[str, str]:
    terms = page.cssselect("article > dl.facts > dt")
    return {dt.text_content(): " ".join(dt.getnext().text_content().split()) for dt in terms}


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"source_ref": "AS-SM-219-2026-MVES-1"}, "AS-SM-219-2026-MVES-1"),  # SEACE listings
        (  # the demo's OCDS releases: procurementMethodDetails
            {"source_ref": "ocds-dgv273-demo-000219", "procedure_text": "AS-SM-219-2026-MVES-1"},
            "AS-SM-219-2026-MVES-1",
        ),
        (
            {"source_ref": "ocds-dgv273-seacev3-1225062", "title": "COMPRE-27-2026"},
            "COMPRE-27-2026",
        ),
        ({"source_ref": "CP SER-SM-1-2026-MDCC-1"}, "CP SER-SM-1-2026-MDCC-1"),
    ],
)
def test_the_nomenclature_is_shown_wherever_the_source_put_it(
    client, make_opportunity, fields, shown
):
    opportunity = make_opportunity(**fields)

    assert _facts(_page(client, opportunity))["Nomenclatura"] == shown


def test_no_nomenclature_line_when_the_source_gave_none(client, make_opportunity):
    opportunity = make_opportunity(
        source_ref="ocds-dgv273-seacev3-1234", procedure_text="Adjudicación Simplificada"
    )

    assert "Nomenclatura" not in _facts(_page(client, opportunity))


def test_codes_are_named_by_their_family_else_their_segment(client, session, make_opportunity):
    session.add(
        Sector(
            code="30110000",
            level="family",
            parent_code="30000000",
            name_es="Hormigón, cemento y yeso",
            name_en="Concrete and cement and plaster",
        )
    )
    opportunity = make_opportunity(title="Compra de cemento y botines")
    opportunity.classifications = [
        OpportunityClassification(
            scheme="CUBSO", code="3011160100012345", description="CEMENTO PORTLAND TIPO I"
        ),
        OpportunityClassification(scheme="UNSPSC", code="46181605"),  # segment 46 only
        OpportunityClassification(scheme="UNSPSC", code="99999999"),  # no such segment
        OpportunityClassification(scheme="CPV", code="44111200", description="Cemento"),
    ]
    session.commit()

    page = _page(client, opportunity)

    items = [" ".join(li.text_content().split()) for li in page.cssselect("ul.classifications li")]
    assert items == [
        "CUBSO 3011160100012345 Hormigón, cemento y yeso · CEMENTO PORTLAND TIPO I",
        "UNSPSC 46181605 Defensa, seguridad y protección",
        "UNSPSC 99999999",
        "CPV 44111200 · Cemento",
    ]


def test_codes_are_named_in_english_on_the_english_page(client, make_opportunity):
    opportunity = make_opportunity(classifications=("46181605",))

    [name] = _page(client, opportunity, "en").cssselect("ul.classifications .sector-name")

    assert name.text_content() == "Defence, security and safety equipment"


def test_a_notice_without_codes_says_so(client, make_opportunity):
    opportunity = make_opportunity()

    assert _facts(_page(client, opportunity))["Clasificación"] == "—"
