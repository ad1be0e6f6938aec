"""The sign-in limit holds across worker processes: it lives in the database, not in memory."""

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from account_factories import PASSWORD
from local_servers import free_port

WORKER = Path(__file__).with_name("worker_process.py")


@pytest.fixture
def two_workers(app, database_url):
    """Two server processes on the test database, each on its own port; killed afterwards."""
    config = {
        key: app.config[key]
        for key in ("TESTING", "SECRET_KEY", "PORTAL_INDEX_DIR", "PORTAL_OUTBOX_DIR")
    }
    config |= {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False}
    processes, urls = [], []
    try:
        for _worker in range(2):
            port = free_port()
            process = subprocess.Popen(
                [sys.executable, str(WORKER), str(port), json.dumps(config)],
                stdout=subprocess.PIPE,
                text=True,
            )
            processes.append(process)
            assert process.stdout.readline().strip() == "ready"
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        for process in processes:
            process.kill()
            process.wait(timeout=10)
            process.stdout.close()


def _sign_in(base_url: str, email: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=30) as client:  # its own cookie jar
        return client.post("/ingresar", data={"email": email, "password": password})


def test_failures_at_one_worker_throttle_the_account_at_the_other(make_user, two_workers):
    worker_a, worker_b = two_workers
    user = make_user()
    bystander = make_user()
    for _attempt in range(5):
        assert _sign_in(worker_a, user.email, "clave-equivocada").status_code == 200

    throttled = _sign_in(worker_b, user.email, PASSWORD)
    assert throttled.status_code == 429
    assert "Demasiados intentos" in throttled.text
    assert _sign_in(worker_a, user.email, PASSWORD).status_code == 429

    signed_in = _sign_in(worker_b, bystander.email, PASSWORD)  # other accounts still work
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
