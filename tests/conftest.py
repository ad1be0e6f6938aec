"""Fixtures: every database test runs on SQLite and on PostgreSQL.

The schema is built once per backend by the migrations; each test then starts from empty
tables (reference data reloaded), so tests may commit as the real code does.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from flask import g, request_started
from shared_data import SHARED_FIXTURES
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from portal.app import create_app
from portal.db import db
from portal.migrate import upgrade_database
from portal.reference.loader import load_reference

POSTGRES_ADMIN_URL = os.environ.get(
    "PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REFERENCE_TABLES = {"departments", "sectors", "procedure_types", "size_classes", "uit_values"}


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """The one path to ../shared/fixtures: real public data, never copied into the repo.

    A clone without ../shared/ skips the tests that read it (the README's command still
    passes); CI always has it, so there its absence fails the run.
    """
    if not SHARED_FIXTURES.is_dir():
        message = (
            f"shared fixtures missing at {SHARED_FIXTURES} (../shared/fixtures beside the "
            "checkout; set PORTAL_SHARED_FIXTURES to read them elsewhere)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_FIXTURES


def _postgres_database_url(request) -> str:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"portal_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        if os.environ.get("CI") or os.environ.get("PORTAL_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required but unreachable: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}")

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(drop)
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    """A migrated database per backend, shared by the session's tests."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'portal.sqlite3'}"
    else:
        url = _postgres_database_url(request)
    app = create_app(_test_config(url, tmp_path_factory.mktemp("instance")))
    upgrade_database(app)
    with app.app_context():
        db.engine.dispose()
    return url


def _test_config(url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "PORTAL_INDEX_DIR": str(instance / "index"),
        "PORTAL_OUTBOX_DIR": str(instance / "outbox"),
        # sources read from disk: the test's own files and the saved public ones
        "PORTAL_LOCAL_SOURCES_DIR": os.pathsep.join([str(instance), str(SHARED_FIXTURES)]),
        "WTF_CSRF_ENABLED": False,
    }


@pytest.fixture
def loaded_by_importing():
    """Which of some packages a fresh interpreter has loaded after importing the given modules:
    what a spawned worker that imports them pays for in memory."""

    def probe(modules: list[str], packages: tuple[str, ...]) -> list[str]:
        script = (
            f"import sys, {', '.join(modules)}\n"
            f"print(' '.join(sorted(p for p in {packages!r} if p in sys.modules)))"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    return probe


@pytest.fixture
def orphaned_children():
    """Runs a script that starts worker processes, prints their pids and dies without a word
    to them; returns whether each child ended (or is a zombie nobody reaps) within 15 s."""

    def run(script: str) -> list[bool]:
        with tempfile.TemporaryFile("w+") as output:  # a pipe would stay open in the children
            done = subprocess.run([sys.executable, "-c", script], stdout=output, stderr=output)
            output.seek(0)
            printed = output.read()
        assert done.returncode == 0, printed
        pids = [int(pid) for pid in printed.split()]
        assert pids, printed
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not all(map(_ended, pids)):
            time.sleep(0.2)
        return [_ended(pid) for pid in pids]

    return run


def _ended(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return any(line.split()[:2] == ["State:", "Z"] for line in status)
    except FileNotFoundError:
        return True


def _forget_cached_user(_sender, **_extra) -> None:
    """The `app` fixture keeps one app context open and requests reuse it, so Flask-Login's
    user cached in `g` would carry one client's user into another client's request."""
    g.pop("_login_user", None)


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(_test_config(database_url, tmp_path))
    request_started.connect(_forget_cached_user, app)
    with app.app_context():
        _empty_tables()
        load_reference(db.session)
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def pytest_collection_modifyitems(config, items) -> None:
    """Under CI a run without PostgreSQL tests is a failure, not a quieter green."""
    required = os.environ.get("CI") or os.environ.get("PORTAL_REQUIRE_POSTGRES")
    whole_suite = config.args_source == pytest.Config.ArgsSource.TESTPATHS
    unfiltered = not config.getoption("keyword") and not config.getoption("markexpr")
    if required and whole_suite and unfiltered:
        if not any("[postgresql" in item.nodeid for item in items):
            raise pytest.UsageError("PostgreSQL tests were required but none was collected")
