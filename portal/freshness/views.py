"""/fuentes: for every active source, its last success, recent notices, delay and health."""

from flask import Blueprint, render_template

from portal.db import db, utcnow
from portal.freshness.display import duration_text, time_ago
from portal.freshness.health import HealthState
from portal.freshness.queries import DELAY_DAYS, RECENT_DAYS, sources_freshness

blueprint = Blueprint("freshness", __name__)


@blueprint.get("/fuentes")
def sources():
    now = utcnow()
    return render_template(
        "freshness/sources.html",
        sources=sources_freshness(db.session, now),
        now=now,
        recent_days=RECENT_DAYS,
        delay_days=DELAY_DAYS,
        states=HealthState,
    )


@blueprint.context_processor
def _helpers() -> dict:
    return {"duration_text": duration_text, "time_ago": time_ago}
