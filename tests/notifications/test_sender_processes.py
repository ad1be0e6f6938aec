"""Real sender processes on one database: two at once send nothing twice, and a sender killed
with SIGKILL mid-batch resends only the one message it had in flight."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sending_support import (
    BASE_URL_HOST,
    ScriptedSMTPHandler,
    plain_text,
    record_delivery,
    start_sink,
    subscribe,
)
from sqlalchemy import func, select

from notifications.models import AlertDelivery, DeliveryStatus
from portal.accounts.models import User

SENDER = Path(__file__).with_name("sender_process.py")
NUMBERED_TITLE = re.compile(r"Compra número (\d{4}) de útiles")


@pytest.fixture
def sink(app):
    handler = ScriptedSMTPHandler()
    controller = start_sink(handler)
    yield handler, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()


@pytest.fixture
def start_sender(app, database_url):
    """start(name, smtp_url, limit, minutes_ahead) -> a ready sender process on the test
    database, waiting for "go" on stdin; killed if the test leaves it running."""
    processes = []

    def start(name: str, smtp_url: str, limit: int, minutes_ahead: float = 0):
        config = {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PORTAL_INDEX_DIR": app.config["PORTAL_INDEX_DIR"],
            "PORTAL_OUTBOX_DIR": app.config["PORTAL_OUTBOX_DIR"],
            "SMTP_URL": smtp_url,
            "SERVER_NAME": BASE_URL_HOST,
        }
        arguments = [json.dumps(config), name, str(limit), str(minutes_ahead)]
        process = subprocess.Popen(
            [sys.executable, str(SENDER), *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        assert process.stdout.readline().strip() == "ready"
        return process

    yield start
    for process in processes:
        process.kill()
        process.wait(timeout=10)
        process.stdin.close()
        process.stdout.close()


def go(*processes) -> None:
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()


def numbered_alerts(session, make_opportunity, users: int, per_user: int) -> set:
    """Pending immediate matches, each opportunity titled with a number a message shows."""
    expected = set()
    for index in range(users):
        user = User(email=f"mype{index}@empresa.pe", password_hash="!")  # no sign-in needed
        session.add(user)
        session.flush()
        subscription = subscribe(session, user)
        for _ in range(per_user):
            number = len(expected)
            opportunity = make_opportunity(title=f"Compra número {number:04d} de útiles")
            record_delivery(session, subscription, opportunity)
            expected.add((user.email, number))
    return expected


def numbers_in(message) -> set[int]:
    return {int(number) for number in NUMBERED_TITLE.findall(plain_text(message))}


def received(handler: ScriptedSMTPHandler) -> Counter:
    """How many times each (recipient, opportunity number) arrived."""
    counts = Counter()
    for message in handler.messages:
        for number in numbers_in(message):
            counts[(message["To"], number)] += 1
    return counts


def statuses(session) -> Counter:
    session.expire_all()
    rows = session.execute(select(AlertDelivery.status, func.count()).group_by("status"))
    return Counter(dict(rows.all()))


def test_two_senders_at_once_send_every_alert_exactly_once(
    session, make_opportunity, sink, start_sender
):
    handler, smtp_url = sink
    handler.delay = 0.02  # each message takes a while, so the two senders overlap
    expected = numbered_alerts(session, make_opportunity, users=30, per_user=2)
    senders = [start_sender(name, smtp_url, limit=5) for name in ("sender-a", "sender-b")]

    go(*senders)
    sent_by = [int(process.communicate(timeout=120)[0]) for process in senders]

    counts = received(handler)
    assert set(counts) == expected and set(counts.values()) == {1}
    assert len(handler.messages) == 30 and sum(sent_by) == 30
    assert all(sent_by), sent_by  # both took part: the test raced them
    assert statuses(session) == {DeliveryStatus.SENT: 60}


def test_a_sender_killed_mid_batch_resends_only_the_message_in_flight(
    session, make_opportunity, sink, start_sender
):
    handler, smtp_url = sink
    handler.delay = 0.5  # the server holds its reply: the kill lands while a message waits
    expected = numbered_alerts(session, make_opportunity, users=12, per_user=2)
    killed = start_sender("killed", smtp_url, limit=50)
    go(killed)
    deadline = time.monotonic() + 60
    while len(handler.messages) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)

    os.kill(killed.pid, signal.SIGKILL)  # the 4th message arrived, its "250" not yet sent
    killed.wait(timeout=10)
    in_flight = handler.messages[3]
    assert len(handler.messages) == 4 and statuses(session)[DeliveryStatus.SENDING] > 0
    handler.delay = 0
    restarted = start_sender("restarted", smtp_url, limit=50, minutes_ahead=6)  # past the lease
    go(restarted)
    restarted.communicate(timeout=120)

    counts = received(handler)
    assert set(counts) == expected
    resent = {key for key, times in counts.items() if times > 1}
    assert resent == {(in_flight["To"], number) for number in numbers_in(in_flight)}
    assert set(counts.values()) == {1, 2} and len(handler.messages) == 12 + 1
    assert statuses(session) == {DeliveryStatus.SENT: 24}
