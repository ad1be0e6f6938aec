"""Account operations: creating and registering accounts, verifying addresses, signing in and
resetting passwords. Views, the CLI and the demo call these; they add and flush, the caller
commits (and sends any mail only after the commit)."""

import enum
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts.audit import record_event
from portal.accounts.models import AuditAction, Role, User
from portal.accounts.passwords import MIN_PASSWORD_LENGTH, password_problem
from portal.accounts.throttle import (
    LOGIN_LIMIT,
    RESET_LIMIT,
    forget_account_attempts,
    record_attempt,
    retry_after,
)
from portal.accounts.tokens import Purpose, TokenInvalid, read_token
from portal.buyers.models import Buyer
from portal.db import utcnow

__all__ = ["MIN_PASSWORD_LENGTH", "AccountError", "create_user"]

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A request that cannot become an account, with a message fit to show the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def is_plausible_email(email: str) -> bool:
    """Shape only: whether the address exists is what the verification mail finds out."""
    return len(email) <= 254 and EMAIL_PATTERN.match(email) is not None


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def check_new_password(password: str, email: str) -> None:
    if problem := password_problem(password, email):
        raise AccountError(problem)


def create_user(
    session: Session,
    email: str,
    password: str,
    role: Role = Role.SME,
    buyer: Buyer | None = None,
    language: str = "es",
    verified: bool = True,
    now: datetime | None = None,
) -> User:
    """Adds a user; verified unless told otherwise, since the operator who runs the CLI or the
    demo vouches for the address (registration passes verified=False)."""
    normalised = normalise_email(email)
    check_new_password(password, normalised)
    if role == Role.AGENCY_STAFF and buyer is None:
        raise AccountError(_("El personal de una entidad debe estar vinculado a una entidad."))
    if not is_plausible_email(normalised) or find_user(session, normalised):
        raise AccountError(_("No se puede crear la cuenta %(email)s.", email=normalised))
    user = User(email=normalised, role=role, buyer=buyer, language=language)
    user.set_password(password)
    if verified:
        user.email_verified_at = now or utcnow()
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class Registration:
    """Exactly one of the two is set: the new account, or the owner of the address."""

    new_user: User | None = None
    existing_user: User | None = None


def register_user(
    session: Session,
    email: str,
    password: str,
    now: datetime,
    language: str = "es",
    agency_ruc: str | None = None,
) -> Registration:
    """A new unverified account, or the existing owner of the address (who is then told by
    mail). Everything a visitor can see is decided before we look the address up, and a
    password is hashed either way, so the answer and its timing do not tell them apart."""
    normalised = normalise_email(email)
    check_new_password(password, normalised)
    buyer = None
    if agency_ruc:
        buyer = session.scalar(select(Buyer).where(Buyer.ruc == agency_ruc))
        if buyer is None:
            raise AccountError(
                _("No encontramos una entidad pública con el RUC %(ruc)s.", ruc=agency_ruc)
            )
    existing = find_user(session, normalised)
    if existing is not None:
        generate_password_hash(password, method="scrypt")
        return Registration(existing_user=existing)
    role = Role.AGENCY_STAFF if buyer else Role.SME
    user = create_user(session, normalised, password, role, buyer, language, verified=False)
    if buyer is not None:
        record_event(
            session, AuditAction.STAFF_REQUESTED, actor=user, subject=user, detail=_entity(buyer)
        )
    return Registration(new_user=user)


def _entity(buyer: Buyer) -> str:
    return f"{buyer.name} (RUC {buyer.ruc})"


def verify_email(session: Session, token: str, now: datetime) -> User:
    """Marks the address verified; a token for an address the account no longer has is void."""
    payload = read_token(Purpose.VERIFY_EMAIL, token, now)
    user = session.get(User, payload.get("user", 0))
    if user is None or user.deleted_at is not None or user.email != payload.get("email"):
        raise TokenInvalid
    if user.email_verified_at is None:
        user.email_verified_at = now
    return user


