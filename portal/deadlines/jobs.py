"""The daily refresh, collected by the scheduler (scrapers.scheduler.build_scheduler)."""

import logging

from flask import Flask

from portal.db import db, utcnow
from portal.deadlines.refresh import RefreshReport, refresh

log = logging.getLogger(__name__)


def refresh_deadlines(app: Flask) -> RefreshReport:
    with app.app_context():
        try:
            report = refresh(db.session, utcnow())
        finally:
            db.session.remove()
    log.info("deadlines refreshed: %s", report)
    return report
