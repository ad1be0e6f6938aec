"""Signed links: they expire, a changed character voids them, and each serves one purpose."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from portal.accounts.tokens import (
    LIFETIMES,
    Purpose,
    TokenExpired,
    TokenInvalid,
    make_token,
    read_token,
)

ISSUED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def app_context():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "secreto-de-prueba"
    with app.app_context():
        yield app


@pytest.mark.parametrize(
    ("purpose", "lifetime"),
    [
        (Purpose.VERIFY_EMAIL, timedelta(hours=48)),
        (Purpose.RESET_PASSWORD, timedelta(hours=1)),
        (Purpose.CHANGE_EMAIL, timedelta(hours=24)),
    ],
)
def test_a_token_works_until_its_lifetime_and_not_a_second_after(purpose, lifetime):
    assert LIFETIMES[purpose] == lifetime
    token = make_token(purpose, {"user": 7}, ISSUED)
    assert read_token(purpose, token, ISSUED + lifetime) == {"user": 7}
    with pytest.raises(TokenExpired):
        read_token(purpose, token, ISSUED + lifetime + timedelta(seconds=1))


def test_a_changed_character_anywhere_voids_the_token():
    token = make_token(Purpose.RESET_PASSWORD, {"user": 7}, ISSUED)
    for position in (0, len(token) // 2, len(token) - 1):
        changed = "A" if token[position] != "A" else "B"
        tampered = token[:position] + changed + token[position + 1 :]
        with pytest.raises(TokenInvalid):
            read_token(Purpose.RESET_PASSWORD, tampered, ISSUED)


def test_a_token_for_one_purpose_does_not_pass_for_another():
    token = make_token(Purpose.VERIFY_EMAIL, {"user": 7}, ISSUED)
    with pytest.raises(TokenInvalid):
        read_token(Purpose.RESET_PASSWORD, token, ISSUED)


def test_a_token_signed_with_another_secret_is_refused(app_context):
    token = make_token(Purpose.VERIFY_EMAIL, {"user": 7}, ISSUED)
    app_context.config["SECRET_KEY"] = "otro-secreto"
    with pytest.raises(TokenInvalid):
        read_token(Purpose.VERIFY_EMAIL, token, ISSUED)
