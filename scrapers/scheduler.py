"""The scheduler process: one job per active source, each run guarded by a lease on its row.

The lease is taken with one conditional UPDATE, atomic on SQLite and PostgreSQL alike, and renewed
by a heartbeat while the run lasts, so two scheduler processes on one database never run the same
source at once however long a run takes. Housekeeping jobs keep the source jobs in step with
the sources table, repair the search index (at start-up, then every few minutes) and prune old
raw payloads.
"""

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import Connection, Engine, or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from notifications.jobs import alert_after_scrape, match_alerts, remind, send_alerts
from portal.accounts.jobs import prune_sign_in_attempts
from portal.db import db, utcnow
from portal.deadlines.jobs import refresh_deadlines
from portal.plan_upload.jobs import purge_plan_drafts
from portal.search.jobs import REPAIR_MINUTES, repair_index
from portal.statistics.jobs import snapshot_statistics
from scrapers.fetch import Fetcher, settings_from_config
from scrapers.models import Source
from scrapers.pipeline import options_from_config, run_source
from scrapers.raw import prune_raw_payloads
from scrapers.sources import active_sources

DEFAULT_LEASE_MINUTES = 30
JITTER_SECONDS = 30
MISFIRE_GRACE_SECONDS = 300
RECONCILE_MINUTES = 5
PRUNE_HOUR = 3  # local time: the quietest hour for a daily delete
SCRAPE_JOB_PREFIX = "scrape:"
RECONCILE_JOB_ID = "sources:reconcile"
PRUNE_JOB_ID = "raw:prune"
PRUNE_ATTEMPTS_JOB_ID = "accounts:prune-attempts"
PURGE_DRAFTS_JOB_ID = "plans:purge-drafts"
REFRESH_DEADLINES_JOB_ID = "deadlines:refresh"
REPAIR_JOB_ID = "index:repair"
STATISTICS_JOB_ID = "statistics:snapshot"
MATCH_JOB_ID = "alerts:match"
SEND_JOB_ID = "alerts:send"
DIGEST_JOB_ID = "alerts:digest"
REMIND_JOB_ID = "alerts:remind"
MATCH_MINUTES = 5  # besides after every scrape run: plans uploaded on the site, a crash

log = logging.getLogger(__name__)


