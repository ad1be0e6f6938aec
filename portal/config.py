"""Every setting in one place, each with its development default; the environment overrides.

create_app reads the environment when it builds an app, never at import, so what counts is the
environment of that moment (a test's monkeypatched one included).
"""

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

DEVELOPMENT_SECRET = "dev-secret-change-me"
# 32 characters is 128 bits or more for the generators people use (token_hex(16) and up).
MIN_PRODUCTION_SECRET_LENGTH = 32


def settings_from_environment(environ: Mapping[str, str]) -> dict:
    """The settings create_app starts from; tests pass their own mapping on top."""
    uit_year = environ.get("PORTAL_UIT_YEAR", "").strip()
    return {
        "SECRET_KEY": environ.get("SECRET_KEY", DEVELOPMENT_SECRET),
        # None means "the SQLite file in the instance folder", resolved by finish_config.
        "SQLALCHEMY_DATABASE_URI": environ.get("DATABASE_URL"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PORTAL_INDEX_DIR": environ.get("PORTAL_INDEX_DIR"),
        "PORTAL_OUTBOX_DIR": environ.get("PORTAL_OUTBOX_DIR"),
        "SMTP_URL": environ.get("SMTP_URL"),  # e.g. smtp://user:pass@host:587?starttls=1
        "MAIL_FROM": environ.get("MAIL_FROM", "Compras MYPE <alertas@comprasmype.pe>"),
        # A mailbox whose messages `portal alerts unsubscribe-mail` reads: alert mail then offers
        # it as a mailto: List-Unsubscribe after the https one. None: the https one alone.
        "PORTAL_UNSUBSCRIBE_MAILBOX": environ.get("PORTAL_UNSUBSCRIBE_MAILBOX", "").strip() or None,
        "PORTAL_ENV": environ.get("PORTAL_ENV", "development"),
        "PORTAL_TIMEZONE": environ.get("PORTAL_TIMEZONE", "America/Lima"),
        # None: the current year in Lima (portal.reference.uit.current_uit_year).
        "PORTAL_UIT_YEAR": int(uit_year) if uit_year else None,
        "PORTAL_USER_AGENT": environ.get(
            "PORTAL_USER_AGENT", "ComprasMYPE/0.1 (+https://github.com/compras-mype/portal)"
        ),
        "PORTAL_RAW_RETENTION_DAYS": int(environ.get("PORTAL_RAW_RETENTION_DAYS", "90")),
        # Folders a source's own file:// URL may be in (several joined by os.pathsep); None:
        # the instance folder, filled by finish_config.
        "PORTAL_LOCAL_SOURCES_DIR": environ.get("PORTAL_LOCAL_SOURCES_DIR"),
        # The largest OCDS dump a run downloads; feeds and pages stop at 20 MB, plans at 25 MB.
        "PORTAL_FETCH_MAX_DUMP_MB": int(environ.get("PORTAL_FETCH_MAX_DUMP_MB", "2048")),
        # false for processes that must only read the index (wsgi.py forces it for web workers)
        "PORTAL_INDEX_WRITER": environ.get("PORTAL_INDEX_WRITER", "true").lower() != "false",
        # None: portal.feeds.export.DEFAULT_EXPORT_LIMIT releases/events per export
        "PORTAL_EXPORT_LIMIT": int(environ["PORTAL_EXPORT_LIMIT"])
        if environ.get("PORTAL_EXPORT_LIMIT", "").strip()
        else None,
        # The portal's public address: links in mail, feeds and the API are built on it in
        # production, never on the Host header a request happens to carry.
        "PORTAL_BASE_URL": environ.get("PORTAL_BASE_URL", "").strip() or None,
        # A signed-in browser stays signed in for a working day without activity; "remember me"
        # keeps a device signed in for a month (until the password changes).
        # How many reverse proxies in front of gunicorn set X-Forwarded-For/-Proto: throttling and
        # the audit log need the visitor's address, not the proxy's. 0 trusts no such header.
        "PORTAL_TRUSTED_PROXIES": int(environ.get("PORTAL_TRUSTED_PROXIES", "0")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # A CSRF token lives as long as the session that holds it, so a form left open a while
        # still submits.
        "WTF_CSRF_TIME_LIMIT": None,
        "PORTAL_SUBSCRIPTION_LIMIT": 20,
        # A subscription whose preview sends more than this many alerts a week is "too broad".
        # Where alert mail links point when PORTAL_BASE_URL is unset (development only).
        "PORTAL_DEV_BASE_URL": environ.get("PORTAL_DEV_BASE_URL", "http://127.0.0.1:5000"),
        "PORTAL_BROAD_SUBSCRIPTION_PER_WEEK": int(
            environ.get("PORTAL_BROAD_SUBSCRIPTION_PER_WEEK", "50")
        ),
        "BABEL_DEFAULT_LOCALE": "es",
        "BABEL_DEFAULT_TIMEZONE": "America/Lima",
        "LANGUAGES": ("es", "en"),
    }


def instance_folder(environ: Mapping[str, str]) -> str | None:
    """PORTAL_INSTANCE_DIR moves the per-installation folder; None keeps Flask's default."""
    folder = environ.get("PORTAL_INSTANCE_DIR")
    return os.path.abspath(folder) if folder else None


class ProductionSecretError(RuntimeError):
    """Raised so a production deployment never signs cookies with a guessable secret."""


class ProductionBaseURLError(RuntimeError):
    """Raised so production links never follow a forged Host header."""


# A bare address, nothing that would end the <mailto:…> of List-Unsubscribe or start a query.
_MAILBOX = re.compile(
    r"[^@\s<>,;:\"()\[\]\\?&%]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}"
)


def finish_config(config: dict, instance_path: Path) -> None:
    """Fill the per-installation defaults (instance folder) and refuse unsafe production setups."""
    instance_path.mkdir(parents=True, exist_ok=True)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'portal.sqlite3'}"
    config["SQLALCHEMY_DATABASE_URI"] = _with_psycopg_driver(config["SQLALCHEMY_DATABASE_URI"])
    config["PORTAL_INDEX_DIR"] = config.get("PORTAL_INDEX_DIR") or str(instance_path / "index")
    config["PORTAL_OUTBOX_DIR"] = config.get("PORTAL_OUTBOX_DIR") or str(instance_path / "outbox")
    local_sources = config.get("PORTAL_LOCAL_SOURCES_DIR") or str(instance_path)
    config["PORTAL_LOCAL_SOURCES_DIR"] = local_sources
    mailbox = config.get("PORTAL_UNSUBSCRIBE_MAILBOX")
    if mailbox and not _MAILBOX.fullmatch(mailbox):
        raise ValueError(f"PORTAL_UNSUBSCRIBE_MAILBOX must be a bare address, not {mailbox!r}")
    # "Production" or " production" must not slip through as some other environment.
    config["PORTAL_ENV"] = str(config.get("PORTAL_ENV") or "development").strip().lower()
    if config["PORTAL_ENV"] == "production":
        refuse_weak_secret(config.get("SECRET_KEY"))
        config["SESSION_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_HTTPONLY"] = True
        config["SESSION_COOKIE_SAMESITE"] = "Lax"
        config["REMEMBER_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_HTTPONLY"] = True
        config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
        use_base_url(config, required=True)
    elif config.get("PORTAL_BASE_URL"):
        use_base_url(config, required=False)


def use_base_url(config: dict, required: bool) -> None:
    """SERVER_NAME and the scheme from PORTAL_BASE_URL: url_for(_external=True) then builds on
    them whatever Host a request carries (portal.security.external forces the scheme)."""
    base = config.get("PORTAL_BASE_URL")
    parts = urlsplit(base or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        if required or base:
            raise ProductionBaseURLError(
                "PORTAL_ENV=production needs PORTAL_BASE_URL, the portal's public address such "
                f"as https://comprasmype.pe (got {base!r})"
            )
        return
    config["SERVER_NAME"] = parts.netloc
    config["PREFERRED_URL_SCHEME"] = parts.scheme


def _with_psycopg_driver(uri: str) -> str:
    if uri.startswith("postgres://"):  # the scheme Heroku-style hosts still hand out
        uri = "postgresql://" + uri.removeprefix("postgres://")
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    return uri


def refuse_weak_secret(secret: str | bytes | None) -> None:
    """Session cookies and API cursors are signed with it: a short one can be brute-forced."""
    if not secret or secret == DEVELOPMENT_SECRET:
        raise ProductionSecretError(
            "PORTAL_ENV=production needs its own SECRET_KEY; refusing the development secret"
        )
    if len(secret) < MIN_PRODUCTION_SECRET_LENGTH:
        raise ProductionSecretError(
            f"PORTAL_ENV=production needs a SECRET_KEY of at least "
            f"{MIN_PRODUCTION_SECRET_LENGTH} characters (this one has {len(secret)}); "
            "generate one with: python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
