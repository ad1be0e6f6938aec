from datetime import UTC, datetime

import pytest

from portal.app import create_app
from portal.config import DEVELOPMENT_SECRET, ProductionBaseURLError, ProductionSecretError
from portal.migrate import upgrade_database
from portal.reference.uit import current_uit_year

ENVIRONMENT = (
    "DATABASE_URL",
    "SECRET_KEY",
    "PORTAL_ENV",
    "PORTAL_INDEX_DIR",
    "PORTAL_OUTBOX_DIR",
    "PORTAL_INSTANCE_DIR",
    "PORTAL_UIT_YEAR",
    "PORTAL_BASE_URL",
)
A_REAL_SECRET = "3f9c1e7a5b2d48c6a0e4f7b9d1c3a5e7"  # 32 characters


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    """create_app with the instance folder in tmp_path and none of the developer's variables."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    return lambda config=None: create_app(config, instance_path=str(tmp_path / "instance"))


def test_production_refuses_the_development_secret(make_app):
    with pytest.raises(ProductionSecretError, match="development secret"):
        make_app({"PORTAL_ENV": "production", "SECRET_KEY": DEVELOPMENT_SECRET})


@pytest.mark.parametrize("spelling", ["Production", "PRODUCTION", " production "])
def test_production_is_recognised_in_any_case(make_app, monkeypatch, spelling):
    monkeypatch.setenv("PORTAL_ENV", spelling)

    with pytest.raises(ProductionSecretError):
        make_app()


def test_production_refuses_a_short_secret(make_app):
    with pytest.raises(ProductionSecretError, match="at least 32 characters"):
        make_app({"PORTAL_ENV": "production", "SECRET_KEY": "abc123"})


PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": A_REAL_SECRET,
    "PORTAL_BASE_URL": "https://comprasmype.pe",
}


def test_production_with_its_own_secret_gets_secure_cookies(make_app):
    app = make_app(PRODUCTION)

    for cookie in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        assert app.config[f"{cookie}_SECURE"] is True
        assert app.config[f"{cookie}_HTTPONLY"] is True
        assert app.config[f"{cookie}_SAMESITE"] == "Lax"


@pytest.mark.parametrize("base_url", [None, "comprasmype.pe", "ftp://comprasmype.pe", "https://"])
def test_production_refuses_to_start_without_a_public_address(make_app, base_url):
    with pytest.raises(ProductionBaseURLError, match="PORTAL_BASE_URL"):
        make_app(PRODUCTION | {"PORTAL_BASE_URL": base_url})


def test_production_links_use_the_configured_host_not_the_request_host(make_app):
    app = make_app(PRODUCTION)
    upgrade_database(app)

    response = app.test_client().get("/buscar.rss", headers={"Host": "evil.example"})
    assert b"evil.example" not in response.data
    assert b"https://comprasmype.pe/buscar" in response.data


def test_postgres_urls_are_given_the_psycopg_driver(make_app):
    app = make_app({"SQLALCHEMY_DATABASE_URI": "postgres://u@db.example/portal"})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/portal"


def test_defaults_live_in_the_instance_folder(make_app, tmp_path):
    app = make_app()

    instance = tmp_path / "instance"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'portal.sqlite3'}"
    assert app.config["PORTAL_INDEX_DIR"] == str(instance / "index")
    assert app.config["PORTAL_OUTBOX_DIR"] == str(instance / "outbox")
    assert app.config["PORTAL_ENV"] == "development"


def test_environment_is_read_when_the_app_is_created(make_app, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://portal@db.example/portal")
    monkeypatch.setenv("PORTAL_UIT_YEAR", "2025")

    app = make_app()

    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://portal@db.example/portal"
    assert app.config["PORTAL_UIT_YEAR"] == 2025


def test_instance_folder_can_be_moved_by_the_environment(monkeypatch, tmp_path):
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(tmp_path / "elsewhere"))

    app = create_app()

    assert app.instance_path == str(tmp_path / "elsewhere")
    assert app.config["PORTAL_INDEX_DIR"] == str(tmp_path / "elsewhere" / "index")


def test_uit_year_is_the_year_in_lima_not_in_utc():
    new_year_in_utc = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)  # still 31 December in Lima

    assert current_uit_year({"PORTAL_UIT_YEAR": None}, new_year_in_utc) == 2025


def test_uit_year_can_be_pinned_by_configuration(make_app, monkeypatch):
    monkeypatch.setenv("PORTAL_UIT_YEAR", "2024")
    app = make_app()

    assert current_uit_year(app.config, datetime(2026, 6, 1, tzinfo=UTC)) == 2024
