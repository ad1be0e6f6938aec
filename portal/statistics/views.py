"""The dashboard at /admin/estadisticas (administrators) and its public part at
/estadisticas: the page, each chart as an SVG file and each table as a CSV file.

Both read the same figures; the public one offers fewer of them (portal.statistics.figures
says which) and no breakdown by entity. Administrators are checked the way the admin
blueprint checks them, once for the blueprint.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from portal.accounts.access import require_role
from portal.accounts.models import Role
from portal.db import db, utcnow
from portal.plans import compliance
from portal.search.params import InvalidSearchParams
from portal.spreadsheets import csv_bytes, download
from portal.statistics.charts import CHART_POLICY, chart_height, render_svg
from portal.statistics.dashboard import Dashboard, current_snapshot
from portal.statistics.figures import (
    BREAKDOWN_LABELS,
    FIGURES,
    PUBLIC_FIGURES,
    TABLES_ONLY,
    Figure,
)
from portal.statistics.filters import (
    ADMIN_BREAKDOWNS,
    PUBLIC_BREAKDOWNS,
    filter_args,
    parse_breakdown,
    parse_filters,
    utc_offset_minutes,
)
from portal.statistics.sql import without_jit
from portal.statistics.summary import summary

admin = Blueprint("statistics_admin", __name__, url_prefix="/admin/estadisticas")
require_role(admin, Role.ADMIN)
public = Blueprint("statistics", __name__, url_prefix="/estadisticas")

ADMIN_FIGURES = tuple(FIGURES)
ADMIN_CHARTS = tuple(key for key in ADMIN_FIGURES if key not in TABLES_ONLY)
PUBLIC_CHARTS = tuple(key for key in PUBLIC_FIGURES if key not in TABLES_ONLY)


def figure_key(keys: tuple[str, ...]) -> str:
    """A URL part matching only these figure names (quoted: they hold hyphens)."""
    return "<any({}):key>".format(", ".join(f'"{key}"' for key in keys))


@admin.get("")
def admin_page():
    return _page(is_admin=True)


@public.get("")
def public_page():
    return _page(is_admin=False)


@admin.get(f"/graficos/{figure_key(ADMIN_CHARTS)}.svg")
def admin_chart(key: str):
    return _chart(key, is_admin=True)


@public.get(f"/graficos/{figure_key(PUBLIC_CHARTS)}.svg")
def public_chart(key: str):
    return _chart(key, is_admin=False)


@admin.get(f"/{figure_key(ADMIN_FIGURES)}.csv")
def admin_csv(key: str):
    return _csv(key, is_admin=True)


@public.get(f"/{figure_key(PUBLIC_FIGURES)}.csv")
def public_csv(key: str):
    return _csv(key, is_admin=False)


def _page(is_admin: bool):
    dashboard = _dashboard(is_admin)
    keys = ADMIN_FIGURES if is_admin else PUBLIC_FIGURES
    return render_template(
        "statistics/dashboard.html",
        dashboard=dashboard,
        figures=[FIGURES[key](dashboard) for key in keys],
        summary=summary(dashboard),
        compliance=_compliance(dashboard) if is_admin else None,
        breakdowns=ADMIN_BREAKDOWNS if is_admin else PUBLIC_BREAKDOWNS,
        args=filter_args(dashboard.filters, dashboard.breakdown),
        endpoints=_endpoints(is_admin),
        is_admin=is_admin,
    )


def _chart(key: str, is_admin: bool) -> Response:
    figure = FIGURES[key](_dashboard(is_admin))
    response = Response(render_svg(figure.chart, figure.title), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_POLICY
    response.headers["Cache-Control"] = "private, max-age=300" if is_admin else "max-age=300"
    return response


def _csv(key: str, is_admin: bool) -> Response:
    dashboard = _dashboard(is_admin)
    figure = FIGURES[key](dashboard)
    zone = ZoneInfo(current_app.config["PORTAL_TIMEZONE"])
    rows = (
        [_csv_cell(cell, kind, zone) for cell, kind in zip(row, figure.formats, strict=True)]
        for row in figure.rows
    )
    name = f"{key}-{dashboard.filters.start.isoformat()}-{dashboard.filters.end.isoformat()}.csv"
    return download(csv_bytes(figure.header, rows), name, "csv")


def _dashboard(is_admin: bool) -> Dashboard:
    now = utcnow()
    zone = current_app.config["PORTAL_TIMEZONE"]
    today = now.astimezone(ZoneInfo(zone)).date()
    try:
        filters = parse_filters(request.args, today)
        choices = ADMIN_BREAKDOWNS if is_admin else PUBLIC_BREAKDOWNS
        breakdown = parse_breakdown(request.args, choices)
    except InvalidSearchParams as error:
        abort(400, description=str(error))
    without_jit(db.session)
    return Dashboard(
        db.session,
        filters,
        utc_offset_minutes(zone, now),
        now,
        current_snapshot(db.session),
        breakdown,
        public=not is_admin,
    )


def _compliance(dashboard: Dashboard) -> tuple[int, compliance.ComplianceSummary]:
    zone = current_app.config["PORTAL_TIMEZONE"]
    year = compliance.current_fiscal_year(dashboard.now, zone)
    filters = compliance.ComplianceFilters(fiscal_year=year, region=dashboard.filters.region)
    return year, compliance.compliance_summary(dashboard.session, filters)


def _endpoints(is_admin: bool) -> dict[str, str]:
    prefix = "statistics_admin." if is_admin else "statistics."
    kind = "admin" if is_admin else "public"
    return {name: f"{prefix}{kind}_{name}" for name in ("page", "chart", "csv")}


def _csv_cell(value, kind: str, zone: ZoneInfo):
    """Numbers stay numbers (rounded as shown) so a spreadsheet can add them up; times are
    Lima wall time, since spreadsheets have no zones."""
    if value is None:
        return None
    if kind in ("days", "number"):
        return round(value, 2)
    if kind == "percent":
        return round(value, 1)
    if kind == "datetime" and isinstance(value, datetime):
        return value.astimezone(zone).replace(tzinfo=None)
    return value


@admin.context_processor
@public.context_processor
def _helpers() -> dict:
    return {
        "cell": cell,
        "chart_alt": chart_alt,
        "chart_height": chart_height,
        "breakdown_label": lambda choice: BREAKDOWN_LABELS[choice](),
    }


def cell(value, kind: str) -> str:
    """A table cell as the page shows it: one decimal for days, "—" for no value."""
    if value is None:
        return "—"
    if kind == "count":
        return f"{value:,}"
    if kind in ("days", "number"):
        return f"{value:,.1f}"
    if kind == "percent":
        return f"{value:.1f} %"
    if kind == "datetime":
        zone = ZoneInfo(current_app.config["PORTAL_TIMEZONE"])
        return value.astimezone(zone).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def chart_alt(figure: Figure) -> str:
    return _("Gráfico: %(title)s. Los datos están en la tabla que sigue.", title=figure.title)
