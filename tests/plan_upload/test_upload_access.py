"""Who may upload an entity's plan and see its drafts: its approved staff (their own entity's
only) and administrators (any). Staff of another entity, pending staff and SME accounts get
403; anonymous visitors sign in first."""

import pytest
from upload_files import valid_csv

from portal.accounts.models import Role
from portal.plans.models import AnnualPlan, PlanUpload, UploadStatus


@pytest.fixture
def client_of(client, signed_in, entities):
    buyer_a, _buyer_b = entities
    roles = {
        "sme": {"role": Role.SME},
        "pending_staff_a": {"role": Role.AGENCY_STAFF, "buyer": buyer_a, "approved": False},
        "staff_a": {"role": Role.AGENCY_STAFF, "buyer": buyer_a},
        "staff_b": {"role": Role.AGENCY_STAFF, "buyer": entities[1]},
        "admin": {"role": Role.ADMIN},
    }
    return lambda who: client if who == "anonymous" else signed_in(**roles[who])[0]


@pytest.fixture
def draft_a(staff_of, draft_of):
    client, _staff = staff_of(0)
    return draft_of(client, valid_csv())


@pytest.mark.parametrize(
    ("who", "page", "template", "draft", "publish"),
    [
        ("anonymous", 302, 302, 302, 302),
        ("sme", 403, 403, 403, 403),
        ("pending_staff_a", 403, 403, 403, 403),
        ("staff_a", 200, 200, 200, 302),
        ("staff_b", 200, 200, 403, 403),
        ("admin", 200, 200, 200, 302),
    ],
)
def test_each_role_gets_its_status_on_the_upload_pages(
    client_of, draft_a, session, who, page, template, draft, publish
):
    client = client_of(who)
    paths = {
        "/entidad/plan": page,
        "/entidad/plan/plantilla.csv": template,
        f"/entidad/plan/borrador/{draft_a}": draft,
    }

    got = {path: client.get(path).status_code for path in paths}
    published = client.post(f"/entidad/plan/borrador/{draft_a}/publicar")

    assert got == paths
    assert published.status_code == publish
    if who == "anonymous":
        location = published.headers["Location"]
        assert location == f"/ingresar?next=%2Fentidad%2Fplan%2Fborrador%2F{draft_a}%2Fpublicar"
    session.expire_all()
    stored = session.get(PlanUpload, draft_a)
    assert (stored.status == UploadStatus.PUBLISHED) == (who in ("staff_a", "admin"))


def test_staff_of_another_entity_can_neither_discard_nor_publish_its_draft(
    staff_of, draft_a, session
):
    client, _staff_b = staff_of(1)

    assert client.post(f"/entidad/plan/borrador/{draft_a}/descartar").status_code == 403
    assert client.post(f"/entidad/plan/borrador/{draft_a}/publicar").status_code == 403
    session.expire_all()
    assert session.get(PlanUpload, draft_a).status == UploadStatus.DRAFT
    assert session.query(AnnualPlan).count() == 0


def test_staff_asking_for_a_draft_that_does_not_exist_get_403_like_another_entitys(staff_of):
    client, _staff = staff_of(0)

    assert client.get("/entidad/plan/borrador/999999").status_code == 403


def test_an_unknown_draft_is_not_found_for_administrators(client_of):
    assert client_of("admin").get("/entidad/plan/borrador/999999").status_code == 404


def test_staff_upload_for_their_own_entity_whatever_entity_the_form_names(
    staff_of, entities, draft_of, session
):
    client, _staff = staff_of(0)

    draft_id = draft_of(client, valid_csv(), entity=entities[1].id)

    assert session.get(PlanUpload, draft_id).buyer_id == entities[0].id


def test_staff_page_names_their_entity_even_if_the_address_names_another(staff_of, entities):
    client, _staff = staff_of(0)

    page = client.get(f"/entidad/plan?entidad={entities[1].ruc}").get_data(as_text=True)

    assert entities[0].name in page
    assert entities[1].name not in page
