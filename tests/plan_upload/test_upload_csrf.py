"""With CSRF on, as in production: uploading, publishing and discarding need the page's token,
and the size limit still answers first for an oversized body."""

import io
import re

import pytest
from account_factories import sign_in_client
from upload_files import YEAR, valid_csv

from portal.accounts.models import Role
from portal.plans.models import AnnualPlan, PlanUpload, UploadStatus


@pytest.fixture
def csrf_app(app):
    """Flask-WTF reads the setting on every request and form, so switching it here is the
    same as building the app with it."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def staff_client(csrf_app, make_user, entities):
    client = csrf_app.test_client()
    sign_in_client(client, make_user(role=Role.AGENCY_STAFF, buyer=entities[0]))
    return client


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]


def post_file(client, payload: bytes, **fields):
    data = {"plan_file": (io.BytesIO(payload), "pac.csv"), "fiscal_year": str(YEAR)} | fields
    return client.post("/entidad/plan", data=data, content_type="multipart/form-data")


def test_an_upload_without_the_token_is_refused_and_stores_nothing(staff_client, session):
    assert post_file(staff_client, valid_csv()).status_code == 400
    assert session.query(PlanUpload).count() == 0


def test_the_page_token_uploads_publishes_and_is_required_for_each_step(staff_client, session):
    token = token_of(staff_client.get("/entidad/plan").get_data(as_text=True))
    uploaded = post_file(staff_client, valid_csv(), csrf_token=token)
    assert uploaded.status_code == 302
    draft = uploaded.headers["Location"]

    without_token = staff_client.post(f"{draft}/publicar")
    discard_without = staff_client.post(f"{draft}/descartar")
    draft_token = token_of(staff_client.get(draft).get_data(as_text=True))
    with_token = staff_client.post(f"{draft}/publicar", data={"csrf_token": draft_token})

    assert (without_token.status_code, discard_without.status_code) == (400, 400)
    assert with_token.status_code == 302
    assert session.query(AnnualPlan).count() == 1
    assert session.query(PlanUpload).one().status == UploadStatus.PUBLISHED


def test_an_oversized_upload_is_413_before_the_token_is_even_read(csrf_app, staff_client):
    csrf_app.config["PORTAL_PLAN_UPLOAD_MAX_BYTES"] = 1024

    response = post_file(staff_client, valid_csv(100))

    assert response.status_code == 413
    assert "supera el máximo" in response.get_data(as_text=True)
