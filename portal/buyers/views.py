"""The buyer page: what an entity has open now, what it plans to buy, and how it behaves."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, render_template

from portal.buyers.models import Buyer
from portal.buyers.queries import buyer_statistics, current_plan
from portal.db import db
from portal.opportunities.queries import open_for_buyer
from portal.plans.compliance import current_fiscal_year, plan_status
from portal.plans.queries import line_page

BUYER_PAGE_LINES = 20  # the plan page has them all

blueprint = Blueprint("buyers", __name__, url_prefix="/entidades")


@blueprint.get("/<int(max=2147483647):buyer_id>")
def detail(buyer_id: int):
    buyer = db.session.get(Buyer, buyer_id)
    if buyer is None:
        abort(404)
    now = datetime.now(UTC)
    local_year = current_fiscal_year(now, current_app.config["PORTAL_TIMEZONE"])
    plan = current_plan(db.session, buyer_id, local_year)
    return render_template(
        "buyers/detail.html",
        buyer=buyer,
        opportunities=open_for_buyer(db.session, buyer_id, now),
        plan=plan,
        plan_lines=line_page(db.session, plan, per_page=BUYER_PAGE_LINES) if plan else None,
        plan_status=plan_status(db.session, buyer_id, local_year),
        fiscal_year=local_year,
        statistics=buyer_statistics(db.session, buyer_id),
        now=now,
    )
