"""`make_user` and `signed_in` fixtures: accounts of every role, and a test client signed in as
one of them without going through the login form (tests of the form itself use the form).

Conftests re-export these fixtures by importing them.
"""

from datetime import UTC, datetime
from itertools import count

import pytest

from portal.accounts.models import Role, User
from portal.accounts.operations import create_user

PASSWORD = "clave-de-prueba-segura"  # 22 characters, not a common password
_sequence = count(1)


def create_account(
    session,
    role: Role = Role.SME,
    buyer=None,
    email: str | None = None,
    password: str = PASSWORD,
    verified: bool = True,
    approved: bool = True,
) -> User:
    """A committed account; agency staff are approved for their buyer unless told otherwise."""
    email = email or f"usuario{next(_sequence)}@empresa.pe"
    user = create_user(session, email, password, role=role, buyer=buyer)
    now = datetime.now(UTC)
    user.email_verified_at = now if verified else None
    if role == Role.AGENCY_STAFF and approved:
        user.staff_approved_at = now
    session.commit()
    return user


def sign_in_client(client, user: User) -> None:
    """What a successful login leaves in the session (Flask-Login's keys)."""
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()
        flask_session["_fresh"] = True


@pytest.fixture
def make_user(session):
    return lambda **fields: create_account(session, **fields)


@pytest.fixture
def signed_in(app, make_user):
    """signed_in(role=..., buyer=...) -> (client, user): a fresh client signed in as a new user."""

    def sign_in(user: User | None = None, **fields):
        user = user or make_user(**fields)
        client = app.test_client()
        sign_in_client(client, user)
        return client, user

    return sign_in
