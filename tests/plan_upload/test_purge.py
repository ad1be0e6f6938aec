"""Drafts nobody publishes do not keep their files forever: a daily job discards them after
30 days and drops discarded files, keeping the row and its problems as the record."""

from datetime import timedelta

from sqlalchemy import select, update
from upload_files import valid_csv

from portal.db import utcnow
from portal.plan_upload.jobs import purge_plan_drafts
from portal.plans.models import PlanUpload, UploadStatus
from scrapers.scheduler import PURGE_DRAFTS_JOB_ID, build_scheduler


def _age(session, upload_id: int, days: int) -> None:
    session.execute(
        update(PlanUpload)
        .where(PlanUpload.id == upload_id)
        .values(created_at=utcnow() - timedelta(days=days))
    )
    session.commit()


def test_stale_drafts_are_discarded_and_their_files_dropped(app, session, staff_of, draft_of):
    client, _staff = staff_of(0)
    stale, recent, published = (draft_of(client, valid_csv()) for _ in range(3))
    assert client.post(f"/entidad/plan/borrador/{published}/publicar").status_code == 302
    for upload_id in (stale, published):
        _age(session, upload_id, 31)
    _age(session, recent, 29)

    purge_plan_drafts(app)

    session.expire_all()
    rows = {row.id: row for row in session.scalars(select(PlanUpload))}
    assert (rows[stale].status, rows[stale].content) == (UploadStatus.DISCARDED, b"")
    assert rows[stale].size_bytes > 0 and rows[stale].line_count == 3  # the record stays
    assert rows[recent].status == UploadStatus.DRAFT and rows[recent].content == valid_csv()
    assert rows[published].status == UploadStatus.PUBLISHED
    assert rows[published].content == valid_csv()  # where a plan version came from


def test_the_scheduler_purges_drafts_daily(app):
    job = build_scheduler(app, blocking=False).get_job(PURGE_DRAFTS_JOB_ID)

    assert job.func is purge_plan_drafts and job.args == (app,)
    assert str(job.trigger) == "cron[hour='3', minute='45']"
