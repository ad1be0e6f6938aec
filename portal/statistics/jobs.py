"""The daily statistics snapshot, as the scheduler runs it (after the night's deadline refresh,
so the short-deadline flags it counts are current)."""

import logging

from flask import Flask

from portal.db import db, utcnow
from portal.statistics.filters import utc_offset_minutes
from portal.statistics.snapshot import SnapshotSummary, take_snapshot

log = logging.getLogger(__name__)


def snapshot_statistics(app: Flask) -> SnapshotSummary:
    with app.app_context():
        now = utcnow()
        offset = utc_offset_minutes(app.config["PORTAL_TIMEZONE"], now)
        summary = take_snapshot(db.engine, now, offset)
    log.info(
        "statistics snapshot %s: %s rows in %.1f s",
        summary.snapshot_id,
        summary.rows,
        summary.seconds,
    )
    return summary
