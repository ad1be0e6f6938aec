"""Who may open an entity's management page: its approved staff and administrators; staff of
another entity, pending staff and SME accounts get 403; anonymous visitors sign in first."""

import pytest

from portal.accounts.models import Role


@pytest.fixture
def entities(make_buyer):
    return make_buyer(name="Entidad A"), make_buyer(name="Entidad B")


@pytest.fixture
def client_of(client, signed_in, entities):
    buyer_a, buyer_b = entities
    roles = {
        "sme": {"role": Role.SME},
        "staff_a": {"role": Role.AGENCY_STAFF, "buyer": buyer_a},
        "staff_b": {"role": Role.AGENCY_STAFF, "buyer": buyer_b},
        "pending_staff_a": {"role": Role.AGENCY_STAFF, "buyer": buyer_a, "approved": False},
        "admin": {"role": Role.ADMIN},
    }
    return lambda who: client if who == "anonymous" else signed_in(**roles[who])[0]


@pytest.mark.parametrize(
    ("who", "own", "page_a", "page_b"),
    [
        ("anonymous", 302, 302, 302),
        ("sme", 403, 403, 403),
        ("staff_a", 302, 200, 403),
        ("staff_b", 302, 403, 200),
        ("pending_staff_a", 403, 403, 403),
        ("admin", 200, 200, 200),
    ],
)
def test_entity_pages_answer_each_role_with_its_exact_status(
    client_of, entities, who, own, page_a, page_b
):
    client = client_of(who)
    buyer_a, buyer_b = entities

    responses = {
        "/entidad": client.get("/entidad"),
        f"/entidad/{buyer_a.id}": client.get(f"/entidad/{buyer_a.id}"),
        f"/entidad/{buyer_b.id}": client.get(f"/entidad/{buyer_b.id}"),
    }

    assert [response.status_code for response in responses.values()] == [own, page_a, page_b]
    if who == "anonymous":
        for path, response in responses.items():
            assert response.headers["Location"] == f"/ingresar?next={path.replace('/', '%2F')}"


def test_staff_land_on_their_own_entity(client_of, entities):
    buyer_a, _buyer_b = entities

    response = client_of("staff_a").get("/entidad")

    assert response.headers["Location"] == f"/entidad/{buyer_a.id}"


def test_staff_of_a_deactivated_account_are_signed_out(signed_in, entities, session):
    client, staff = signed_in(role=Role.AGENCY_STAFF, buyer=entities[0])
    staff.active = False
    staff.login_epoch += 1  # what deactivation does (portal/admin/operations.py)
    session.commit()

    assert client.get("/entidad").headers["Location"].startswith("/ingresar?next=")


def test_unknown_entity_is_not_found_for_administrators(client_of):
    assert client_of("admin").get("/entidad/999999").status_code == 404


def test_staff_asking_for_an_unknown_entity_get_403_not_a_hint(client_of):
    assert client_of("staff_a").get("/entidad/999999").status_code == 403
