"""The accounts' scheduled work: forget sign-in attempts too old to count in any window."""

import logging

from flask import Flask

from portal.accounts.throttle import prune_attempts
from portal.db import db, utcnow

log = logging.getLogger(__name__)


def prune_sign_in_attempts(app: Flask) -> None:
    """Daily: the throttle reads only the last hour, so older rows are only weight."""
    with app.app_context():
        try:
            removed = prune_attempts(db.session, utcnow())
            db.session.commit()
            log.info("pruned %s sign-in attempts", removed)
        finally:
            db.session.remove()
