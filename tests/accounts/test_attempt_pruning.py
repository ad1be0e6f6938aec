"""The daily job forgets sign-in attempts that no throttle window reads any more."""

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.jobs import prune_sign_in_attempts
from portal.accounts.models import AttemptKind, AuthAttempt
from portal.db import utcnow
from scrapers.scheduler import PRUNE_ATTEMPTS_JOB_ID, build_scheduler


def test_pruning_keeps_the_last_day_of_attempts(app, session):
    now = utcnow()
    for hours_ago in (30, 2):
        session.add(
            AuthAttempt(
                kind=AttemptKind.LOGIN,
                key=f"k{hours_ago}",
                attempted_at=now - timedelta(hours=hours_ago),
            )
        )
    session.commit()

    prune_sign_in_attempts(app)

    assert session.scalars(select(AuthAttempt.key)).all() == ["k2"]


def test_the_scheduler_prunes_attempts_daily(app):
    job = build_scheduler(app, blocking=False).get_job(PRUNE_ATTEMPTS_JOB_ID)

    assert job.func is prune_sign_in_attempts and job.args == (app,)
    assert str(job.trigger) == "cron[hour='3', minute='30']"
