"""Flask extensions, created once and bound to each app in init_extensions."""

from flask import Flask, has_request_context, request, session
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from portal.db import db
from scrapers.text import fold

babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()


def select_locale() -> str:
    """?lang= wins and is remembered in the session; then the browser's preference; Spanish."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # mail and jobs: callers use flask_babel.force_locale
        return languages[0]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or languages[0]


@login_manager.user_loader
def load_user(session_id: str):
    """The session holds "id:epoch" (User.get_id); an older epoch is a signed-out device."""
    from portal.accounts.models import User

    user_id, _, epoch = session_id.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.login_epoch != int(epoch) or not user.is_active:
        return None
    return user


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys unless asked on every connection. It also lacks a way to
    drop accents (PostgreSQL has `translate`): `portal_fold` is scrapers.text.fold in SQL."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        dbapi_connection.create_function("portal_fold", 1, _fold_or_none, deterministic=True)


def _fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold(text)


@event.listens_for(Pool, "checkin")
def _sqlite_foreign_keys_back_on(dbapi_connection, _record) -> None:
    """The matcher turns SQLite's foreign keys off for its batch (notifications.matching);
    a connection goes back to the pool with them on, whoever used it."""
    if dbapi_connection is not None and type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")


def init_extensions(app: Flask) -> None:
    import portal.models  # noqa: F401  (registers every table on the metadata)

    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # No flash: a client that never follows the redirect (a bot, a prefetch) would pile one
    # message per request into its session cookie. The sign-in page says why instead.
    login_manager.login_message = None
    # "basic": a changed address or browser marks the session non-fresh instead of ending it,
    # since mobile users change networks all day.
    login_manager.session_protection = "basic"
    csrf.init_app(app)
