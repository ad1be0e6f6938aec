"""The plan page lists every version with where it came from; the changes page compares two."""

from decimal import Decimal

from factories import NOW
from plan_factories import plan_line

from portal.accounts.models import Role


def amended_plan(make_buyer, make_version):
    """Version 1 with lines 1-3; version 2 drops 1, moves 2 to July at S/ 2,500.50, adds 4."""
    buyer = make_buyer(name="Municipalidad de Miraflores")
    make_version(buyer, 1, [plan_line("1"), plan_line("2"), plan_line("3")], days_ago=60)
    make_version(
        buyer,
        2,
        [
            plan_line("2", planned_month=7, estimated_value=Decimal("2500.50")),
            plan_line("3"),
            plan_line("4", description="Tóner para impresoras"),
        ],
        days_ago=10,
    )
    return buyer


def changes_url(buyer, query: str = "") -> str:
    return f"/planes/{buyer.id}/{NOW.year}/cambios{query}"


def test_changes_page_shows_added_removed_and_changed_lines_of_the_latest_amendment(
    client, make_buyer, make_version
):
    buyer = amended_plan(make_buyer, make_version)

    response = client.get(changes_url(buyer))
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    added = page.split('class="lines-added"')[1].split("</section>")[0]
    removed = page.split('class="lines-removed"')[1].split("</section>")[0]
    changed = page.split('class="lines-changed"')[1].split("</section>")[0]
    assert "Tóner para impresoras" in added and "Línea 1" not in added
    assert "Línea 1" in removed and "Línea 3" not in page.split('class="lines-added"')[1]
    assert '"old-value" data-label="Antes">S/ 1,000.00<' in changed
    assert '"new-value" data-label="Después">S/ 2,500.50<' in changed
    assert "marzo" in changed and "julio" in changed
    assert "Línea 3" not in changed
    assert f'href="/planes/{buyer.id}/{NOW.year}?version=2&amp;linea=4#linea-4"' in added
    assert f'href="/planes/{buyer.id}/{NOW.year}?version=1&amp;linea=1#linea-1"' in removed


def test_any_two_versions_can_be_compared_from_the_form(client, make_buyer, make_version):
    buyer = amended_plan(make_buyer, make_version)
    make_version(buyer, 3, [plan_line("3")], days_ago=1)

    page = client.get(changes_url(buyer, "?de=1&a=3")).get_data(as_text=True)

    assert 'name="de"' in page and 'name="a"' in page
    assert '<option value="1" selected>' in page and '<option value="3" selected>' in page
    removed = page.split('class="lines-removed"')[1].split("</section>")[0]
    assert "Línea 1" in removed and "Línea 2" in removed
    assert 'class="lines-added"' not in page


def test_the_same_version_twice_shows_no_changes(client, make_buyer, make_version):
    buyer = amended_plan(make_buyer, make_version)

    page = client.get(changes_url(buyer, "?de=2&a=2")).get_data(as_text=True)

    assert "Las líneas de estas dos versiones son iguales." in page


def test_a_plan_with_one_version_says_there_is_nothing_to_compare(client, make_plan):
    plan = make_plan()

    page = client.get(f"/planes/{plan.buyer_id}/{plan.fiscal_year}/cambios").get_data(as_text=True)

    assert "Este plan tiene una sola versión" in page


def test_bad_versions_are_a_clear_error_not_a_500(client, make_buyer, make_version):
    buyer = amended_plan(make_buyer, make_version)

    for query in ("?de=abc", "?a=-1", "?de=0", "?a=99999999999", "?de=%00", "?a=%D9%A1"):
        response = client.get(changes_url(buyer, query))
        assert response.status_code == 400, query
        assert "número de versión" in response.get_data(as_text=True), query
    assert client.get(changes_url(buyer, "?de=7")).status_code == 404
    assert client.get(f"/planes/{buyer.id}/1999/cambios").status_code == 404


def test_plan_page_lists_every_version_with_date_lines_provenance_and_changes_link(
    client, session, make_buyer, make_version, make_user
):
    buyer = make_buyer()
    staff = make_user(role=Role.AGENCY_STAFF, buyer=buyer)
    make_version(buyer, 1, [plan_line("1")], days_ago=60)
    make_version(buyer, 2, [plan_line("1"), plan_line("2")], days_ago=10, uploaded_by_id=staff.id)

    page = client.get(f"/planes/{buyer.id}/{NOW.year}").get_data(as_text=True)

    rows = page.split('<tr class="plan-version')[1:]
    assert len(rows) == 2
    newest, oldest = rows
    assert "Subido por la entidad" in newest and 'data-label="Líneas">2</td>' in newest
    assert "Obtenido de la fuente Fuente de prueba" in oldest
    assert 'data-label="Líneas">1</td>' in oldest
    assert staff.email not in page
    assert f'href="/planes/{buyer.id}/{NOW.year}/cambios?de=1&amp;a=2">ver cambios' in newest
    assert "ver cambios" not in oldest


def test_plan_lines_are_anchored_by_their_reference_number(client, make_buyer, make_version):
    buyer = make_buyer()
    make_version(buyer, 1, [plan_line("12"), plan_line("LP 3/2026"), plan_line("N°5")])

    page = client.get(f"/planes/{buyer.id}/{NOW.year}").get_data(as_text=True)

    assert 'id="linea-12"' in page
    assert 'id="linea-LP_20_3_2f_2026"' in page
    assert 'id="linea-N_b0_5"' in page


HOSTILE_VALUES = ("%00", "a%01b", "%C2%B2", "9" * 40, "-1", "1e999", "NaN", "%FF", "x" * 600)


def test_hostile_query_strings_on_plan_pages_are_client_errors_at_worst(
    client, make_buyer, make_version
):
    buyer = amended_plan(make_buyer, make_version)
    base = f"/planes/{buyer.id}/{NOW.year}"
    failures = []
    for path in (base, f"{base}/cambios", f"{base}/exportar"):
        for name in ("version", "de", "a", "formato"):
            for value in HOSTILE_VALUES:
                status = client.get(f"{path}?{name}={value}").status_code
                if status >= 500:
                    failures.append(f"{path}?{name}={value} -> {status}")
    assert failures == []
