"""The plan browser: which entities published annual plans, each plan's lines by version,
what each amendment changed, and a version as a spreadsheet."""

from flask import Blueprint, abort, render_template, request, url_for

from portal import spreadsheets
from portal.db import db
from portal.plans.diff import plan_diff
from portal.plans.display import (
    line_anchor,
    line_field_label,
    line_url,
    month_name,
    provenance,
    quantity,
)
from portal.plans.export import export_filename, export_plan
from portal.plans.models import AnnualPlan
from portal.plans.params import (
    parse_export_format,
    parse_page,
    parse_region,
    parse_version,
    parse_year,
)
from portal.plans.queries import (
    calls_by_reference,
    department_names,
    latest_plans,
    line_counts,
    line_page,
    page_of_line,
    plan_versions,
    plan_years,
    source_names,
)
from portal.reference.departments import departments_in_order
from portal.search.params import InvalidSearchParams

blueprint = Blueprint("plans", __name__, url_prefix="/planes")
PLAN_URL = "/<int(max=2147483647):buyer_id>/<int(max=9999):year>"

blueprint.add_app_template_filter(line_anchor, "line_anchor")
blueprint.add_app_template_global(line_url, "line_url")
blueprint.add_app_template_filter(month_name, "month_name")
blueprint.add_app_template_filter(quantity, "quantity")


@blueprint.get("/")
def index():
    try:
        year = parse_year(request.args.get("year"))
        region = parse_region(request.args.get("region"))
    except InvalidSearchParams as error:
        abort(400, description=str(error))
    plans = latest_plans(db.session, year=year, region=region)
    return render_template(
        "plans/index.html",
        plans=plans,
        counts=line_counts(db.session, [plan.id for plan in plans]),
        years=plan_years(db.session),
        regions=departments_in_order(db.session),
        year=year,
        region=region,
    )


@blueprint.get(PLAN_URL)
def plan(buyer_id: int, year: int):
    versions = _versions_or_404(buyer_id, year)
    shown = _chosen_version(versions, "version", request.args.get("version"), versions[0])
    try:
        number = parse_page(request.args.get("pagina"))
    except InvalidSearchParams as error:
        abort(400, description=str(error))
    reference = request.args.get("linea")
    if reference:  # a link to one line opens the page that holds it
        number = page_of_line(db.session, shown, reference[:40]) or number
    names = source_names(db.session, versions)
    return render_template(
        "plans/plan.html",
        plan=shown,
        page=line_page(db.session, shown, number),
        page_url=lambda number: url_for(
            "plans.plan", buyer_id=buyer_id, year=year, version=shown.version, pagina=number
        ),
        versions=versions,
        counts=line_counts(db.session, [version.id for version in versions]),
        provenance={version.id: provenance(version, names) for version in versions},
        calls=calls_by_reference(db.session, shown),
    )


@blueprint.get(PLAN_URL + "/cambios")
def changes(buyer_id: int, year: int):
    """Any two versions compared; by default the newest against the one before it."""
    versions = _versions_or_404(buyer_id, year)
    new = _chosen_version(versions, "a", request.args.get("a"), versions[0])
    position = versions.index(new)
    previous = versions[position + 1] if position + 1 < len(versions) else None
    old = _chosen_version(versions, "de", request.args.get("de"), previous)
    return render_template(
        "plans/changes.html",
        plan=new,
        old=old,
        new=new,
        versions=versions,
        diff=plan_diff(old, new) if old is not None else None,
        departments=department_names(db.session),
        field_label=line_field_label,
    )


@blueprint.get(PLAN_URL + "/exportar")
def export(buyer_id: int, year: int):
    """One version's lines (the newest by default) as CSV or XLSX."""
    versions = _versions_or_404(buyer_id, year)
    try:
        kind = parse_export_format(request.args.get("formato"))
    except InvalidSearchParams as error:
        abort(400, description=str(error))
    shown = _chosen_version(versions, "version", request.args.get("version"), versions[0])
    return spreadsheets.download(export_plan(shown, kind), export_filename(shown, kind), kind)


def _versions_or_404(buyer_id: int, year: int) -> list[AnnualPlan]:
    versions = plan_versions(db.session, buyer_id, year)
    if not versions:
        abort(404)
    return versions


def _chosen_version(
    versions: list[AnnualPlan], field: str, text: str | None, default: AnnualPlan | None
) -> AnnualPlan | None:
    """The version named in the query string (400 if malformed, 404 if there is no such
    version), else `default`."""
    try:
        number = parse_version(field, text)
    except InvalidSearchParams as error:
        abort(400, description=str(error))
    if number is None:
        return default
    chosen = next((version for version in versions if version.version == number), None)
    if chosen is None:
        abort(404, description=f"{field}: esta versión del plan no existe")
    return chosen
