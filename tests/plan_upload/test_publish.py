"""Publishing a draft: a new plan version with all its lines or nothing at all, once however
often the button is pressed, its lines searchable as forecasts; discarding one."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from upload_files import YEAR, plan_csv, plan_line, valid_csv

from portal.accounts.models import User
from portal.opportunities.models import ObjectType
from portal.plan_upload import operations
from portal.plans.models import AnnualPlan, PlanLine, PlanUpload, UploadStatus


def publish(client, draft_id: int):
    return client.post(f"/entidad/plan/borrador/{draft_id}/publicar")


def test_publishing_creates_version_one_with_every_line_and_shows_the_plan(
    staff_of, draft_of, entities, session
):
    client, staff = staff_of(0)
    draft_id = draft_of(client, valid_csv(3))

    response = publish(client, draft_id)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/planes/{entities[0].id}/{YEAR}"
    plan = session.scalars(select(AnnualPlan)).one()
    assert (plan.buyer_id, plan.fiscal_year, plan.version) == (entities[0].id, YEAR, 1)
    assert plan.uploaded_by_id == staff.id and plan.source_id is None
    lines = session.scalars(select(PlanLine).order_by(PlanLine.reference_number)).all()
    assert [line.reference_number for line in lines] == ["1", "2", "3"]
    first = lines[0]
    assert first.object_type == ObjectType.GOODS
    assert (first.procedure_type_code, first.region_code, first.planned_month) == ("AS", "08", 1)
    assert first.classification_code == "4015150100000001"
    assert str(first.estimated_value) == "1500.50"
    assert all(line.needs_matching for line in lines)
    upload = session.get(PlanUpload, draft_id)
    assert (upload.status, upload.plan_id) == (UploadStatus.PUBLISHED, plan.id)
    assert upload.published_at is not None
    plan_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Adquisición de bombas de riego lote 3" in plan_page


def test_a_second_upload_for_the_year_is_version_two(staff_of, draft_of, session, make_plan):
    client, _staff = staff_of(0)
    publish(client, draft_of(client, valid_csv(2)))

    publish(client, draft_of(client, valid_csv(4)))

    versions = session.execute(
        select(AnnualPlan.version, AnnualPlan.id).order_by(AnnualPlan.version)
    ).all()
    assert [version for version, _id in versions] == [1, 2]
    newest = session.get(AnnualPlan, versions[-1][1])
    assert len(newest.lines) == 4


def test_an_upload_follows_a_scraped_plan_of_the_same_year(
    staff_of, draft_of, session, make_plan, entities
):
    make_plan(buyer=entities[0], fiscal_year=YEAR)
    client, _staff = staff_of(0)

    publish(client, draft_of(client, valid_csv()))

    versions = session.scalars(
        select(AnnualPlan.version).where(AnnualPlan.buyer_id == entities[0].id)
    ).all()
    assert sorted(versions) == [1, 2]


def test_a_draft_with_problems_cannot_be_published(staff_of, draft_of, session):
    client, _staff = staff_of(0)
    draft_id = draft_of(client, plan_csv([plan_line(1, **{"Objeto": "Cosas"})]))

    response = publish(client, draft_id)

    assert response.headers["Location"] == f"/entidad/plan/borrador/{draft_id}"
    assert session.query(AnnualPlan).count() == 0
    assert session.get(PlanUpload, draft_id).status == UploadStatus.DRAFT
    assert "No se publicó" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_pressing_publish_twice_publishes_once(staff_of, draft_of, session, entities):
    client, _staff = staff_of(0)
    draft_id = draft_of(client, valid_csv())

    first, second = publish(client, draft_id), publish(client, draft_id)

    assert first.headers["Location"] == second.headers["Location"]
    assert session.query(AnnualPlan).count() == 1
    assert session.query(PlanLine).count() == 3
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "Este borrador ya estaba publicado." in page


def test_two_workers_publishing_the_same_draft_at_once_make_one_version(
    app, staff_of, draft_of, session
):
    """Two sessions, as two gunicorn workers: the second finds the draft already claimed."""
    client, staff = staff_of(0)
    draft_id = draft_of(client, valid_csv(200))
    engine = session.get_bind()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def worker() -> None:
        with app.app_context(), Session(engine) as own:
            upload = own.get(PlanUpload, draft_id)
            user = own.get(User, staff.id)
            start.wait()
            try:
                operations.publish_draft(own, upload, user, datetime.now(UTC))
                own.commit()
                outcomes.append("published")
            except operations.AlreadyDecided:
                own.rollback()
                outcomes.append("already")

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["already", "published"]
    assert session.query(AnnualPlan).count() == 1
    assert session.query(PlanLine).count() == 200


@pytest.mark.parametrize("failing_step", ["insert_lines", "link_plan"])
def test_a_failure_midway_leaves_no_version_no_lines_and_the_draft_a_draft(
    staff_of, draft_of, session, monkeypatch, failing_step
):
    client, staff = staff_of(0)
    draft_id = draft_of(client, valid_csv(40))
    real_insert = operations.insert_lines

    def insert_half_then_fail(session, plan_id, lines):
        real_insert(session, plan_id, lines[: len(lines) // 2])
        raise RuntimeError("the database went away")

    def link_then_fail(session, plan):
        raise RuntimeError("linking failed")

    if failing_step == "insert_lines":
        monkeypatch.setattr(operations, "insert_lines", insert_half_then_fail)
    else:
        monkeypatch.setattr(operations.plan_linking, "link_plan", link_then_fail)
    upload = session.get(PlanUpload, draft_id)

    with pytest.raises(RuntimeError):
        operations.publish_draft(session, upload, staff, datetime.now(UTC))
    session.rollback()

    assert session.query(AnnualPlan).count() == 0
    assert session.query(PlanLine).count() == 0
    upload = session.get(PlanUpload, draft_id)
    assert (upload.status, upload.plan_id, upload.published_at) == (UploadStatus.DRAFT, None, None)
    monkeypatch.undo()
    assert publish(client, draft_id).status_code == 302
    assert session.query(PlanLine).count() == 40


def test_discarding_a_draft_keeps_it_from_being_published(staff_of, draft_of, session):
    client, _staff = staff_of(0)
    draft_id = draft_of(client, valid_csv())

    discarded = client.post(f"/entidad/plan/borrador/{draft_id}/descartar")
    published = publish(client, draft_id)

    assert discarded.headers["Location"].startswith("/entidad/plan?entidad=")
    assert session.get(PlanUpload, draft_id).status == UploadStatus.DISCARDED
    assert published.headers["Location"] == f"/entidad/plan/borrador/{draft_id}"
    assert session.query(AnnualPlan).count() == 0
    page = client.get(published.headers["Location"]).get_data(as_text=True)
    assert "Este borrador se descartó." in page and ">Publicar<" not in page


def test_a_published_draft_cannot_be_discarded(staff_of, draft_of, session):
    client, _staff = staff_of(0)
    draft_id = draft_of(client, valid_csv())
    publish(client, draft_id)

    client.post(f"/entidad/plan/borrador/{draft_id}/descartar")

    assert session.get(PlanUpload, draft_id).status == UploadStatus.PUBLISHED


def test_published_lines_are_found_in_search_as_forecasts(staff_of, draft_of):
    client, _staff = staff_of(0)
    lines = [plan_line(1, **{"Descripción": "Adquisición de motobombas sumergibles"})]
    publish(client, draft_of(client, plan_csv(lines)))

    results = client.get("/buscar?q=motobombas").get_data(as_text=True)

    assert 'class="opportunity plan-line-result"' in results
    assert "Adquisición de <mark>motobombas</mark> sumergibles" in results
