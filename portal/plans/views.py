"""The plan browser: which entities published annual plans, and each plan's lines by version."""

from flask import Blueprint, abort, render_template, request

from portal.db import db
from portal.plans.params import parse_region, parse_year
from portal.plans.queries import latest_plans, line_counts, plan_versions, plan_years
from portal.reference.models import Department
from portal.search.params import InvalidSearchParams

blueprint = Blueprint("plans", __name__, url_prefix="/planes")


@blueprint.get("/")
def index():
    try:
        year = parse_year(request.args.get("year"))
        region = parse_region(request.args.get("region"))
    except InvalidSearchParams as error:
        abort(400, description=error.message)
    plans = latest_plans(db.session, year=year, region=region)
    return render_template(
        "plans/index.html",
        plans=plans,
        counts=line_counts(db.session, [plan.id for plan in plans]),
        years=plan_years(db.session),
        regions=db.session.query(Department).order_by(Department.name).all(),
        year=year,
        region=region,
    )


@blueprint.get("/<int(max=2147483647):buyer_id>/<int(max=9999):year>")
def plan(buyer_id: int, year: int):
    versions = plan_versions(db.session, buyer_id, year)
    if not versions:
        abort(404)
    wanted = request.args.get("version", type=int)
    shown = (
        versions[0]
        if wanted is None
        else next((version for version in versions if version.version == wanted), None)
    )
    if shown is None:
        abort(404)
    return render_template("plans/plan.html", plan=shown, versions=versions)
