import pytest

from portal import create_app
from portal.config import DEVELOPMENT_SECRET, ProductionSecretError


def test_production_refuses_the_development_secret(tmp_path):
    with pytest.raises(ProductionSecretError):
        create_app({"PORTAL_ENV": "production", "SECRET_KEY": DEVELOPMENT_SECRET})


def test_production_with_its_own_secret_gets_secure_cookies(tmp_path):
    app = create_app(
        {
            "PORTAL_ENV": "production",
            "SECRET_KEY": "a-real-secret-from-the-environment",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_postgres_urls_are_given_the_psycopg_driver(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgres://u@db.example/portal"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/portal"


def test_defaults_live_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/portal.sqlite3")
    assert app.config["PORTAL_INDEX_DIR"].endswith("instance/index")
