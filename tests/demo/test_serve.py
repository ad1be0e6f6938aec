"""`portal demo --serve`, the README's first command, really serves the site it built."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from portal.app import create_app
from portal.db import db
from portal.opportunities.queries import latest_open

STARTUP_SECONDS = 120
PORTAL_COMMAND = Path(sys.executable).with_name("portal")  # the venv's entry point script


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(tmp_path: Path) -> dict[str, str]:
    """Everything per-installation in tmp_path, and development settings whatever the shell has."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "PORTAL_ENV") and not key.startswith("FLASK_")
    }
    return environment | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "PORTAL_INSTANCE_DIR": str(tmp_path / "instance"),
        "PORTAL_INDEX_DIR": str(tmp_path / "index"),
        "PORTAL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }


def _wait_for_home(url: str, server: subprocess.Popen) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`portal demo --serve` exited with {server.returncode} without serving")
        try:
            response = httpx.get(url, timeout=5)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"nothing answered 200 at {url} within {STARTUP_SECONDS} s")


@pytest.fixture
def served_demo(tmp_path):
    port = _free_port()
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(
        [PORTAL_COMMAND, "demo", "--serve", "--port", str(port), "--opportunities", "30"],
        env=_environment(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}/", server
    finally:
        server.send_signal(signal.SIGINT)  # what Ctrl+C sends: the scheduler shuts down too
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        print((tmp_path / "server.log").read_text(errors="replace"))  # shown when a test fails


def test_demo_serve_answers_with_the_opportunities_it_built(served_demo, tmp_path):
    url, server = served_demo

    home = _wait_for_home(url, server)

    reader = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.sqlite3'}"},
        instance_path=str(tmp_path / "reader"),
    )
    with reader.app_context():
        titles = [o.title for o in latest_open(db.session, datetime.now(UTC), limit=3)]
        db.engine.dispose()
    assert titles, "the demo stored no open call"
    assert all(str(escape(title)) in home.text for title in titles)
    assert server.poll() is None  # still serving after the first page
