"""The sender's test parts: a real SMTP server that answers as a script says, and deliveries
made directly (the matcher is not what these tests are about).

Test modules import the fixtures by name, as conftests import the factories.
"""

import asyncio
import email
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from factories import NOW

from notifications.models import AlertDelivery, DeliveryKind
from portal.subscriptions.models import Frequency, Subscription

LIMA = ZoneInfo("America/Lima")
BASE_URL_HOST = "comprasmype.test"


def lima_time(hour: int, days: int = 0) -> datetime:
    """An hour of the factories' Lima day (their notices close ten days after it), in UTC."""
    day = NOW.astimezone(LIMA) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ScriptedSMTPHandler:
    """Keeps every message it accepts. `replies[address]` lists refusals to give that
    recipient first (say "451 4.3.0 busy", then it is accepted), `mail_replies` and
    `data_replies` the next replies to MAIL FROM and to DATA; `delay` holds back the reply to
    every accepted DATA."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    replies: dict[str, list[str]] = field(default_factory=dict)
    mail_replies: list[str] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)
    recipients_tried: list[str] = field(default_factory=list)
    connections: set = field(default_factory=set)  # client (address, port) pairs seen
    delay: float = 0.0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.mail_replies:
            return self.mail_replies.pop(0)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.recipients_tried.append(address)
        script = self.replies.get(address)
        if script:
            return script.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        """Keeps the message as soon as it has arrived, before the reply: a sender killed
        while waiting for "250" has still sent it, as with a real server."""
        self.connections.add(session.peer)
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def plain_text(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def start_sink(handler) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


@pytest.fixture
def job_context(app):
    """The app context a scheduler job runs in: no request, and the portal's address set as
    PORTAL_BASE_URL sets it in production, so messages can hold absolute links."""
    app.config["SERVER_NAME"] = BASE_URL_HOST
    with app.app_context():
        yield app
    app.config["SERVER_NAME"] = None


@pytest.fixture
def smtp_sink(job_context):
    """A real SMTP server on a free port, as the app's SMTP_URL."""
    handler = ScriptedSMTPHandler()
    controller = start_sink(handler)
    job_context.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    yield handler
    controller.stop()
    job_context.config["SMTP_URL"] = None


def subscribe(session, user, **fields) -> Subscription:
    values = {"name": "Equipos de cómputo", "frequency": Frequency.IMMEDIATE, "digest_hour": 7}
    subscription = Subscription(user_id=user.id, **(values | fields))
    session.add(subscription)
    session.commit()
    return subscription


def record_delivery(session, subscription, opportunity, **fields) -> AlertDelivery:
    """A pending match of `opportunity` for the subscription's owner, due at once."""
    values = {
        "user_id": subscription.user_id,
        "kind": DeliveryKind.MATCH,
        "dedup_key": f"opportunity:{opportunity.id}",
        "opportunity_id": opportunity.id,
        "subscription_id": subscription.id,
        "frequency": subscription.frequency,
        "created_at": NOW - timedelta(days=2),
        "due_at": NOW - timedelta(days=2),
    }
    delivery = AlertDelivery(**(values | fields))
    session.add(delivery)
    session.commit()
    return delivery
