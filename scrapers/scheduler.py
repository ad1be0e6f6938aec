"""The scheduler process: one job per active source, each run guarded by a lease on its row.

The lease is taken with one conditional UPDATE, which is atomic on SQLite and PostgreSQL
alike, so two scheduler processes on one database never run the same source at once.
"""

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from portal.db import db, utcnow
from scrapers.fetch import Fetcher, settings_from_config
from scrapers.models import Source
from scrapers.pipeline import options_from_config, run_source
from scrapers.sources import active_sources

DEFAULT_LEASE_MINUTES = 30
JITTER_SECONDS = 30
MISFIRE_GRACE_SECONDS = 300


def lease_holder_name() -> str:
    """Host, process and a random tail: unique per scheduler process, readable in the table."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


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


def release_source(session: Session, source_id: int, holder: str) -> None:
    session.execute(
        update(Source)
        .where(Source.id == source_id, Source.lease_holder == holder)
        .values(lease_holder=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def run_scheduled_source(app: Flask, source_id: int, holder: str) -> None:
    """One job: claim, run, release, inside its own app context and session."""
    with app.app_context():
        session = db.session
        lease = timedelta(minutes=app.config.get("PORTAL_LEASE_MINUTES", DEFAULT_LEASE_MINUTES))
        try:
            if not claim_source(session, source_id, holder, utcnow(), lease):
                return
            try:
                source = session.get(Source, source_id)
                if source is not None and source.active:
                    with Fetcher(settings_from_config(app.config)) as fetcher:
                        run_source(
                            session, source, utcnow(), fetcher, options_from_config(app.config)
                        )
            finally:
                session.rollback()
                release_source(session, source_id, holder)
        finally:
            db.session.remove()


def build_scheduler(app: Flask, blocking: bool) -> BaseScheduler:
    """A scheduler holding one interval job per active source, as read now from the database."""
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone=UTC)
    holder = lease_holder_name()
    with app.app_context():
        sources = [(s.id, s.key, s.interval_minutes) for s in active_sources(db.session)]
        db.session.remove()
    for source_id, key, interval_minutes in sources:
        scheduler.add_job(
            run_scheduled_source,
            "interval",
            minutes=interval_minutes,
            jitter=JITTER_SECONDS,
            args=(app, source_id, holder),
            id=f"scrape:{key}",
            name=f"scrape {key}",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            next_run_time=datetime.now(UTC),
        )
    return scheduler
