"""The buyer page: what an entity has open now, what it plans to buy, and how it behaves."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template

from portal.buyers.models import Buyer
from portal.buyers.queries import buyer_statistics, current_plan
from portal.db import db
from portal.opportunities.queries import open_for_buyer

blueprint = Blueprint("buyers", __name__, url_prefix="/entidades")


@blueprint.get("/<int(max=2147483647):buyer_id>")
def detail(buyer_id: int):
    buyer = db.session.get(Buyer, buyer_id)
    if buyer is None:
        abort(404)
    now = datetime.now(UTC)
    local_year = now.astimezone(ZoneInfo(current_app.config["PORTAL_TIMEZONE"])).year
    return render_template(
        "buyers/detail.html",
        buyer=buyer,
        opportunities=open_for_buyer(db.session, buyer_id, now),
        plan=current_plan(db.session, buyer_id, local_year),
        statistics=buyer_statistics(db.session, buyer_id),
        now=now,
    )
