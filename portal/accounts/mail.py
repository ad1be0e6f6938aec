"""The account messages: each builds its signed link and sends one templated mail.

A mail server that fails must not change what the visitor sees (a 500 only for registered
addresses would tell which are), so failures are logged, not raised.
"""

import logging
from datetime import datetime

from flask import url_for

from notifications.messages import send_message
from portal.accounts.models import User
from portal.accounts.operations import password_stamp
from portal.accounts.tokens import LIFETIMES, Purpose, make_token

log = logging.getLogger(__name__)


def _send(name: str, to: str, language: str, **context) -> None:
    try:
        send_message(name, to, language, **context)
    except OSError:  # smtplib's errors are OSErrors too: refused, timed out, rejected
        log.exception("could not send the %s message", name)


def _hours(purpose: Purpose) -> int:
    return int(LIFETIMES[purpose].total_seconds() // 3600)


def send_verification(user: User, now: datetime) -> None:
    token = make_token(Purpose.VERIFY_EMAIL, {"user": user.id, "email": user.email}, now)
    link = url_for("auth.verify", token=token, _external=True)
    _send("verify_email", user.email, user.language, link=link, hours=_hours(Purpose.VERIFY_EMAIL))


def send_registration_attempt(user: User) -> None:
    _send(
        "registration_attempt",
        user.email,
        user.language,
        login_link=url_for("auth.login", _external=True),
        reset_link=url_for("auth.forgot", _external=True),
    )


def send_reset_link(user: User, now: datetime) -> None:
    payload = {"user": user.id, "stamp": password_stamp(user)}
    token = make_token(Purpose.RESET_PASSWORD, payload, now)
    link = url_for("auth.reset", token=token, _external=True)
    _send(
        "reset_password", user.email, user.language, link=link, hours=_hours(Purpose.RESET_PASSWORD)
    )


def send_password_changed(user: User) -> None:
    _send(
        "password_changed",
        user.email,
        user.language,
        reset_link=url_for("auth.forgot", _external=True),
    )


def send_email_change_link(user: User, new_email: str, now: datetime) -> None:
    payload = {"user": user.id, "email": new_email, "epoch": user.login_epoch}
    token = make_token(Purpose.CHANGE_EMAIL, payload, now)
    link = url_for("account.confirm_email", token=token, _external=True)
    _send(
        "confirm_email_change",
        new_email,
        user.language,
        link=link,
        hours=_hours(Purpose.CHANGE_EMAIL),
    )


def send_email_changed(user: User, old_email: str) -> None:
    _send(
        "email_changed",
        old_email,
        user.language,
        new_email=user.email,
        reset_link=url_for("auth.forgot", _external=True),
    )
