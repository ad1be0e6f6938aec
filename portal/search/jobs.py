"""The index's scheduled work, collected by the scheduler process (the single index writer).

Repair runs once at start-up, so a writer that crashed between a commit and its index write
loses nothing, and then every few minutes, so edits committed by read-only web workers reach
the index too.
"""

import logging

from flask import Flask

from portal.db import db
from portal.search.sync import RepairReport, repair

REPAIR_MINUTES = 10

log = logging.getLogger(__name__)


def repair_index(app: Flask) -> RepairReport:
    with app.app_context():
        try:
            report = repair(db.session, app.config["PORTAL_INDEX_DIR"])
        finally:
            db.session.remove()
    if report.missing or report.stale or report.orphans:
        log.warning("index drift repaired: %s", report)
    return report
