"""Administrators set the floor for procedures without a legal minimum; saving it recomputes
the calls it affects. A POST needs the form's CSRF token, and only administrators get in."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from lxml import html

from portal.accounts.models import Role
from portal.admin.models import SiteSetting
from portal.deadlines.settings import FLOOR_SETTING

LIMA = ZoneInfo("America/Lima")
DATED = {
    "published_at": datetime(2026, 3, 2, 10, tzinfo=LIMA),
    "deadline_at": datetime(2026, 3, 6, 17, tzinfo=LIMA),  # four business days
}


def texts(page: str, selector: str) -> list[str]:
    return [
        " ".join(node.text_content().split()) for node in html.fromstring(page).cssselect(selector)
    ]


@pytest.fixture
def admin_client(signed_in):
    client, _admin = signed_in(role=Role.ADMIN)
    return client


def test_the_page_lists_legal_minimums_and_the_floor_form(admin_client):
    page = admin_client.get("/admin/plazos").get_data(as_text=True)

    rows = texts(page, "table.legal-minimums tbody tr")
    assert "LP Licitación Pública 22 días hábiles Ley 30225 / Ley 32069" in rows
    assert any(row.startswith("CD Contratación Directa Sin convocatoria pública") for row in rows)
    assert texts(page, ".deadline-floor-form label") == [
        "Plazo mínimo para procedimientos sin plazo legal (días hábiles)"
    ]
    assert 'aria-current="page">Plazos mínimos</a>' in page


def test_saving_the_floor_flags_calls_without_a_legal_minimum(
    admin_client, session, make_opportunity
):
    private = make_opportunity(procedure_type_code=None, **DATED)
    direct = make_opportunity(procedure_type_code="CD", **DATED)

    response = admin_client.post("/admin/plazos", data={"days": "5"})

    assert response.status_code == 303
    session.expire_all()
    setting = session.get(SiteSetting, FLOOR_SETTING)
    assert setting.value == "5" and setting.updated_by_id is not None
    assert (private.minimum_basis, private.given_days, private.short_deadline) == ("admin", 4, True)
    assert not direct.short_deadline
    page = admin_client.get("/admin/plazos").get_data(as_text=True)
    assert "Plazo guardado. Convocatorias recalculadas: 1; con plazo corto: 1." in page
    assert texts(page, ".count-admin") == ["1"]
    assert 'value="5"' in page

    admin_client.post("/admin/plazos", data={"days": ""})  # no floor any more

    session.expire_all()
    assert session.get(SiteSetting, FLOOR_SETTING) is None
    assert (private.minimum_basis, private.short_deadline) == (None, False)


@pytest.mark.parametrize("days", ["0", "61", "cinco", "-3"])
def test_a_floor_out_of_range_is_refused_and_nothing_changes(
    admin_client, session, make_opportunity, days
):
    private = make_opportunity(procedure_type_code=None, **DATED)

    response = admin_client.post("/admin/plazos", data={"days": days})

    assert response.status_code == 400
    assert texts(response.get_data(as_text=True), ".field-error")  # says what is wrong
    session.expire_all()
    assert session.get(SiteSetting, FLOOR_SETTING) is None and private.minimum_basis is None


def test_the_form_needs_its_csrf_token(app, signed_in, session):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client, _admin = signed_in(role=Role.ADMIN)
        assert client.post("/admin/plazos", data={"days": "5"}).status_code == 400
        assert session.get(SiteSetting, FLOOR_SETTING) is None

        page = client.get("/admin/plazos").get_data(as_text=True)
        [token] = html.fromstring(page).cssselect(".deadline-floor-form input[name=csrf_token]")
        sent = client.post("/admin/plazos", data={"days": "5", "csrf_token": token.get("value")})
        assert sent.status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("role", [Role.SME, Role.AGENCY_STAFF])
def test_only_administrators_may_change_it(signed_in, session, make_buyer, role):
    client, _user = signed_in(role=role, buyer=make_buyer() if role == Role.AGENCY_STAFF else None)

    assert client.post("/admin/plazos", data={"days": "5"}).status_code == 403
    assert session.get(SiteSetting, FLOOR_SETTING) is None
