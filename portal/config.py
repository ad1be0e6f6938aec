"""Every setting in one place, each with its development default; the environment overrides."""

import os
from pathlib import Path

DEVELOPMENT_SECRET = "dev-secret-change-me"


class Config:
    """Read once by create_app; tests pass their own mapping instead."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET)
    # None means "the SQLite file in the instance folder", resolved by create_app.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    PORTAL_INDEX_DIR = os.environ.get("PORTAL_INDEX_DIR")
    PORTAL_OUTBOX_DIR = os.environ.get("PORTAL_OUTBOX_DIR")
    SMTP_URL = os.environ.get("SMTP_URL")  # e.g. smtp://user:pass@host:587?starttls=1
    MAIL_FROM = os.environ.get("MAIL_FROM", "Compras MYPE <alertas@comprasmype.pe>")
    PORTAL_ENV = os.environ.get("PORTAL_ENV", "development")
    PORTAL_TIMEZONE = os.environ.get("PORTAL_TIMEZONE", "America/Lima")
    PORTAL_UIT_YEAR = (
        int(os.environ["PORTAL_UIT_YEAR"]) if "PORTAL_UIT_YEAR" in os.environ else None
    )
    PORTAL_USER_AGENT = os.environ.get(
        "PORTAL_USER_AGENT", "ComprasMYPE/0.1 (+https://github.com/compras-mype/portal)"
    )
    PORTAL_RAW_RETENTION_DAYS = int(os.environ.get("PORTAL_RAW_RETENTION_DAYS", "90"))
    BABEL_DEFAULT_LOCALE = "es"
    BABEL_DEFAULT_TIMEZONE = "America/Lima"
    LANGUAGES = ("es", "en")


class ProductionSecretError(RuntimeError):
    """Raised so a production deployment never signs cookies with the published dev secret."""


def finish_config(config: dict, instance_path: Path) -> None:
    """Fill the per-installation defaults (instance folder) and refuse unsafe production setups."""
    instance_path.mkdir(parents=True, exist_ok=True)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'portal.sqlite3'}"
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):  # the scheme Heroku-style hosts still hand out
        uri = "postgresql://" + uri.removeprefix("postgres://")
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    config["SQLALCHEMY_DATABASE_URI"] = uri
    config.setdefault("PORTAL_INDEX_DIR", None)
    config["PORTAL_INDEX_DIR"] = config["PORTAL_INDEX_DIR"] or str(instance_path / "index")
    config["PORTAL_OUTBOX_DIR"] = config.get("PORTAL_OUTBOX_DIR") or str(instance_path / "outbox")
    if config.get("PORTAL_ENV") == "production":
        if config.get("SECRET_KEY") in (None, "", DEVELOPMENT_SECRET):
            raise ProductionSecretError(
                "PORTAL_ENV=production needs its own SECRET_KEY; refusing the development secret"
            )
        config["SESSION_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_HTTPONLY"] = True
        config["SESSION_COOKIE_SAMESITE"] = "Lax"
        config["REMEMBER_COOKIE_SECURE"] = True
