"""Sending mail: one interface, an SMTP sender and a file outbox, chosen by configuration.

Development and the demo write `.eml` files to the outbox folder; production sets SMTP_URL
(`smtp://user:pass@host:587?starttls=1` or `smtps://...:465`). Business code never checks
which one it has.
"""

import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class FileOutboxSender:
    """Writes each message as an .eml file: what the demo and a developer read instead of mail."""

    folder: Path

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        message_id = message["Message-ID"].strip("<>").split("@")[0]
        (self.folder / f"{stamp}-{message_id}.eml").write_bytes(bytes(message))


@dataclass(frozen=True)
class SMTPSender:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_ssl: bool = False
    starttls: bool = False
    timeout: float = 30.0

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.use_ssl:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.starttls:
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


def sender_from_url(url: str) -> SMTPSender:
    """Parses SMTP_URL: smtp:// (plain, or ?starttls=1) and smtps:// (TLS from the start)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {parts.scheme!r}")
    options = parse_qs(parts.query)
    use_ssl = parts.scheme == "smtps"
    return SMTPSender(
        host=parts.hostname or "localhost",
        port=parts.port or (465 if use_ssl else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_ssl=use_ssl,
        starttls=options.get("starttls", ["0"])[0] in ("1", "true", "yes"),
    )


def mail_sender(app: Flask) -> MailSender:
    if app.config.get("SMTP_URL"):
        return sender_from_url(app.config["SMTP_URL"])
    return FileOutboxSender(Path(app.config["PORTAL_OUTBOX_DIR"]))


def build_message(
    app: Flask, to: str, subject: str, text_body: str, html_body: str | None = None
) -> EmailMessage:
    """A message with the portal's sender, a Message-ID and a plain-text part first."""
    message = EmailMessage()
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="comprasmype.pe")
    message.set_content(text_body)
    if html_body:
        message.add_alternative(html_body, subtype="html")
    return message
