"""Feed routes: a search's results as RSS, Atom, iCalendar, OCDS, CSV and XLSX, and one
deadline as .ics.

Every feed takes the search page's query string, so a shared search link becomes a feed by
changing its path. RSS and Atom follow the search's results page; the iCalendar, OCDS and
spreadsheet exports carry every hit up to the export limit (portal.feeds.export).
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _

from portal.db import db
from portal.feeds.calendar import deadlines_calendar
from portal.feeds.export import (
    export_limit,
    export_params,
    exported_opportunities,
    spreadsheet_header,
    spreadsheet_rows,
)
from portal.feeds.feed_rows import feed_params, feed_rows
from portal.feeds.ocds import load_documents, release_package
from portal.feeds.ocds_deadline import RELEASE_SCHEMA_PATCH, extension_metadata
from portal.feeds.ocds_ids import source_keys
from portal.feeds.syndication import search_feed
from portal.opportunities.facets import search_url_args
from portal.opportunities.queries import get_opportunity
from portal.opportunities.search_request import search_params_from
from portal.opportunities.search_results import ResultRow
from portal.plans.display import line_url
from portal.search.params import InvalidSearchParams, SearchParams
from portal.spreadsheets import csv_bytes, download, xlsx_bytes

blueprint = Blueprint("feeds", __name__)

CALENDAR_TYPE = "text/calendar"  # Flask adds "; charset=utf-8" to text types


def uid_domain() -> str:
    """The portal's host for iCalendar UIDs: PORTAL_BASE_URL's (as in production), else the
    host this request reached, the one its links are built on."""
    return urlsplit(current_app.config.get("PORTAL_BASE_URL") or request.host_url).hostname


def detail_url(opportunity) -> str:
    return url_for("opportunities.detail", opportunity_id=opportunity.id, _external=True)


def _result_url(result: ResultRow) -> str:
    if result.is_plan_line:
        return line_url(result.row, external=True)
    return detail_url(result.row)


def requested_params() -> SearchParams:
    """The request's search, or a 400 naming the bad parameter."""
    try:
        return search_params_from(request.args)
    except InvalidSearchParams as error:
        abort(400, description=_("No pudimos entender la búsqueda: %(error)s.", error=str(error)))


def canonical_url(endpoint: str, params: SearchParams) -> str:
    """The search's URL from its canonical arguments, percent-encoded (request.url may not be)."""
    args = search_url_args(params)
    return url_for(endpoint, _external=True) + (f"?{args}" if args else "")


def ocds_response(params: SearchParams) -> tuple[Response, int] | Response:
    """The package, or 404 with the API's JSON error when nothing matches: OCDS 1.1's release
    package schema requires at least one release (`releases.minItems: 1`), so an empty
    package would be refused by validators."""
    package = ocds_export(params)
    if not package["releases"]:
        message = _(
            "Ninguna convocatoria coincide con esta búsqueda: un paquete OCDS 1.1 lleva al "
            "menos una entrega (release), así que no hay paquete que descargar."
        )
        return jsonify(error={"field": None, "message": message}), 404
    return jsonify(package)


def ocds_export(params: SearchParams) -> dict:
    """The search's opportunities, up to the export limit, as an OCDS release package."""
    params = export_params(params)
    now = datetime.now(UTC)
    found = exported_opportunities(db.session, params, now, export_limit(current_app.config))
    package_url = canonical_url(request.endpoint, params)
    keys = source_keys(db.session, found)
    load_documents(db.session, found)
    extension = url_for("feeds.deadline_extension", _external=True)
    return release_package(found, package_url, detail_url, now, keys, [extension])


@blueprint.get("/ocds/extensiones/plazo-minimo/extension.json")
def deadline_extension():
    """The OCDS extension the export's `tender.minimumTenderPeriod` belongs to."""
    documentation = url_for("feeds.deadline_extension_schema", _external=True)
    return jsonify(extension_metadata(documentation))


@blueprint.get("/ocds/extensiones/plazo-minimo/release-schema.json")
def deadline_extension_schema():
    """Its patch to the OCDS release schema (the name extension.json gives it)."""
    return jsonify(RELEASE_SCHEMA_PATCH)


def _syndicated(kind: str) -> Response:
    params = feed_params(requested_params())
    now = datetime.now(UTC)
    rows = feed_rows(db.session, params, now)
    self_url = canonical_url(request.endpoint, params)
    page_url = canonical_url("search_page.page", params)
    feed = search_feed(params, rows, self_url, page_url, _result_url, now)
    if kind == "rss":
        return Response(feed.rss_str(pretty=True), mimetype="application/rss+xml")
    return Response(feed.atom_str(pretty=True), mimetype="application/atom+xml")


@blueprint.get("/buscar.rss")
def search_rss():
    return _syndicated("rss")


@blueprint.get("/buscar.atom")
def search_atom():
    return _syndicated("atom")


@blueprint.get("/buscar.ics")
def search_calendar():
    params = export_params(requested_params())
    now = datetime.now(UTC)
    found = exported_opportunities(db.session, params, now, export_limit(current_app.config))
    name = _("Plazos: %(query)s", query=params.q or _("convocatorias"))
    body = deadlines_calendar(found, detail_url, now, name, uid_domain())
    return Response(body, mimetype=CALENDAR_TYPE)


@blueprint.get("/buscar.ocds.json")
def search_ocds():
    return ocds_response(requested_params())


@blueprint.get("/buscar.csv")
def search_csv():
    return _spreadsheet("csv")


@blueprint.get("/buscar.xlsx")
def search_xlsx():
    return _spreadsheet("xlsx")


def _spreadsheet(kind: str) -> Response:
    """The search's opportunities, up to the export limit, one row each."""
    params = export_params(requested_params())
    now = datetime.now(UTC)
    found = exported_opportunities(db.session, params, now, export_limit(current_app.config))
    rows = spreadsheet_rows(found, detail_url, ZoneInfo(current_app.config["PORTAL_TIMEZONE"]))
    header = spreadsheet_header()
    if kind == "csv":
        payload = csv_bytes(header, rows)
    else:
        payload = xlsx_bytes([(_("Convocatorias"), header, rows)])
    return download(payload, f"convocatorias.{kind}", kind)


@blueprint.get("/oportunidades/<int(max=2147483647):opportunity_id>.ics")
def opportunity_calendar(opportunity_id: int):
    opportunity = get_opportunity(db.session, opportunity_id)
    if opportunity is None or opportunity.deadline_at is None:
        abort(404)
    name = _("Plazo: %(title)s", title=opportunity.title)
    body = deadlines_calendar([opportunity], detail_url, datetime.now(UTC), name, uid_domain())
    return Response(body, mimetype=CALENDAR_TYPE)
