"""Who may use the administrators' pages: anonymous visitors sign in first, everyone else but
an administrator gets 403, and a POST without its CSRF token is refused."""

import re

import pytest
from account_factories import sign_in_client

from portal.accounts.models import Role
from portal.app import create_app
from portal.db import db

GET_ROUTES = ["/admin/usuarios", "/admin/usuarios/{id}", "/admin/solicitudes", "/admin/auditoria"]
POST_ROUTES = [
    "/admin/usuarios/{id}/rol",
    "/admin/usuarios/{id}/aprobar",
    "/admin/usuarios/{id}/rechazar",
    "/admin/usuarios/{id}/desactivar",
    "/admin/usuarios/{id}/reactivar",
]
EXPECTED = {
    # who: (status of every GET page, status of every POST decision)
    "anonymous": (302, 302),
    "sme": (403, 403),
    "staff_a": (403, 403),
    "staff_b": (403, 403),
    "pending_staff": (403, 403),
    "admin": (200, 303),
}


@pytest.fixture
def protected(app):
    """The same database behind an app with CSRF protection on, as in production."""
    protected = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    yield protected
    with protected.app_context():  # its own engine: close its connections
        db.engine.dispose()


@pytest.fixture
def client_of(client, make_buyer, signed_in):
    buyer_a, buyer_b = make_buyer(), make_buyer()
    roles = {
        "sme": {"role": Role.SME},
        "staff_a": {"role": Role.AGENCY_STAFF, "buyer": buyer_a},
        "staff_b": {"role": Role.AGENCY_STAFF, "buyer": buyer_b},
        "pending_staff": {"role": Role.AGENCY_STAFF, "buyer": buyer_a, "approved": False},
        "admin": {"role": Role.ADMIN},
    }
    return lambda who: client if who == "anonymous" else signed_in(**roles[who])[0]


@pytest.mark.parametrize("who", EXPECTED)
def test_every_admin_route_answers_each_role_with_its_exact_status(
    client_of, make_user, make_buyer, who
):
    client = client_of(who)
    get_status, post_status = EXPECTED[who]
    target = make_user(role=Role.AGENCY_STAFF, buyer=make_buyer(), approved=False)
    for route in GET_ROUTES:
        response = client.get(route.format(id=target.id))
        assert response.status_code == get_status, route
        if who == "anonymous":
            assert response.headers["Location"].startswith("/ingresar?next=%2Fadmin%2F")
    for route in POST_ROUTES:
        response = client.post(route.format(id=target.id), data={"role": "sme"})
        assert response.status_code == post_status, route
    admin_home = client.get("/admin")  # a redirect to the users page, for administrators only
    assert admin_home.status_code == (302 if who in ("anonymous", "admin") else 403)


def test_unknown_user_is_not_found(signed_in):
    admin_client, _admin = signed_in(role=Role.ADMIN)
    assert admin_client.get("/admin/usuarios/999999").status_code == 404
    assert admin_client.post("/admin/usuarios/999999/desactivar").status_code == 404


def test_decision_without_csrf_token_is_refused_and_changes_nothing(protected, session, make_user):
    admin = make_user(role=Role.ADMIN)
    target = make_user(role=Role.SME)
    client = protected.test_client()
    sign_in_client(client, admin)

    response = client.post(f"/admin/usuarios/{target.id}/desactivar")

    assert response.status_code == 400
    session.refresh(target)
    assert target.active


def test_decision_with_the_pages_csrf_token_goes_through(protected, session, make_user):
    admin = make_user(role=Role.ADMIN)
    target = make_user(role=Role.SME)
    client = protected.test_client()
    sign_in_client(client, admin)

    page = client.get(f"/admin/usuarios/{target.id}").text
    tokens = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = client.post(
        f"/admin/usuarios/{target.id}/desactivar", data={"csrf_token": tokens[-1]}
    )

    assert len(tokens) == 2  # the role form and the deactivation form each carry one
    assert response.status_code == 303
    session.refresh(target)
    assert not target.active
