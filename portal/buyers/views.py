"""The buyer page: what an entity has open now, what it plans to buy, and how it behaves."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _

from portal.buyers.directory import buyer_directory
from portal.buyers.models import Buyer
from portal.buyers.queries import buyer_statistics, current_plan
from portal.db import db
from portal.feeds.text import INVALID_CHARACTERS
from portal.opportunities.queries import open_for_buyer
from portal.plans.compliance import current_fiscal_year, plan_status
from portal.plans.params import parse_page
from portal.plans.queries import line_page
from portal.search.params import InvalidSearchParams

BUYER_PAGE_LINES = 20  # the plan page has them all
MAX_SEARCH_LENGTH = 200

blueprint = Blueprint("buyers", __name__, url_prefix="/entidades")


@blueprint.get("/")
def index():
    """Every buyer, searched by name, acronym or RUC, with its open calls."""
    text = request.args.get("q", "").strip()
    only_open = request.args.get("abiertas") == "1"
    if len(text) > MAX_SEARCH_LENGTH or INVALID_CHARACTERS.search(text):
        abort(400, description=_("Escribe un nombre, una sigla o un RUC más corto y sin símbolos."))
    try:
        number = parse_page(request.args.get("pagina"))
    except InvalidSearchParams as error:
        abort(400, description=str(error))
    found = buyer_directory(db.session, text, number, datetime.now(UTC), only_open)
    return render_template(
        "buyers/index.html",
        found=found,
        text=text,
        only_open=only_open,
        page_url=lambda page: url_for(
            "buyers.index", q=text or None, abiertas="1" if only_open else None, pagina=page
        ),
    )


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