def lease_holder_name() -> str:
    """Host, process and a random tail: unique per scheduler process, readable in the table."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def lease_length(config: dict) -> timedelta:
    """PORTAL_LEASE_MINUTES may be a fraction, which is how tests make a lease lapse quickly."""
    return timedelta(minutes=float(config.get("PORTAL_LEASE_MINUTES", DEFAULT_LEASE_MINUTES)))


def claim_source(
    session: Session, source_id: int, holder: str, now: datetime, lease: timedelta
) -> bool:
    """Take the source's lease if it is free, expired or already ours; commits either way."""
    result = session.execute(
        update(Source)
        .where(
            Source.id == source_id,
            or_(
                Source.lease_holder.is_(None),
                Source.lease_expires_at < now,
                Source.lease_holder == holder,
            ),
        )
        .values(lease_holder=holder, lease_expires_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def renew_lease(
    connection: Connection, source_id: int, holder: str, now: datetime, lease: timedelta
) -> bool:
    """Push the end of our lease to now + lease; False when the lease is no longer ours."""
    result = connection.execute(
        update(Source)
        .where(Source.id == source_id, Source.lease_holder == holder)
        .values(lease_expires_at=now + lease)
    )
    return result.rowcount == 1


def release_source(session: Session, source_id: int, holder: str) -> None:
    session.execute(
        update(Source)
        .where(Source.id == source_id, Source.lease_holder == holder)
        .values(lease_holder=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


@contextmanager
def lease_heartbeat(
    engine: Engine, source_id: int, holder: str, lease: timedelta
) -> Iterator[None]:
    """Renew the lease every third of its length while the block runs.

    A thread and connection of its own keep the renewals out of the run's transaction, which may
    be long or rolled back; a third of the lease leaves room for two missed beats.
    """
    stop = threading.Event()
    beats = threading.Thread(
        target=_renew_until_stopped,
        args=(stop, engine, source_id, holder, lease),
        name=f"lease-{source_id}",
        daemon=True,
    )
    beats.start()
    try:
        yield
    finally:
        stop.set()
        beats.join()


def _renew_until_stopped(
    stop: threading.Event, engine: Engine, source_id: int, holder: str, lease: timedelta
) -> None:
    while not stop.wait(lease.total_seconds() / 3):
        try:
            with engine.begin() as connection:
                renewed = renew_lease(connection, source_id, holder, utcnow(), lease)
        except SQLAlchemyError:  # a database blip: the next beat tries again
            log.exception("renewing the lease of source %s failed", source_id)
            continue
        if not renewed:
            log.warning("source %s is no longer leased to %s", source_id, holder)
            return


def run_scheduled_source(app: Flask, source_id: int, holder: str) -> bool:
    """One job: claim, run under a renewed lease, release; False if another process holds it."""
    with app.app_context():
        session = db.session
        lease = lease_length(app.config)
        try:
            if not claim_source(session, source_id, holder, utcnow(), lease):
                return False
            try:
                with lease_heartbeat(db.engine, source_id, holder, lease):
                    _run_if_active(app, session, source_id)
            finally:
                session.rollback()
                release_source(session, source_id, holder)
        finally:
            db.session.remove()
    alert_after_scrape(app)
    return True


def _run_if_active(app: Flask, session: Session, source_id: int) -> None:
    source = session.get(Source, source_id)
    if source is not None and source.active:
        with Fetcher(settings_from_config(app.config)) as fetcher:
            run_source(session, source, utcnow(), fetcher, options_from_config(app.config))


def reconcile_jobs(app: Flask, scheduler: BaseScheduler, holder: str) -> None:
    """Make the source jobs match the active sources, so new or changed sources need no restart."""
    wanted = _wanted_source_jobs(app)
    for job in scheduler.get_jobs():
        if job.id.startswith(SCRAPE_JOB_PREFIX) and job.id not in wanted:
            job.remove()
    for job_id, (source_id, interval_minutes) in wanted.items():
        job = scheduler.get_job(job_id)
        if job is None or job.args[1] != source_id:
            _add_source_job(scheduler, app, holder, job_id, source_id, interval_minutes)
        elif job.trigger.interval != timedelta(minutes=interval_minutes):
            job.reschedule("interval", minutes=interval_minutes, jitter=JITTER_SECONDS)


def _wanted_source_jobs(app: Flask) -> dict[str, tuple[int, int]]:
    """Job id to (source id, interval) for every active source, read now."""
    with app.app_context():
        sources = active_sources(db.session)
        wanted = {f"{SCRAPE_JOB_PREFIX}{s.key}": (s.id, s.interval_minutes) for s in sources}
        db.session.remove()
    return wanted


def _add_source_job(
    scheduler: BaseScheduler,
    app: Flask,
    holder: str,
    job_id: str,
    source_id: int,
    interval_minutes: int,
) -> None:
    scheduler.add_job(
        run_scheduled_source,
        "interval",
        minutes=interval_minutes,
        jitter=JITTER_SECONDS,
        args=(app, source_id, holder),
        id=job_id,
        name=job_id.replace(":", " ", 1),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        next_run_time=datetime.now(UTC),
        replace_existing=True,
    )


def prune_scheduled_payloads(app: Flask) -> None:
    """The daily retention job: what `portal scrape prune` does, with no cron entry to forget."""
    with app.app_context():
        try:
            days = app.config["PORTAL_RAW_RETENTION_DAYS"]
            removed = prune_raw_payloads(db.session, utcnow(), days)
            db.session.commit()
            log.info("pruned %s raw payloads older than %s days", removed, days)
        finally:
            db.session.remove()


def build_scheduler(app: Flask, blocking: bool) -> BaseScheduler:
    """A job per active source, the job that keeps them in step, index repair, the daily
    pruning of raw payloads, of sign-in attempts and of stale plan drafts, the daily
    refresh of the short-deadline flags and the statistics snapshot."""
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone=UTC)
    holder = lease_holder_name()
    reconcile_jobs(app, scheduler, holder)
    scheduler.add_job(
        reconcile_jobs,
        "interval",
        minutes=RECONCILE_MINUTES,
        args=(app, scheduler, holder),
        id=RECONCILE_JOB_ID,
        name="reconcile source jobs",
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        repair_index,
        "interval",
        minutes=REPAIR_MINUTES,
        next_run_time=datetime.now(UTC),  # at start-up: mend what a crash left unindexed
        args=(app,),
        id=REPAIR_JOB_ID,
        name="repair search index",
        coalesce=True,
        max_instances=1,
    )
    for job, minute, job_id, name in (
        (prune_scheduled_payloads, None, PRUNE_JOB_ID, "prune raw payloads"),
        (prune_sign_in_attempts, 30, PRUNE_ATTEMPTS_JOB_ID, "prune sign-in attempts"),
        (purge_plan_drafts, 45, PURGE_DRAFTS_JOB_ID, "purge stale plan drafts"),
        # at :50, after the deadline refresh: it counts the flags that sets
        (snapshot_statistics, 50, STATISTICS_JOB_ID, "statistics snapshot"),
        (refresh_deadlines, 15, REFRESH_DEADLINES_JOB_ID, "refresh short-deadline flags"),
    ):
        scheduler.add_job(
            job,
            "cron",
            hour=PRUNE_HOUR,
            minute=minute,
            timezone=app.config.get("PORTAL_TIMEZONE", "America/Lima"),
            args=(app,),
            id=job_id,
            name=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
    add_alert_jobs(app, scheduler)
    return scheduler


def add_alert_jobs(app: Flask, scheduler: BaseScheduler) -> None:
    """Matching every few minutes (scrape runs also match as they end), immediate alerts every
    minute, digests on the hour (each user's hour is in their rows' due time), reminders
    hourly."""
    lima = app.config.get("PORTAL_TIMEZONE", "America/Lima")
    common = {"args": (app,), "coalesce": True, "max_instances": 1}
    scheduler.add_job(
        match_alerts,
        "interval",
        minutes=MATCH_MINUTES,
        next_run_time=datetime.now(UTC),
        id=MATCH_JOB_ID,
        name="match alerts",
        **common,
    )
    scheduler.add_job(
        send_alerts, "interval", minutes=1, id=SEND_JOB_ID, name="send alerts", **common
    )
    scheduler.add_job(
        send_alerts,
        "cron",
        minute=0,
        second=30,  # after the matcher's and the sender's minute
        timezone=lima,
        kwargs={"digest": True},
        id=DIGEST_JOB_ID,
        name="send digests",
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        **common,
    )
    scheduler.add_job(
        remind,
        "cron",
        minute=5,
        timezone=lima,
        id=REMIND_JOB_ID,
        name="record deadline reminders",
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        **common,
    )
