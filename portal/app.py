"""Compras MYPE's application factory, which names every part of the portal."""

import os
import sys
from importlib import metadata
from pathlib import Path

from flask import Flask

from portal.config import finish_config, instance_folder, settings_from_environment

INSTALLED_TEMPLATES = "share/compras-mype/templates"  # pyproject.toml's data-files target


def templates_folder() -> str:
    """The root-level templates/ in a checkout, or the copy an installed wheel puts in share/."""
    checkout = Path(__file__).resolve().parent.parent / "templates"
    if checkout.is_dir():
        return str(checkout)
    return str(installed_templates_folder())


def installed_templates_folder() -> Path:
    """The installer's record says where share/ went (a venv, --user or --prefix install)."""
    try:
        files = metadata.files("compras-mype") or []
    except metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.as_posix().endswith(f"{INSTALLED_TEMPLATES}/base.html"):
            return Path(file.locate()).resolve().parent
    return Path(sys.prefix) / INSTALLED_TEMPLATES


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path or instance_folder(os.environ),
        instance_relative_config=True,
        template_folder=templates_folder(),
    )
    app.config.from_mapping(settings_from_environment(os.environ))
    if test_config:
        app.config.from_mapping(test_config)
    finish_config(app.config, Path(app.instance_path))

    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from portal.extensions import init_extensions
    from portal.search import init_search
    from portal.security import init_security

    init_extensions(app)
    init_search(app)
    init_security(app)


def register_blueprints(app: Flask) -> None:
    from portal.accounts.views import account, auth
    from portal.admin.views import blueprint as admin
    from portal.agency.views import blueprint as agency
    from portal.alert_links.views import blueprint as alert_links
    from portal.api.views import blueprint as api
    from portal.buyers.views import blueprint as buyers
    from portal.extensions import csrf
    from portal.feeds.views import blueprint as feeds
    from portal.freshness.views import blueprint as freshness
    from portal.opportunities.search_page import blueprint as search_page
    from portal.opportunities.views import blueprint as opportunities
    from portal.plan_upload.views import blueprint as plan_upload
    from portal.plans.views import blueprint as plans
    from portal.statistics.views import admin as statistics_admin
    from portal.statistics.views import public as statistics
    from portal.subscriptions.views import alerts, watchlist
    from portal.web import blueprint as web

    app.register_blueprint(web)
    app.register_blueprint(search_page)
    app.register_blueprint(opportunities)
    app.register_blueprint(buyers)
    app.register_blueprint(plans)
    app.register_blueprint(feeds)
    app.register_blueprint(auth)
    app.register_blueprint(account)
    app.register_blueprint(alerts)
    app.register_blueprint(watchlist)
    app.register_blueprint(alert_links)
    app.register_blueprint(agency)
    app.register_blueprint(plan_upload)
    app.register_blueprint(admin)
    app.register_blueprint(statistics)
    app.register_blueprint(statistics_admin)
    app.register_blueprint(freshness)
    csrf.exempt(api)  # read-only GET endpoints for scripts, which carry no session cookie
    app.register_blueprint(api)


def register_commands(app: Flask) -> None:
    from portal.cli import register_cli

    register_cli(app)
