"""The plan upload's scheduled work: forgetting drafts nobody published."""

import logging

from flask import Flask

from portal.db import db, utcnow
from portal.plan_upload.operations import DRAFT_DAYS, purge_drafts

log = logging.getLogger(__name__)


def purge_plan_drafts(app: Flask) -> None:
    """Daily: stale drafts are discarded and discarded files dropped (up to 25 MB each)."""
    with app.app_context():
        try:
            dropped = purge_drafts(db.session, utcnow())
            db.session.commit()
            log.info("dropped %s plan draft files older than %s days", dropped, DRAFT_DAYS)
        finally:
            db.session.remove()
