"""Sending mail: one interface, an SMTP sender and a file outbox, chosen by configuration.

Development and the demo write `.eml` files to the outbox folder; production sets SMTP_URL
(`smtp://user:pass@host:587?starttls=1` or `smtps://...:465`). Business code never checks
which one it has.
"""

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask


class MailError(Exception):
    """The server did not take a message; `str(error)` is its reply, kept as the reason."""


class TemporaryMailError(MailError):
    """A 4xx reply, a timeout or a dropped connection: the same message may go later."""


class PermanentMailError(MailError):
    """A 5xx reply to the recipients or the content: sending it again will not help.
    `refusals` names each refused recipient with its reply; empty when the content was
    refused (every recipient's message failed alike)."""

    def __init__(self, reason: str, refusals: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.refusals = refusals or {}


class MailServerUnavailable(TemporaryMailError):
    """No message can go now: no connection, greeting or login, or MAIL FROM refused. Raised
    before anything of the message was sent; the recipient has nothing to do with it."""


class MailConnection(Protocol):
    def send(self, message: EmailMessage) -> dict[str, str]:
        """Returns once the server accepted the message for at least one recipient: the
        recipients it refused meanwhile (address -> reply), if any; raises a MailError when
        it took the message for nobody."""


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> dict[str, str]: ...

    def connection(self) -> AbstractContextManager[MailConnection]:
        """One session for many messages (an SMTP connection reused for a batch of alerts)."""


@dataclass(frozen=True)
class FileOutboxSender:
    """Writes each message as an .eml file: what the demo and a developer read instead of mail."""

    folder: Path

    def send(self, message: EmailMessage) -> dict[str, str]:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        message_id = message["Message-ID"].strip("<>").split("@")[0]
        (self.folder / f"{stamp}-{message_id}.eml").write_bytes(bytes(message))
        return {}

    @contextmanager
    def connection(self) -> Iterator["FileOutboxSender"]:
        yield self


@dataclass(frozen=True)
class SMTPSender:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_ssl: bool = False
    starttls: bool = False
    timeout: float = 30.0

    def send(self, message: EmailMessage) -> dict[str, str]:
        with self.open() as client:
            return _replies(client.send_message(message))

    def open(self) -> smtplib.SMTP:
        """A connected, authenticated client (TLS as configured)."""
        context = ssl.create_default_context()
        if self.use_ssl:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password or "")
        except BaseException:
            client.close()
            raise
        return client

    @contextmanager
    def connection(self) -> Iterator["SMTPConnection"]:
        connection = SMTPConnection(self)
        try:
            yield connection
        finally:
            connection.close()


class SMTPConnection:
    """One SMTP session reused message after message (a new connection per alert would cost
    a handshake, and TLS, each time); opened at the first message and again after the server
    closed it. Errors come out classified: temporary, permanent, or no server at all."""

    def __init__(self, sender: SMTPSender) -> None:
        self._sender = sender
        self._client: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> dict[str, str]:
        reused = self._client is not None
        try:
            return self._send(message)
        except smtplib.SMTPSenderRefused as error:
            if not (reused and 400 <= error.smtp_code < 500):
                raise _unavailable(error) from error
            # The server ended a long session (Exim does after 1,000 messages) before anything
            # of this message went: once more, on a new connection.
            try:
                return self._send(message)
            except smtplib.SMTPSenderRefused as again:
                raise _unavailable(again) from again

    def close(self) -> None:
        if self._client is None:
            return
        try:
            self._client.quit()
        except OSError:
            self._client.close()
        self._client = None

    def _send(self, message: EmailMessage) -> dict[str, str]:
        """Sends on the open session (opening one if needed); MAIL FROM refusals come out as
        they are, since only the caller knows whether the session was fresh."""
        if self._client is None:
            try:
                self._client = self._sender.open()
            except OSError as error:  # smtplib's errors are OSErrors too
                raise MailServerUnavailable(f"cannot connect: {error}") from error
        try:
            return _replies(self._client.send_message(message))
        except smtplib.SMTPSenderRefused:
            self._drop()
            raise
        except smtplib.SMTPRecipientsRefused as error:
            raise _all_refused(_replies(error.recipients)) from error
        except smtplib.SMTPDataError as error:
            raise _refused(error.smtp_code, error.smtp_error) from error
        except smtplib.SMTPHeloError as error:
            self._drop()
            raise MailServerUnavailable(_reply(error.smtp_code, error.smtp_error)) from error
        except smtplib.SMTPNotSupportedError as error:  # an address the server cannot carry
            raise PermanentMailError(str(error)) from error
        except OSError as error:  # dropped, timed out, reset: the message may go again
            self._drop()
            raise TemporaryMailError(f"connection lost: {error}") from error
        finally:
            if self._client is not None and self._client.sock is None:  # closed on a 421
                self._client = None

    def _drop(self) -> None:
        """Closes without QUIT: after a timeout, QUIT would wait as long again."""
        if self._client is not None:
            self._client.close()
        self._client = None


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {text}"


def _replies(refused: dict) -> dict[str, str]:
    """smtplib's {address: (code, reply)} as {address: "550 reply"}."""
    return {address: _reply(code, reply) for address, (code, reply) in refused.items()}


def _all_refused(replies: dict[str, str]) -> MailError:
    """Every recipient refused: for good only if each refusal is; one reply reads as itself,
    several name their address."""
    reason = (
        next(iter(replies.values()))
        if len(replies) == 1
        else "; ".join(f"<{address}> {reply}" for address, reply in replies.items())
    )
    if all(reply.startswith("5") for reply in replies.values()):
        return PermanentMailError(reason, replies)
    return TemporaryMailError(reason)


def _unavailable(error: smtplib.SMTPSenderRefused) -> MailServerUnavailable:
    """MAIL FROM refused: nothing of the message went, and no other message would go."""
    return MailServerUnavailable(_reply(error.smtp_code, error.smtp_error))


def _refused(code: int, reply: bytes | str) -> MailError:
    if 500 <= code < 600:
        return PermanentMailError(_reply(code, reply))
    return TemporaryMailError(_reply(code, reply))


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
