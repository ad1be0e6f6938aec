"""Compras MYPE: the Flask application factory, which names every part of the portal."""

import sys
from pathlib import Path

from flask import Flask

from portal.config import Config, finish_config


def templates_folder() -> str:
    """The root-level templates/ in a checkout, or the copy an installed wheel puts in share/."""
    checkout = Path(__file__).resolve().parent.parent / "templates"
    if checkout.is_dir():
        return str(checkout)
    return str(Path(sys.prefix) / "share" / "compras-mype" / "templates")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder=templates_folder())
    app.config.from_object(Config)
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

    init_extensions(app)
    init_search(app)


def register_blueprints(app: Flask) -> None:
    from portal.api.views import blueprint as api
    from portal.buyers.views import blueprint as buyers
    from portal.extensions import csrf
    from portal.feeds.views import blueprint as feeds
    from portal.opportunities.search_page import blueprint as search_page
    from portal.opportunities.views import blueprint as opportunities
    from portal.plans.views import blueprint as plans
    from portal.web import blueprint as web

    app.register_blueprint(web)
    app.register_blueprint(search_page)
    app.register_blueprint(opportunities)
    app.register_blueprint(buyers)
    app.register_blueprint(plans)
    app.register_blueprint(feeds)
    csrf.exempt(api)  # read-only GET endpoints for scripts, which carry no session cookie
    app.register_blueprint(api)


def register_commands(app: Flask) -> None:
    from portal.cli import register_cli

    register_cli(app)
