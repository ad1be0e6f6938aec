"""Account fixtures: accounts of every role, the mail outbox, and a real local SMTP server."""

from pathlib import Path

import pytest
from account_factories import make_user, signed_in  # noqa: F401  (fixtures)
from aiosmtpd.controller import Controller
from local_servers import RecordingHandler, free_port
from sent_mail import parse_message


@pytest.fixture
def outbox(app):
    """outbox() -> the messages the file outbox holds, oldest first."""

    def read():
        folder = Path(app.config["PORTAL_OUTBOX_DIR"])
        return [parse_message(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]

    return read


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free local port, wired into the app as SMTP_URL."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    yield handler
    controller.stop()
    app.config["SMTP_URL"] = None