class LoginOutcome(enum.Enum):
    SIGNED_IN = "signed_in"
    INVALID = "invalid"
    THROTTLED = "throttled"
    UNVERIFIED = "unverified"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    wait: timedelta | None = None


@cache
def _dummy_hash() -> str:
    """Checked against for unknown addresses, so they cost the same scrypt time as known ones."""
    return generate_password_hash("compras-mype-dummy-password", method="scrypt")


FAILURE_DETAIL = {
    LoginOutcome.INVALID: "contraseña incorrecta o correo desconocido",
    LoginOutcome.UNVERIFIED: "correo sin verificar",
    LoginOutcome.INACTIVE: "cuenta desactivada",
}


def authenticate(
    session: Session, email: str, password: str, address: str | None, now: datetime
) -> LoginResult:
    """Checks a sign-in; a throttled one is refused before any password check. Every failure
    is counted for throttling and written to the audit log (never with what was typed)."""
    normalised = normalise_email(email)
    if wait := retry_after(session, LOGIN_LIMIT, normalised, address, now):
        return LoginResult(LoginOutcome.THROTTLED, wait=wait)
    user = find_user(session, normalised) if normalised else None
    if user is None:
        check_password_hash(_dummy_hash(), password)
        outcome = LoginOutcome.INVALID
    elif not user.check_password(password):
        outcome = LoginOutcome.INVALID
    elif not user.is_active:
        outcome = LoginOutcome.INACTIVE
    elif user.email_verified_at is None:
        outcome = LoginOutcome.UNVERIFIED
    else:
        user.last_login_at = now
        forget_account_attempts(session, LOGIN_LIMIT, normalised)
        return LoginResult(LoginOutcome.SIGNED_IN, user=user)
    record_attempt(session, LOGIN_LIMIT, normalised, address, now)
    record_event(session, AuditAction.LOGIN_FAILED, subject=user, detail=FAILURE_DETAIL[outcome])
    return LoginResult(outcome, user=user)


@dataclass(frozen=True)
class ResetRequest:
    wait: timedelta | None = None
    user: User | None = None


def request_password_reset(
    session: Session, email: str, address: str | None, now: datetime
) -> ResetRequest:
    """Counts the request (known address or not) and names the account to mail, if any."""
    normalised = normalise_email(email)
    if wait := retry_after(session, RESET_LIMIT, normalised, address, now):
        return ResetRequest(wait=wait)
    record_attempt(session, RESET_LIMIT, normalised, address, now)
    user = find_user(session, normalised) if normalised else None
    return ResetRequest(user=user if user is not None and user.is_active else None)


def password_stamp(user: User) -> str:
    """Changes whenever the password does: a reset link carrying it works once."""
    return hashlib.sha256(f"{user.password_hash}:{user.login_epoch}".encode()).hexdigest()[:20]


def reset_link_user(session: Session, token: str, now: datetime) -> User:
    payload = read_token(Purpose.RESET_PASSWORD, token, now)
    user = session.get(User, payload.get("user", 0))
    if user is None or not user.is_active or payload.get("stamp") != password_stamp(user):
        raise TokenInvalid
    return user


def reset_password(session: Session, token: str, password: str, now: datetime) -> User:
    """Sets the new password and signs out every device; the link received by mail also proves
    the address, so it counts as verified."""
    user = reset_link_user(session, token, now)
    set_new_password(session, user, password)
    if user.email_verified_at is None:
        user.email_verified_at = now
    forget_account_attempts(session, LOGIN_LIMIT, user.email)
    return user


def set_new_password(session: Session, user: User, password: str) -> None:
    """The policy, the hash, and a new epoch so older sessions and remember-me cookies die."""
    check_new_password(password, user.email)
    user.set_password(password)
    user.login_epoch += 1
    session.flush()
