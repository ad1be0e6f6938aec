"""The documents a call lists, on its page: title, kind in the reader's words, date, and a
link only when it is http(s), through the same check as every link from a source."""

from datetime import UTC, datetime

from lxml import html

from portal.opportunities.models import OpportunityDocument


def documents_section(client, opportunity_id: int):
    page = html.fromstring(client.get(f"/oportunidades/{opportunity_id}").get_data(as_text=True))
    return page, page.cssselect("section.documents")


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def test_the_page_lists_the_documents_with_kind_date_and_link(client, make_opportunity):
    opportunity = make_opportunity(
        title="Adquisición de equipos informáticos",
        documents=[
            OpportunityDocument(
                position=0,
                title="Bases integradas",
                url="https://prod2.seace.gob.pe/docs/bases.pdf",
                document_type="biddingDocuments",
                source_document_id="101",
                published_at=datetime(2026, 6, 2, 14, 0, tzinfo=UTC),  # 09:00 in Lima
            ),
            OpportunityDocument(
                position=1,
                title="Adenda",
                url="https://www.contrataciones.gov.py/documentos/download/convocatoria/Q2Pn",
                document_type="Adenda",
            ),
            OpportunityDocument(position=2, title="Anexo I.docx"),
        ],
    )

    _, [section] = documents_section(client, opportunity.id)

    assert text_of(section.cssselect("h2")[0]) == "Documentos"
    assert [text_of(item) for item in section.cssselect("li.document")] == [
        "Bases integradas · Bases · 02/06/2026",
        "Adenda · Adenda",
        "Anexo I.docx",
    ]
    links = section.cssselect("a")
    assert [(a.text_content(), a.get("href"), a.get("rel")) for a in links] == [
        ("Bases integradas", "https://prod2.seace.gob.pe/docs/bases.pdf", "noopener noreferrer"),
        (
            "Adenda",
            "https://www.contrataciones.gov.py/documentos/download/convocatoria/Q2Pn",
            "noopener noreferrer",
        ),
    ]


def test_a_javascript_link_stored_before_links_were_checked_is_never_an_href(
    client, make_opportunity
):
    opportunity = make_opportunity(
        documents=[
            OpportunityDocument(position=0, title="Anexo técnico", url="javascript:alert(1)"),
            OpportunityDocument(position=1, title="Plano", url=" JaVaScRiPt:alert(2)"),
            OpportunityDocument(position=2, title="Memoria", url="data:text/html,<b>x</b>"),
        ]
    )

    page, [section] = documents_section(client, opportunity.id)

    assert [text_of(item) for item in section.cssselect("li.document")] == [
        "Anexo técnico",
        "Plano",
        "Memoria",
    ]
    assert section.cssselect("a") == []
    hrefs = [element.get("href") for element in page.iter() if element.get("href")]
    assert not [href for href in hrefs if "script" in href.lower() or href.startswith("data:")]


def test_a_call_without_documents_has_no_documents_section(client, make_opportunity):
    _, sections = documents_section(client, make_opportunity().id)
    assert sections == []
