"""Plan compliance: which public entities published their annual plan for a fiscal year, when,
how often amended, and the administrators' page and CSV export built on it."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from portal.accounts.models import Role
from portal.buyers.models import Buyer, GovernmentLevel
from portal.opportunities.models import ObjectType
from portal.plans import compliance
from portal.plans.compliance import (
    ComplianceFilters,
    compliance_rows,
    compliance_summary,
    current_fiscal_year,
    plan_status,
)
from portal.plans.models import PlanLine

YEAR = 2026
ROW_NAME = re.compile(r'class="compliance-row">\s*<td class="wrap"><a href="[^"]+">([^<]+)</a>')


def at(month: int, day: int, hour: int = 15, year: int = YEAR) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def names(session, **filters) -> list[str]:
    return [row.name for row in compliance_rows(session, ComplianceFilters(YEAR, **filters))]


def listed(response) -> list[str]:
    assert response.status_code == 200, response.text
    return ROW_NAME.findall(response.text)


@pytest.fixture
def three_entities(make_buyer, make_plan):
    """Piura amended its plan once; Cusco planned only last year; Arequipa never planned."""
    piura = make_buyer(name="Municipalidad de Piura", region_code="20", ruc="20147797100")
    make_plan(buyer=piura, fiscal_year=YEAR, version=1, published_at=at(1, 10), lines=1)
    make_plan(buyer=piura, fiscal_year=YEAR, version=2, published_at=at(3, 5), lines=3)
    cusco = make_buyer(name="Gobierno Regional de Cusco", government_level=GovernmentLevel.REGIONAL)
    make_plan(buyer=cusco, fiscal_year=YEAR - 1, published_at=at(1, 5, year=YEAR - 1))
    arequipa = make_buyer(name="Municipalidad de Arequipa", region_code="04")
    return {"piura": piura, "cusco": cusco, "arequipa": arequipa}


def test_published_entity_has_first_date_amendments_and_newest_version_totals(
    session, three_entities
):
    piura = plan_status(session, three_entities["piura"].id, YEAR)

    assert piura.published
    assert piura.first_published_at == at(1, 10)
    assert (piura.versions, piura.amendments, piura.latest_version) == (2, 1, 2)
    assert piura.latest_published_at == at(3, 5)
    assert piura.line_count == 3
    assert piura.total_value == Decimal("30000.00")  # 5,000 + 10,000 + 15,000 of version 2
    assert piura.ruc == "20147797100"
    assert piura.region_name == "Piura"


def test_entities_without_a_plan_this_year_come_first_then_by_name(session, three_entities):
    assert names(session) == [
        "Gobierno Regional de Cusco",  # a plan for last year is no plan for this one
        "Municipalidad de Arequipa",
        "Municipalidad de Piura",
    ]
    summary = compliance_summary(session, ComplianceFilters(YEAR))
    assert (summary.published, summary.not_published, summary.total) == (1, 2, 3)
    cusco = plan_status(session, three_entities["cusco"].id, YEAR)
    assert not cusco.published
    assert (cusco.versions, cusco.amendments, cusco.latest_version, cusco.line_count) == (
        0,
        0,
        None,
        0,
    )
    assert cusco.first_published_at is None and cusco.total_value is None


def test_value_counts_only_soles_lines(session, make_buyer, make_plan):
    plan = make_plan(buyer=make_buyer(), fiscal_year=YEAR, lines=1)
    plan.lines.append(
        PlanLine(
            reference_number="USD-1",
            description="Equipo importado",
            object_type=ObjectType.GOODS,
            estimated_value=Decimal("99999.00"),
            currency="USD",
            planned_month=4,
        )
    )
    session.commit()

    status = plan_status(session, plan.buyer_id, YEAR)

    assert (status.line_count, status.total_value) == (2, Decimal("5000.00"))


def test_private_and_foreign_buyers_are_left_out_unknown_level_is_kept(
    session, make_buyer, make_plan
):
    make_buyer(name="Minera privada", government_level=GovernmentLevel.PRIVATE)
    make_buyer(name="Ayuntamiento extranjero", government_level=GovernmentLevel.FOREIGN)
    make_buyer(name="Entidad de otro país", government_level=GovernmentLevel.UNKNOWN, country="ES")
    unknown = make_buyer(name="Entidad sin nivel", government_level=GovernmentLevel.UNKNOWN)
    private = make_buyer(name="Empresa con plan", government_level=GovernmentLevel.PRIVATE)
    make_plan(buyer=private, fiscal_year=YEAR)

    assert names(session) == ["Entidad sin nivel"]
    assert plan_status(session, private.id, YEAR) is None
    assert plan_status(session, unknown.id, YEAR).published is False
    assert compliance_summary(session, ComplianceFilters(YEAR)).total == 1


def test_filters_by_level_and_region_apply_to_rows_and_counts(session, three_entities):
    assert names(session, level=GovernmentLevel.REGIONAL) == ["Gobierno Regional de Cusco"]
    assert names(session, level=GovernmentLevel.LOCAL, region="20") == ["Municipalidad de Piura"]
    assert names(session, region="04") == ["Municipalidad de Arequipa"]
    assert names(session, level=GovernmentLevel.NATIONAL) == []
    summary = compliance_summary(session, ComplianceFilters(YEAR, level=GovernmentLevel.LOCAL))
    assert (summary.published, summary.not_published) == (1, 1)


@pytest.mark.parametrize(
    ("now", "year"),
    [
        (datetime(2027, 1, 1, 4, 59, tzinfo=UTC), 2026),  # 23:59 on 31 December in Lima
        (datetime(2027, 1, 1, 5, 0, tzinfo=UTC), 2027),  # midnight in Lima
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), 2026),
    ],
)
def test_fiscal_year_turns_at_midnight_in_lima(now, year):
    assert current_fiscal_year(now) == year


def test_rows_page_with_limit_and_offset(session, make_buyer):
    session.add_all(
        Buyer(
            name=f"Entidad {number:03d}",
            identifier_scheme="TEST",
            identifier=f"paged-{number}",
            government_level=GovernmentLevel.LOCAL,
        )
        for number in range(120)
    )
    session.commit()
    filters = ComplianceFilters(YEAR)

    third = [row.name for row in compliance_rows(session, filters, limit=50, offset=100)]

    assert third == [f"Entidad {number:03d}" for number in range(100, 120)]


def test_plans_stay_with_their_entities_across_query_chunks(
    session, make_buyer, make_plan, monkeypatch
):
    monkeypatch.setattr(compliance, "CHUNK", 2)
    for number in range(5):
        buyer = make_buyer(name=f"Entidad {number}")
        for version in range(1, number + 1):  # entity n has n versions of n lines
            make_plan(buyer=buyer, fiscal_year=YEAR, version=version, lines=number)

    rows = list(compliance_rows(session, ComplianceFilters(YEAR)))

    assert [(row.name, row.versions, row.line_count) for row in rows] == [
        ("Entidad 0", 0, 0),
        ("Entidad 1", 1, 1),
        ("Entidad 2", 2, 2),
        ("Entidad 3", 3, 3),
        ("Entidad 4", 4, 4),
    ]


# The page and its export


def test_admin_sees_counts_and_every_column(signed_in, three_entities):
    client, _admin = signed_in(role=Role.ADMIN)

    page = client.get(f"/admin/planes?year={YEAR}")

    assert listed(page) == [
        "Gobierno Regional de Cusco",
        "Municipalidad de Arequipa",
        "Municipalidad de Piura",
    ]
    text = page.text
    assert '<dd class="count-published">1</dd>' in text
    assert '<dd class="count-not-published">2</dd>' in text
    piura = three_entities["piura"].id
    assert f'href="/entidades/{piura}"' in text
    assert f'href="/planes/{piura}/{YEAR}"' in text
    assert "20147797100" in text and "Regional" in text
    assert "Publicado" in text and "Sin plan" in text
    assert "10/01/2026" in text and "v2 del 05/03/2026" in text
    assert f'href="/admin/planes.csv?year={YEAR}"' in text
    assert '<td class="number">S/ 30,000.00</td>' in text


def test_page_defaults_to_this_fiscal_year_and_is_in_the_admin_nav(signed_in, make_buyer):
    client, _admin = signed_in(role=Role.ADMIN)
    make_buyer(name="Municipalidad de Tacna")

    page = client.get("/admin/planes")

    year = current_fiscal_year(datetime.now(UTC))
    assert f'<option value="{year}" selected>' in page.text
    assert listed(page) == ["Municipalidad de Tacna"]
    assert 'href="/admin/planes" aria-current="page"' in page.text
    assert 'href="/admin/planes"' in client.get("/admin/usuarios").text


def test_filters_from_the_form(signed_in, three_entities):
    client, _admin = signed_in(role=Role.ADMIN)

    assert listed(client.get(f"/admin/planes?year={YEAR}&level=regional")) == [
        "Gobierno Regional de Cusco"
    ]
    assert listed(client.get(f"/admin/planes?year={YEAR}&level=local&region=20")) == [
        "Municipalidad de Piura"
    ]
    assert listed(client.get(f"/admin/planes?year={YEAR}&level=&region=")) != []
    last_year = client.get(f"/admin/planes?year={YEAR - 1}&region=")
    assert '<dd class="count-published">1</dd>' in last_year.text  # Cusco's plan of last year


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=dos-mil", "debe ser un año entre 1990 y 2100"),
        ("year=99999999999", "debe ser un año entre 1990 y 2100"),
        ("level=private", "El nivel de gobierno no es uno de los de la lista."),
        ("level=planeta", "El nivel de gobierno no es uno de los de la lista."),
        ("region=Lima", "debe ser un código de departamento de dos dígitos"),
        ("region=1%00", "debe ser un código de departamento de dos dígitos"),
    ],
)
def test_bad_filters_are_400_with_a_spanish_reason(signed_in, query, message):
    client, _admin = signed_in(role=Role.ADMIN)

    for path in ("/admin/planes", "/admin/planes.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert message in response.text


def test_a_page_beyond_the_last_is_empty_and_pages_keep_filters(signed_in, session):
    client, _admin = signed_in(role=Role.ADMIN)
    session.add_all(
        Buyer(
            name=f"Entidad {number:02d}",
            identifier_scheme="TEST",
            identifier=f"page-{number}",
            government_level=GovernmentLevel.LOCAL,
            region_code="15",
        )
        for number in range(55)
    )
    session.commit()

    first = client.get(f"/admin/planes?year={YEAR}&region=15")
    second = client.get(f"/admin/planes?year={YEAR}&region=15&page=2")

    assert len(listed(first)) == 50
    assert listed(second) == [f"Entidad {number}" for number in range(50, 55)]
    assert f"/admin/planes?year={YEAR}&amp;region=15&amp;page=2" in first.text
    assert "No hay entidades públicas" in client.get(f"/admin/planes?year={YEAR}&page=9").text


@pytest.mark.parametrize("role", [Role.SME, Role.AGENCY_STAFF])
def test_other_roles_are_refused(signed_in, make_buyer, role):
    buyer = make_buyer()
    client, _user = signed_in(role=role, buyer=buyer if role == Role.AGENCY_STAFF else None)

    assert client.get("/admin/planes").status_code == 403
    assert client.get("/admin/planes.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in ("/admin/planes", "/admin/planes.csv"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/ingresar?next=")


def test_csv_export_has_the_filtered_rows_in_page_order(signed_in, three_entities):
    client, _admin = signed_in(role=Role.ADMIN)

    response = client.get(f"/admin/planes.csv?year={YEAR}&level=local")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"planes-{YEAR}.csv" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Entidad,RUC,Nivel de gobierno,Región,Estado,Primera publicación,Versión vigente,"
        "Modificaciones,Fecha de la versión vigente,Líneas,Valor estimado (S/)"
    )
    assert lines[1:] == [
        "Municipalidad de Arequipa,,Local,Arequipa,Sin plan,,,,,,",
        "Municipalidad de Piura,20147797100,Local,Piura,Publicado,2026-01-10,2,1,2026-03-05,3,"
        "30000.00",
    ]


def test_csv_export_neutralises_formula_like_names(signed_in, make_buyer):
    client, _admin = signed_in(role=Role.ADMIN)
    make_buyer(name='=cmd|"/c calc"!A1')
    make_buyer(name="@SUM(A1:A9)")
    make_buyer(name="  +51 entidad")

    text = client.get(f"/admin/planes.csv?year={YEAR}").data.decode("utf-8-sig")

    assert "'=cmd|" in text and "'@SUM(A1:A9)" in text and "'  +51 entidad" in text
    for line in text.splitlines()[1:]:
        assert line[0] in "'\"", line
