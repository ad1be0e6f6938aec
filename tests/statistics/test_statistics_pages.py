"""The dashboard pages: only administrators see /admin/estadisticas (its charts and CSVs too);
/estadisticas is open to everyone and shows none of the administrators' figures; charts are
script-free SVG with a policy of their own; CSV cells cannot run as formulas."""

import csv
import io

import pytest

from portal.accounts.models import Role
from portal.security.headers import CONTENT_SECURITY_POLICY

SPRING = "?desde=2026-03-01&hasta=2026-04-30"
ADMIN_PATHS = [
    "/admin/estadisticas",
    "/admin/estadisticas/graficos/tendencia.svg",
    "/admin/estadisticas/plazo-corto.csv",
    "/admin/estadisticas/fuentes.csv",
]
ADMIN_ONLY_TEXT = [
    "Bajas de alertas",
    "MYPE con alertas activas",
    "Entidades que más veces dieron menos plazo",
    "Fuentes",
    "Alertas enviadas",
    "Planes anuales 2026",
]


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert "/ingresar" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.SME, Role.AGENCY_STAFF])
@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_smes_and_agency_staff_are_refused(signed_in, make_buyer, role, path):
    buyer = make_buyer() if role == Role.AGENCY_STAFF else None
    client, _user = signed_in(role=role, buyer=buyer)

    assert client.get(path).status_code == 403


def test_administrators_see_every_figure(signed_in, data_set):
    client, _admin = signed_in(role=Role.ADMIN)

    page = client.get(f"/admin/estadisticas{SPRING}")

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for shown in ADMIN_ONLY_TEXT:
        assert shown in text
    assert "Municipalidad de Miraflores" in text  # among the entities below the minimum
    assert "/admin/estadisticas/graficos/plazo-corto.svg?" in text


def test_the_public_page_shows_no_administrators_figures(client, data_set):
    page = client.get(f"/estadisticas{SPRING}")

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Días para preparar la oferta tras la alerta" in text
    main = text.split("<main", 1)[1].split("</main>", 1)[0]  # the footer links /fuentes
    for hidden in ADMIN_ONLY_TEXT:
        assert hidden not in main
    assert "/admin/" not in text.split("<main", 1)[1]  # no link into the admin pages
    assert data_set.user.email not in text


@pytest.mark.parametrize(
    "path",
    [
        "/estadisticas/graficos/plazo-corto.svg",
        "/estadisticas/plazo-corto.csv",
        "/estadisticas/fuentes.csv",
        "/estadisticas/mype-region.csv",
    ],
)
def test_administrators_figures_do_not_exist_in_public(client, path):
    assert client.get(path).status_code == 404


def test_the_public_page_offers_no_breakdown_by_entity(client):
    assert client.get("/estadisticas?por=buyer").status_code == 400


@pytest.mark.parametrize(
    "query",
    ["desde=2026-13-01", "desde=ayer", "hasta=1999-12-31", "region=lima", "sector=43", "por=x"],
)
def test_values_the_form_never_offers_are_refused(client, query):
    assert client.get(f"/estadisticas?{query}").status_code == 400


def test_a_start_after_the_end_is_refused(client):
    assert client.get("/estadisticas?desde=2026-05-01&hasta=2026-04-01").status_code == 400


def test_the_page_keeps_the_sites_policy_and_charts_get_their_own(client, data_set):
    page = client.get(f"/estadisticas{SPRING}")
    chart = client.get(f"/estadisticas/graficos/tendencia.svg{SPRING}")

    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert chart.status_code == 200
    assert chart.mimetype == "image/svg+xml"
    assert (
        chart.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    )
    svg = chart.get_data(as_text=True)
    assert svg.startswith("<?xml") or svg.startswith("<svg")
    assert "<script" not in svg and "kozea.github.io" not in svg
    assert "mar 2026" in svg or "mar. 2026" in svg  # the months are its labels


@pytest.mark.parametrize("key", ["tendencia", "distribucion", "desglose", "aviso-plan"])
def test_each_public_chart_is_an_svg(client, data_set, key):
    response = client.get(f"/estadisticas/graficos/{key}.svg{SPRING}&por=procedure")

    assert response.status_code == 200
    assert "<svg" in response.get_data(as_text=True)


def test_the_trend_csv_has_one_row_per_month_with_numbers(client, data_set):
    response = client.get(f"/estadisticas/tendencia.csv{SPRING}")

    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert response.mimetype == "text/csv"
    assert "tendencia-2026-03-01-2026-04-30.csv" in response.headers["Content-Disposition"]
    assert rows[0][0] == "Mes" and len(rows) == 3
    march = rows[1]
    # calls of March: c1 and c2, 8.5 and 12 days, one of two below the minimum
    assert march[4:] == ["2", "10.25", "9.0", "50.0"]


def test_csv_cells_cannot_run_as_formulas(signed_in, data_set, session):
    data_set.buyers["lima"].name = '=HYPERLINK("http://evil.example")'
    session.commit()
    client, _admin = signed_in(role=Role.ADMIN)

    response = client.get(f"/admin/estadisticas/plazo-corto.csv{SPRING}")

    text = response.get_data(as_text=True)
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_the_admin_page_links_every_chart_and_download(signed_in, data_set):
    client, _admin = signed_in(role=Role.ADMIN)

    text = client.get(f"/admin/estadisticas{SPRING}&region=15").get_data(as_text=True)

    for key in ("tendencia", "distribucion", "desglose", "plazo-corto", "actividad"):
        assert f"/admin/estadisticas/graficos/{key}.svg?" in text
        assert f"/admin/estadisticas/{key}.csv?" in text
    assert "region=15" in text.split("graficos/tendencia.svg?", 1)[1].split('"', 1)[0]


def test_the_admin_navigation_and_the_footer_link_the_pages(signed_in, client):
    admin_client, _admin = signed_in(role=Role.ADMIN)

    assert 'href="/admin/estadisticas"' in admin_client.get("/admin/usuarios").get_data(
        as_text=True
    )
    assert 'href="/estadisticas"' in client.get("/").get_data(as_text=True)
