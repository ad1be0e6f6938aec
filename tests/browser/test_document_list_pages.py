"""A call's documents on its page in headless Chromium at 390 px and 1366 px: file names as
long as publishers write them (no spaces to break at) never push the page sideways, no console
error (the CSP holds), and axe-core finds no violation."""

import pytest
from browser_pages import VIEWPORTS, Problems, accessibility_violations, check_page
from factories import create_opportunity

from portal.opportunities.models import OpportunityDocument

FILE_NAME = "requisicion_072_20161214_110416_bases_integradas_con_absolucion_de_consultas.pdf"
LINK = f"https://prod2.seace.gob.pe/seacebus-uiwd-pub/documentos/descarga/{FILE_NAME}"


@pytest.fixture
def call_with_documents(session):
    return create_opportunity(
        session,
        title="Adquisición de equipos e insumos informáticos para las sedes descentralizadas",
        documents=[
            OpportunityDocument(
                position=0, title=FILE_NAME, url=LINK, document_type="biddingDocuments"
            ),
            OpportunityDocument(
                position=1,
                title="Adenda",
                url=LINK + "?adenda=5",
                document_type="Condiciones_Generales_del_Contrato_Bienes_y_Servicios",
            ),
            OpportunityDocument(position=2, title="Anexo técnico", url="javascript:alert(1)"),
        ],
    )


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda viewport: f"{viewport['width']}px")
def test_the_document_list_fits_and_passes_axe(
    new_context, live_server, call_with_documents, screenshots, viewport
):
    page = new_context().new_page()
    problems = Problems(live_server)
    problems.watch(page)
    page.set_viewport_size(viewport)
    url = f"{live_server}/oportunidades/{call_with_documents.id}"
    page.goto(url)

    assert page.locator("section.documents li.document").count() == 3
    assert page.locator("section.documents a").count() == 2
    failures = check_page(page, problems, url, screenshots)
    failures += accessibility_violations(page)
    assert not failures, "\n".join(failures)
