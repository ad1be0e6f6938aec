"""Mail leaves through a real SMTP server (aiosmtpd) or lands in the file outbox."""

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from notifications.mail import FileOutboxSender, SMTPSender, mail_sender, sender_from_url
from notifications.messages import render_message, send_message


class RecordingHandler:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_smtp_url_is_parsed():
    sender = sender_from_url("smtp://alertas%40mype.pe:cl%40ve@mail.example:587?starttls=1")
    assert sender == SMTPSender(
        host="mail.example", port=587, username="alertas@mype.pe", password="cl@ve", starttls=True
    )
    assert sender_from_url("smtps://mail.example").port == 465
    with pytest.raises(ValueError, match="smtp://"):
        sender_from_url("http://mail.example")


def test_welcome_mail_reaches_a_real_smtp_server(app, smtp_server):
    controller, handler = smtp_server
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    with app.test_request_context():
        send_message("welcome", "mype@ejemplo.pe", email="mype@ejemplo.pe", url="http://x/")
    [received] = handler.messages
    assert received["To"] == "mype@ejemplo.pe"
    assert received["Subject"] == "Bienvenido a Compras MYPE"
    assert "Tu cuenta en Compras MYPE está lista" in received.get_body(("plain",)).get_content()


def test_without_smtp_url_mail_goes_to_the_outbox(app, tmp_path):
    app.config["SMTP_URL"] = None
    app.config["PORTAL_OUTBOX_DIR"] = str(tmp_path / "outbox")
    assert isinstance(mail_sender(app), FileOutboxSender)
    with app.test_request_context():
        send_message("welcome", "mype@ejemplo.pe", email="mype@ejemplo.pe", url="http://x/")
        message = render_message("welcome", "otra@ejemplo.pe", email="o", url="u")
    [written] = (tmp_path / "outbox").glob("*.eml")
    parsed = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Bienvenido a Compras MYPE"
    assert message["Message-ID"] != parsed["Message-ID"]
