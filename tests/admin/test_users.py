"""The users page: search by e-mail fragment, filter by role and state, 50 accounts a page,
deleted (anonymised) accounts hidden unless asked for."""

import re
from datetime import UTC, datetime

from portal.accounts.models import Role, User

USER_LINK = re.compile(r'class="user-row">\s*<td class="wrap"><a href="[^"]+">([^<]+)</a>')


def listed_emails(response) -> list[str]:
    assert response.status_code == 200
    return USER_LINK.findall(response.text)


def test_search_by_email_fragment_lists_only_matching_accounts(signed_in, make_user):
    client, _admin = signed_in(role=Role.ADMIN, email="jefa@portal.pe")
    make_user(email="ventas@ferreteria-lima.pe")
    make_user(email="gerencia@ferreteria-lima.pe")
    make_user(email="contacto@panaderia.pe")

    assert sorted(listed_emails(client.get("/admin/usuarios?q=FERRETERIA"))) == [
        "gerencia@ferreteria-lima.pe",
        "ventas@ferreteria-lima.pe",
    ]


def test_filter_by_role_and_pending_state(signed_in, make_user, make_buyer):
    client, _admin = signed_in(role=Role.ADMIN, email="jefa@portal.pe")
    buyer = make_buyer(name="Municipalidad de Miraflores")
    make_user(email="mype@empresa.pe")
    make_user(email="aprobado@muni.gob.pe", role=Role.AGENCY_STAFF, buyer=buyer)
    make_user(email="pendiente@muni.gob.pe", role=Role.AGENCY_STAFF, buyer=buyer, approved=False)

    staff = client.get("/admin/usuarios?role=agency_staff")
    assert sorted(listed_emails(staff)) == ["aprobado@muni.gob.pe", "pendiente@muni.gob.pe"]
    assert "Municipalidad de Miraflores" in staff.text
    assert listed_emails(client.get("/admin/usuarios?state=pending")) == ["pendiente@muni.gob.pe"]
    assert listed_emails(client.get("/admin/usuarios?role=admin")) == ["jefa@portal.pe"]


def test_filter_by_deactivated_and_unverified(signed_in, make_user, session):
    client, _admin = signed_in(role=Role.ADMIN, email="jefa@portal.pe")
    make_user(email="sin-verificar@empresa.pe", verified=False)
    off = make_user(email="desactivada@empresa.pe")
    off.active = False
    session.commit()

    assert listed_emails(client.get("/admin/usuarios?state=deactivated")) == [
        "desactivada@empresa.pe"
    ]
    assert listed_emails(client.get("/admin/usuarios?state=unverified")) == [
        "sin-verificar@empresa.pe"
    ]
    assert "desactivada@empresa.pe" not in listed_emails(client.get("/admin/usuarios?state=active"))


def test_deleted_accounts_are_hidden_unless_asked_for(signed_in, make_user, session):
    client, _admin = signed_in(role=Role.ADMIN, email="jefa@portal.pe")
    gone = make_user(email="eliminada-7@anonimo.invalid")
    gone.deleted_at = datetime.now(UTC)
    session.commit()

    assert "eliminada-7@anonimo.invalid" not in listed_emails(client.get("/admin/usuarios"))
    assert listed_emails(client.get("/admin/usuarios?state=deleted")) == [
        "eliminada-7@anonimo.invalid"
    ]


def test_listing_pages_by_fifty_and_keeps_filters_in_page_links(signed_in, session):
    client, _admin = signed_in(role=Role.ADMIN, email="jefa@portal.pe")
    session.add_all(
        User(email=f"lote{number:02d}@empresa.pe", password_hash="-", role=Role.SME)
        for number in range(55)
    )
    session.commit()

    first = client.get("/admin/usuarios?q=lote")
    second = client.get("/admin/usuarios?q=lote&page=2")

    assert len(listed_emails(first)) == 50
    assert len(listed_emails(second)) == 5
    assert set(listed_emails(first)).isdisjoint(listed_emails(second))
    assert "55 cuentas" in first.text
    assert 'href="/admin/usuarios?q=lote&amp;page=2"' in first.text


def test_user_row_shows_role_entity_and_dates(signed_in, make_user, make_buyer, session):
    client, _admin = signed_in(role=Role.ADMIN)
    staff = make_user(
        email="compras@muni.gob.pe", role=Role.AGENCY_STAFF, buyer=make_buyer(name="Muni Surco")
    )
    staff.last_login_at = datetime(2024, 3, 1, 15, 30, tzinfo=UTC)
    session.commit()

    page = client.get("/admin/usuarios?q=compras@muni").text

    assert "Personal de entidad" in page
    assert "Muni Surco" in page
    assert "01/03/2024 10:30" in page  # last sign-in shown in Lima time


def test_pending_requests_page_lists_waiting_staff_only(signed_in, make_user, make_buyer):
    client, _admin = signed_in(role=Role.ADMIN)
    buyer = make_buyer(name="Gobierno Regional de Piura", ruc="20131312955")
    make_user(email="pide@regionpiura.gob.pe", role=Role.AGENCY_STAFF, buyer=buyer, approved=False)
    make_user(email="ya-aprobado@regionpiura.gob.pe", role=Role.AGENCY_STAFF, buyer=buyer)

    page = client.get("/admin/solicitudes").text

    assert "pide@regionpiura.gob.pe" in page
    assert "20131312955" in page
    assert "ya-aprobado@regionpiura.gob.pe" not in page
