"""The signed-in user's own account: company profile, e-mail and password changes, deletion."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from notifications.recipients import is_sendable
from portal.accounts.audit import record_event
from portal.accounts.models import AuditAction, CompanyProfile, User
from portal.accounts.operations import (
    AccountError,
    find_user,
    is_plausible_email,
    normalise_email,
    set_new_password,
)
from portal.accounts.size import size_class_for_sales
from portal.accounts.tokens import Purpose, TokenInvalid, read_token
from portal.reference.models import Department, Sector
from portal.subscriptions.models import SavedOpportunity, Subscription

# Not an address anyone can own (RFC 2606), and unique per account.
DELETED_EMAIL = "eliminado-{id}@cuentas.invalid"
UNUSABLE_PASSWORD = "!cuenta-eliminada"  # no "$": Werkzeug's check always fails on it


@dataclass(frozen=True)
class CompanyDetails:
    name: str
    ruc: str
    annual_sales_pen: Decimal | None = None
    sector_codes: list[str] = field(default_factory=list)
    region_codes: list[str] = field(default_factory=list)
    contact_emails: list[str] = field(default_factory=list)


def parse_contact_emails(text: str) -> list[str]:
    """One address per line (commas and semicolons tolerated); AccountError names a bad one."""
    addresses = []
    for raw in text.replace(",", "\n").replace(";", "\n").splitlines():
        address = normalise_email(raw)
        if not address:
            continue
        if not is_plausible_email(address) or not is_sendable(address):
            raise AccountError(_("«%(address)s» no es un correo válido.", address=raw.strip()))
        if address not in addresses:
            addresses.append(address)
    return addresses


def save_company(
    session: Session, user: User, details: CompanyDetails, uit_year: int
) -> CompanyProfile:
    """Creates or updates the SME's company; the size class follows from the declared sales."""
    company = user.company
    if company is None:
        company = CompanyProfile(user=user)
        session.add(company)
    company.name = details.name.strip()
    company.ruc = details.ruc.strip()
    company.annual_sales_pen = details.annual_sales_pen
    company.size_class_code = (
        size_class_for_sales(session, details.annual_sales_pen, uit_year)
        if details.annual_sales_pen is not None
        else None
    )
    company.sectors = list(
        session.scalars(select(Sector).where(Sector.code.in_(details.sector_codes)))
    )
    company.regions = list(
        session.scalars(select(Department).where(Department.code.in_(details.region_codes)))
    )
    company.contact_emails = "\n".join(details.contact_emails)
    session.flush()
    return company


def require_password(user: User, password: str) -> None:
    if not user.check_password(password):
        raise AccountError(_("La contraseña actual no es correcta."))


def request_email_change(session: Session, user: User, password: str, new_email: str) -> str | None:
    """The address to send a confirmation link to, or None when it is already someone's (the
    page says the same either way, so this form cannot probe which addresses are registered)."""
    require_password(user, password)
    address = normalise_email(new_email)
    if not is_plausible_email(address):
        raise AccountError(_("Escribe un correo válido."))
    if address == user.email:
        raise AccountError(_("Ese ya es tu correo."))
    return None if find_user(session, address) else address


def confirm_email_change(session: Session, user: User, token: str, now: datetime) -> str:
    """Moves the account to the new, now proven, address; returns the old one to notify."""
    payload = read_token(Purpose.CHANGE_EMAIL, token, now)
    if payload.get("user") != user.id or payload.get("epoch") != user.login_epoch:
        raise TokenInvalid
    address = normalise_email(payload.get("email", ""))
    if address == user.email:
        raise TokenInvalid  # already used
    if find_user(session, address):
        raise AccountError(_("No pudimos cambiar tu correo a esa dirección."))
    old_email = user.email
    user.email = address
    user.email_verified_at = now
    session.flush()
    return old_email


def change_password(session: Session, user: User, current: str, new: str) -> None:
    require_password(user, current)
    set_new_password(session, user, new)


def delete_account(session: Session, user: User, password: str, now: datetime) -> None:
    """Removes what identifies the person and keeps an anonymous row, so alert deliveries (lead
    time statistics) and audit counts survive."""
    require_password(user, password)
    if user.company is not None:
        session.delete(user.company)
    session.execute(delete(Subscription).where(Subscription.user_id == user.id))
    session.execute(delete(SavedOpportunity).where(SavedOpportunity.user_id == user.id))
    record_event(session, AuditAction.ACCOUNT_DELETED, actor=user, subject=user)
    user.email = DELETED_EMAIL.format(id=user.id)
    user.password_hash = UNUSABLE_PASSWORD
    user.active = False
    user.deleted_at = now
    user.email_verified_at = None
    user.last_login_at = None
    user.login_epoch += 1
    session.flush()
