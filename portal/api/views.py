"""API v1 routes: thin wrappers that parse, fetch one keyset page and serialise."""

from dataclasses import replace
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from portal.api.cursor import InvalidCursor, decode_cursor, encode_cursor
from portal.api.listing import cursor_name, opportunity_page, plan_page
from portal.api.openapi import openapi_document
from portal.api.serializers import opportunity_json, plan_json
from portal.db import db
from portal.errors import error_page
from portal.feeds.export import export_limit
from portal.feeds.views import ocds_response
from portal.opportunities.queries import get_opportunity
from portal.opportunities.search_request import MAX_ID, search_params_from
from portal.plans.params import parse_year
from portal.search.params import InvalidSearchParams, SearchParams

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

API_PREFIX = "/api/"
HTTP_MESSAGES = {
    404: _l("recurso no encontrado"),
    405: _l("método no permitido para este recurso"),
}
# Search parameters that mean nothing for plans: refused rather than silently ignored.
NOT_FOR_PLANS = ("status", "closing_within", "sort", "page", "deadline_check")


@blueprint.errorhandler(InvalidSearchParams)
def invalid_parameter(error: InvalidSearchParams):
    return jsonify(error={"field": error.field, "message": str(error.message)}), 400


@blueprint.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """JSON for every HTTP error under /api/, routing errors (unknown path, method) included;
    other paths get the site's error page."""
    if not request.path.startswith(API_PREFIX):
        return error_page(error)
    message = HTTP_MESSAGES.get(error.code) or error.description
    response = jsonify(error={"field": None, "message": str(message)})
    response.status_code = error.code
    allowed = dict(error.get_headers()).get("Allow")
    if allowed:  # a 405 names the methods the resource does take
        response.headers["Allow"] = allowed
    return response


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(export_limit(current_app.config)))


@blueprint.get("/opportunities")
def opportunities():
    params = search_params_from(request.args)
    sort = cursor_name(params.sort)
    cursor = request.args.get("cursor")
    start = _decoded(cursor, sort, float) if cursor else None
    page = opportunity_page(db.session, params, datetime.now(UTC), start)
    following = _next_url(".opportunities", sort, *page.next_key) if page.next_key else None
    return jsonify(data=[opportunity_json(row) for row in page.rows], next=following)


@blueprint.get("/opportunities.ocds.json")
def opportunities_ocds():
    """The search page's hits (same parameters and order), up to the export limit, as OCDS."""
    return ocds_response(search_params_from(request.args))


@blueprint.get("/opportunities/<int:opportunity_id>")
def opportunity(opportunity_id: int):
    found = get_opportunity(db.session, opportunity_id) if opportunity_id <= MAX_ID else None
    if found is None:
        message = str(_l("convocatoria no encontrada"))
        return jsonify(error={"field": "id", "message": message}), 404
    return jsonify(data=opportunity_json(found, with_changes=True))


@blueprint.get("/plans")
def plans():
    params = _plan_params()
    year = parse_year(request.args.get("year"))
    cursor = request.args.get("cursor")
    after_id = _decoded(cursor, "plans", int)[1] if cursor else None
    page = plan_page(db.session, params, year, datetime.now(UTC), after_id)
    following = _next_url(".plans", "plans", *page.next_key) if page.next_key else None
    return jsonify(data=[plan_json(plan, lines) for plan, lines in page.rows], next=following)


def _plan_params() -> SearchParams:
    """The search parameters plan lines carry; a kind other than plan_line is refused too."""
    params = search_params_from(request.args)
    for name in NOT_FOR_PLANS:
        if request.args.get(name):
            raise InvalidSearchParams(name, _l("no se aplica a los planes"))
    kind_given = any(kind.strip() for kind in request.args.getlist("kind"))
    if kind_given and "opportunity" in params.kinds:
        raise InvalidSearchParams("kind", _l("los planes solo tienen líneas (plan_line)"))
    return replace(params, kinds=("plan_line",))


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
