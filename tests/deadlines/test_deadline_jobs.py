"""The scheduler refreshes the flags daily, in the quiet hour with the other daily jobs."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.deadlines.jobs import refresh_deadlines
from portal.opportunities.models import Opportunity
from scrapers.scheduler import REFRESH_DEADLINES_JOB_ID, build_scheduler

LIMA = ZoneInfo("America/Lima")


def test_the_scheduler_runs_the_refresh_daily(app):
    scheduler = build_scheduler(app, blocking=False)

    job = scheduler.get_job(REFRESH_DEADLINES_JOB_ID)

    assert job.func is refresh_deadlines and job.args == (app,)
    assert str(job.trigger) == "cron[hour='3', minute='15']"


def test_the_job_refreshes_every_notice(app, session, make_opportunity):
    make_opportunity(
        procedure_type_code="CDP",
        published_at=datetime(2026, 7, 27, 9, tzinfo=LIMA),  # Monday before Fiestas Patrias
        deadline_at=datetime(2026, 7, 30, 12, tzinfo=LIMA),  # Thursday: only the 30th counts
    )

    report = refresh_deadlines(app)

    assert (report.examined, report.changed, report.flagged) == (1, 1, 1)
    assert session.execute(select(Opportunity.given_days, Opportunity.short_deadline)).one() == (
        1,
        True,
    )
