"""What staff see on their entity's page: its facts, plans, calls and colleagues; and how an
administrator opens any entity's page."""

from datetime import UTC, datetime, timedelta

from portal.accounts.models import Role
from portal.opportunities.models import OpportunityStatus


def test_entity_page_shows_facts_plans_calls_and_colleagues(
    signed_in, make_user, make_buyer, make_plan, make_opportunity
):
    buyer = make_buyer(name="Municipalidad Distrital de Cerro Colorado", ruc="20131312955")
    make_plan(buyer=buyer, fiscal_year=2024, version=1, lines=2)
    make_plan(buyer=buyer, fiscal_year=2024, version=2, lines=3)
    make_plan(buyer=make_buyer(), fiscal_year=2024, lines=7)  # another entity's plan
    now = datetime.now(UTC)
    make_opportunity(buyer_id=buyer.id, title="Compra de cemento")
    make_opportunity(buyer_id=buyer.id, title="Servicio de limpieza")
    make_opportunity(
        buyer_id=buyer.id,
        title="Obra cerrada",
        status=OpportunityStatus.CLOSED,
        deadline_at=now - timedelta(days=3),
    )
    make_opportunity(title="Convocatoria de otra entidad")
    make_user(email="colega@cerrocolorado.gob.pe", role=Role.AGENCY_STAFF, buyer=buyer)
    make_user(
        email="pendiente@cerrocolorado.gob.pe",
        role=Role.AGENCY_STAFF,
        buyer=buyer,
        approved=False,
    )
    client, _me = signed_in(role=Role.AGENCY_STAFF, buyer=buyer, email="yo@cerrocolorado.gob.pe")

    page = client.get(f"/entidad/{buyer.id}").text

    assert "Municipalidad Distrital de Cerro Colorado" in page
    assert "20131312955" in page
    assert "<dd>Lima</dd>" in page  # the factory's region 15
    assert f'href="/entidades/{buyer.id}"' in page
    assert f'href="/planes/{buyer.id}/2024?version=2"' in page
    assert f'href="/planes/{buyer.id}/2024?version=1"' in page
    assert page.index("version=2") < page.index("version=1")  # newest version first
    assert '<dd class="open-count">2</dd>' in page
    assert "Compra de cemento" in page and "Obra cerrada" in page
    assert "Convocatoria de otra entidad" not in page
    assert "colega@cerrocolorado.gob.pe" in page
    assert "pendiente@cerrocolorado.gob.pe" not in page
    assert f'href="/entidad/plan?entidad={buyer.id}"' in page
    assert 'type="file"' not in page


def test_entity_page_line_counts_follow_each_plan_version(signed_in, make_buyer, make_plan):
    buyer = make_buyer()
    make_plan(buyer=buyer, fiscal_year=2025, version=1, lines=4)
    client, _me = signed_in(role=Role.AGENCY_STAFF, buyer=buyer)

    page = client.get(f"/entidad/{buyer.id}").text

    assert "<td>4</td>" in page


def test_entity_without_plans_or_calls_says_so(signed_in, make_buyer):
    buyer = make_buyer()
    client, _me = signed_in(role=Role.AGENCY_STAFF, buyer=buyer)

    page = client.get(f"/entidad/{buyer.id}").text

    assert "Aún no conocemos un plan anual de esta entidad." in page
    assert "Esta entidad aún no tiene convocatorias registradas." in page
    assert "No hay otras personas autorizadas para esta entidad." in page


def test_administrator_opens_an_entity_by_ruc_or_number(signed_in, make_buyer):
    buyer = make_buyer(ruc="20503704065")
    client, _admin = signed_in(role=Role.ADMIN)

    chooser = client.get("/entidad")
    by_ruc = client.get("/entidad?entidad=20503704065")
    by_number = client.get(f"/entidad?entidad={buyer.id}")
    unknown = client.get("/entidad?entidad=20999999999")

    assert chooser.status_code == 200 and 'name="entidad"' in chooser.text
    assert by_ruc.headers["Location"] == f"/entidad/{buyer.id}"
    assert by_number.headers["Location"] == f"/entidad/{buyer.id}"
    assert unknown.status_code == 200
    assert "No encontramos una entidad" in unknown.text
    assert client.get(f"/entidad/{buyer.id}").status_code == 200
