"""Site-wide pages and template helpers: the home page, language switch, display filters."""

from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import get_locale
from werkzeug.datastructures import MultiDict

from notifications.formatting import money as format_money
from portal.db import db
from portal.deadlines.display import deadline_summary
from portal.freshness.queries import stale_major_sources
from portal.labels import object_type_label, status_label
from portal.opportunities.queries import closing_soon, latest_open
from portal.opportunities.time_left import time_left_text

blueprint = Blueprint("web", __name__)


@blueprint.get("/")
def home():
    now = datetime.now(UTC)
    return render_template(
        "home.html",
        latest=latest_open(db.session, now, limit=10),
        closing=closing_soon(db.session, now, limit=10),
        stale_sources=stale_major_sources(db.session, now),
        now=now,
    )


@blueprint.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says; the icon is an SVG."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@blueprint.app_template_filter("local_datetime")
def local_datetime(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """Times are stored in UTC and shown in Lima time (or PORTAL_TIMEZONE)."""
    if value is None:
        return "—"
    zone = ZoneInfo(current_app.config["PORTAL_TIMEZONE"])
    return value.astimezone(zone).strftime(fmt)


@blueprint.app_template_filter("money")
def money(value: Decimal | None, currency: str = "PEN") -> str:
    """`S/ 3,099,000.00` in every language, as Peruvian tender documents and the alert mail
    write amounts (one definition: notifications.formatting.money)."""
    return format_money(value, currency) or "—"


@blueprint.app_template_filter("language_args")
def language_args(args: MultiDict, language: str) -> str:
    """The current query string with `lang` switched, so a search survives a language change."""
    kept = [(key, value) for key, value in args.items(multi=True) if key != "lang"]
    return urlencode([*kept, ("lang", language)])


@blueprint.app_context_processor
def inject_template_helpers() -> dict:
    return {
        "current_locale": str(get_locale()),
        "object_type_label": object_type_label,
        "status_label": status_label,
        "deadline_summary": deadline_summary,
        "time_left": time_left_text,
    }
