"""List-Unsubscribe offers a `mailto:` after the https one-click URL when an unsubscribe
mailbox is configured, unfolded through a real SMTP server; what a mail client then writes to
that mailbox, handed to `portal alerts unsubscribe-mail`, stops the user's alerts."""

import re
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sending_support import BASE_URL_HOST, lima_time, record_delivery, subscribe

from notifications.sending import send_due
from portal.accounts.models import User
from portal.app import create_app
from portal.statistics.models import UnsubscribeEvent

MAILBOX = "baja@comprasmype.pe"
NOON = lima_time(12)


@pytest.fixture
def mailbox(job_context):
    job_context.config["PORTAL_UNSUBSCRIBE_MAILBOX"] = MAILBOX
    yield MAILBOX
    job_context.config["PORTAL_UNSUBSCRIBE_MAILBOX"] = None


def alert_received(session, smtp_sink, user, opportunity) -> dict[str, str]:
    """The raw headers of the alert the server received (as written, folding included)."""
    record_delivery(session, subscribe(session, user), opportunity)
    assert send_due(session, NOON, digest=False, sender_name="mailto-test").messages == 1
    [message] = smtp_sink.messages
    return dict(message.raw_items())


def written_to_the_mailbox(mailto: str, sender: str) -> bytes:
    """The message a mail client sends for a `mailto:` unsubscribe, replied to from a phone."""
    parts = urlsplit(mailto)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = unquote(parts.path)
    message["Subject"] = "RE: " + parse_qs(parts.query)["subject"][0]
    message.set_content("Por favor, ya no me envíen alertas.")
    return bytes(message)


def test_without_a_mailbox_only_the_one_click_url_is_offered(
    session, make_user, make_opportunity, smtp_sink
):
    raw = alert_received(session, smtp_sink, make_user(), make_opportunity())
    assert re.fullmatch(rf"<http://{BASE_URL_HOST}/alertas/baja/[\w.-]+>", raw["List-Unsubscribe"])


def test_the_mailto_follows_the_https_url_on_one_unfolded_line(
    session, make_user, make_opportunity, smtp_sink, mailbox
):
    raw = alert_received(session, smtp_sink, make_user(), make_opportunity())

    header = re.fullmatch(
        rf"<http://{BASE_URL_HOST}/alertas/baja/([\w.-]+)>, "
        rf"<mailto:{re.escape(MAILBOX)}\?subject=baja%20([\w.-]+)>",
        raw["List-Unsubscribe"],
    )
    assert header is not None, raw["List-Unsubscribe"]
    https_token, mail_token = header.groups()
    assert https_token == mail_token  # one token, the user's, for both ways
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_reply_to_the_mailto_stops_every_alert_of_the_user(
    app, session, make_user, make_opportunity, smtp_sink, mailbox, runner
):
    user = make_user(email="cuenta@andes.pe")
    other = make_user(email="otra@empresa.pe")
    raw = alert_received(session, smtp_sink, user, make_opportunity())
    mailto = re.search(r"<(mailto:[^>]+)>", raw["List-Unsubscribe"]).group(1)
    written = written_to_the_mailbox(mailto, "ventas@andes.pe")  # a contact, not the account

    result = runner.invoke(args=["alerts", "unsubscribe-mail"], input=written)

    assert result.exit_code == 0, result.output
    assert f"cuenta {user.id}" in result.output
    session.expire_all()
    assert session.get(User, user.id).alerts_stopped_at is not None
    assert session.get(User, other.id).alerts_stopped_at is None
    assert [event.user_id for event in session.query(UnsubscribeEvent)] == [user.id]
    again = runner.invoke(args=["alerts", "unsubscribe-mail"], input=written)
    assert again.exit_code == 0  # a second message changes nothing and counts once
    assert session.query(UnsubscribeEvent).count() == 1


def test_a_subject_without_a_genuine_token_stops_nothing_and_fails(
    session, make_user, runner, job_context
):
    user = make_user()
    forged = written_to_the_mailbox(f"mailto:{MAILBOX}?subject=baja%20eyJ1c2VyIjoxfQ.x.y", "a@b.pe")

    result = runner.invoke(args=["alerts", "unsubscribe-mail"], input=forged)

    assert result.exit_code == 1 and "código de baja" in result.output
    session.expire_all()
    assert session.get(User, user.id).alerts_stopped_at is None


@pytest.mark.parametrize(
    "mailbox", ["baja@comprasmype.pe?subject=x", "Baja <baja@comprasmype.pe>", "baja", "a b@c.pe"]
)
def test_a_mailbox_that_is_not_a_bare_address_is_refused_at_start(tmp_path, mailbox):
    with pytest.raises(ValueError, match="PORTAL_UNSUBSCRIBE_MAILBOX"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
                "PORTAL_UNSUBSCRIBE_MAILBOX": mailbox,
            },
            instance_path=str(tmp_path / "instance"),
        )
