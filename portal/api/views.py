"""API v1 routes: thin wrappers that parse, query with a keyset cursor and serialise."""

from dataclasses import replace
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request, url_for
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from portal.api.cursor import (
    InvalidCursor,
    after,
    decode_cursor,
    encode_cursor,
    ordered,
    sort_order,
)
from portal.api.openapi import openapi_document
from portal.api.serializers import opportunity_json, plan_json
from portal.buyers.models import Buyer
from portal.db import db
from portal.feeds.ocds import release_package
from portal.feeds.views import canonical_url, detail_url
from portal.opportunities.filters import filtered_opportunities
from portal.opportunities.models import Opportunity
from portal.opportunities.queries import get_opportunity
from portal.opportunities.search_request import MAX_ID, search_params_from
from portal.opportunities.search_results import run_search
from portal.plans.models import AnnualPlan, PlanLine
from portal.plans.params import parse_year
from portal.plans.queries import latest_plans_query
from portal.search.params import InvalidSearchParams

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


@blueprint.errorhandler(InvalidSearchParams)
def invalid_parameter(error: InvalidSearchParams):
    return jsonify(error={"field": error.field, "message": error.message}), 400


@blueprint.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return jsonify(error={"field": None, "message": error.description}), error.code


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@blueprint.get("/opportunities")
def opportunities():
    params = search_params_from(request.args)
    order = sort_order(params.sort)
    query = filtered_opportunities(db.session, params, datetime.now(UTC)).add_columns(order.key)
    query = query.options(joinedload(Opportunity.buyer))
    if cursor := request.args.get("cursor"):
        key, last_id = _decoded(cursor, params.sort, order.decode)
        query = after(query, order, key, last_id)
    rows = db.session.execute(ordered(query, order).limit(params.per_page + 1)).all()
    page = rows[: params.per_page]
    following = None
    if len(rows) > params.per_page:
        last, key = page[-1]
        following = _next_url(".opportunities", params.sort, key, last.id)
    return jsonify(data=[opportunity_json(row) for row, _ in page], next=following)


@blueprint.get("/opportunities.ocds.json")
def opportunities_ocds():
    """The search page's results (same parameters, relevance and pages) as OCDS releases."""
    params = replace(search_params_from(request.args), kinds=("opportunity",))
    found = run_search(db.session, params, datetime.now(UTC))
    package_url = canonical_url(request.endpoint, found)
    package = release_package(found.opportunities, package_url, detail_url, datetime.now(UTC))
    return jsonify(package)


@blueprint.get("/opportunities/<int:opportunity_id>")
def opportunity(opportunity_id: int):
    found = get_opportunity(db.session, opportunity_id) if opportunity_id <= MAX_ID else None
    if found is None:
        return jsonify(error={"field": "id", "message": "convocatoria no encontrada"}), 404
    return jsonify(data=opportunity_json(found, with_changes=True))


@blueprint.get("/plans")
def plans():
    params = search_params_from(request.args)
    year = parse_year(request.args.get("year"))
    query = latest_plans_query(year=year)
    if params.regions:
        query = query.where(Buyer.region_code.in_(params.regions))
    if params.buyer_ids:
        query = query.where(AnnualPlan.buyer_id.in_(params.buyer_ids))
    matching = _line_filter(params.q)
    if params.q:
        query = query.where(exists().where(PlanLine.plan_id == AnnualPlan.id, *matching))
    if cursor := request.args.get("cursor"):
        _, last_id = _decoded(cursor, "plans", int)
        query = query.where(AnnualPlan.id > last_id)
    found = db.session.scalars(query.order_by(AnnualPlan.id).limit(params.per_page + 1)).all()
    page = found[: params.per_page]
    following = None
    if len(found) > params.per_page:
        following = _next_url(".plans", "plans", page[-1].id, page[-1].id)
    return jsonify(data=[plan_json(plan, _lines(plan, matching)) for plan in page], next=following)


def _line_filter(text: str) -> list:
    return [
        func.lower(PlanLine.description).contains(word, autoescape=True)
        for word in text.lower().split()
    ]


def _lines(plan: AnnualPlan, matching: list) -> list[PlanLine]:
    query = select(PlanLine).where(PlanLine.plan_id == plan.id, *matching).order_by(PlanLine.id)
    return list(db.session.scalars(query))


def _decoded(cursor: str, sort: str, decode: type) -> tuple[object, int]:
    try:
        return decode_cursor(current_app.config["SECRET_KEY"], cursor, sort, decode)
    except InvalidCursor as error:
        raise InvalidSearchParams("cursor", str(error)) from error


def _next_url(endpoint: str, sort: str, key, last_id: int) -> str:
    args = [(name, value) for name, value in request.args.items(multi=True) if name != "cursor"]
    cursor = encode_cursor(current_app.config["SECRET_KEY"], sort, key, last_id)
    query = dict[str, list[str]]()
    for name, value in [*args, ("cursor", cursor)]:
        query.setdefault(name, []).append(value)
    return url_for(endpoint, _external=True, **query)
