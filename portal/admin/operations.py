"""Administrators' decisions on accounts: roles, agency staff approval and deactivation.

Each function checks the decision, changes the user and writes its audit event in the caller's
transaction (the view commits once), or raises AdminError with a message for the administrator.
"""

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.messages import send_message
from portal.accounts.audit import record_event
from portal.accounts.models import AuditAction, Role, User
from portal.buyers.models import Buyer


class AdminError(ValueError):
    """A refused change, with a Spanish message fit to show the administrator."""

    @property
    def message(self) -> str:
        return str(self.args[0])


def change_role(
    session: Session, admin: User, user: User, role: Role, buyer: Buyer | None, now: datetime
) -> None:
    """An administrator's choice of agency staff is itself the approval; any role change ends
    the user's sessions, so new powers (or their loss) apply from the next sign-in."""
    _refuse_if_deleted(user)
    if role == Role.AGENCY_STAFF and buyer is None:
        raise AdminError(_("Indica la entidad (RUC o número) a la que pertenece este personal."))
    buyer_id = buyer.id if role == Role.AGENCY_STAFF and buyer is not None else None
    if role == user.role and buyer_id == user.buyer_id:
        raise AdminError(_("La cuenta ya tiene ese rol."))
    if user.role == Role.ADMIN and role != Role.ADMIN:
        _refuse_losing_an_admin(
            session, admin, user, _("No puedes quitar tu propio rol de administrador.")
        )
    detail = f"{user.role.value} → {role.value}"
    if buyer_id is not None:
        detail += f" ({buyer.name})"
    user.role = role
    user.buyer_id = buyer_id
    user.staff_approved_at = now if role == Role.AGENCY_STAFF else None
    user.login_epoch += 1
    record_event(session, AuditAction.ROLE_CHANGED, actor=admin, subject=user, detail=detail)
    session.flush()


def approve_staff(session: Session, admin: User, user: User, now: datetime) -> None:
    _pending_request(user)
    user.staff_approved_at = now
    record_event(
        session, AuditAction.STAFF_APPROVED, actor=admin, subject=user, detail=user.buyer.name
    )
    session.flush()


def refuse_staff(session: Session, admin: User, user: User) -> None:
    """The account stays, as an SME's: the database allows agency staff only with an entity."""
    _pending_request(user)
    entity = user.buyer.name
    user.role = Role.SME
    user.buyer_id = None
    record_event(session, AuditAction.STAFF_REFUSED, actor=admin, subject=user, detail=entity)
    session.flush()


def deactivate(session: Session, admin: User, user: User) -> None:
    """A deactivated account cannot sign in, and its open sessions end now."""
    _refuse_if_deleted(user)
    if not user.active:
        raise AdminError(_("La cuenta ya está desactivada."))
    if user.role == Role.ADMIN:
        _refuse_losing_an_admin(session, admin, user, _("No puedes desactivar tu propia cuenta."))
    user.active = False
    user.login_epoch += 1
    record_event(session, AuditAction.DEACTIVATED, actor=admin, subject=user)
    session.flush()


def reactivate(session: Session, admin: User, user: User) -> None:
    _refuse_if_deleted(user)
    if user.active:
        raise AdminError(_("La cuenta ya está activa."))
    user.active = True
    record_event(session, AuditAction.REACTIVATED, actor=admin, subject=user)
    session.flush()


def notify_staff_decision(user: User, entity: str, approved: bool) -> None:
    """Tells the person the answer to their request, in their language; sent after commit."""
    if approved:
        url = url_for("agency.own", _external=True)
        send_message("staff_approved", user.email, user.language, entity=entity, url=url)
    else:
        url = url_for("web.home", _external=True)
        send_message("staff_refused", user.email, user.language, entity=entity, url=url)


def _pending_request(user: User) -> None:
    _refuse_if_deleted(user)
    if user.role != Role.AGENCY_STAFF or user.staff_approved_at is not None:
        raise AdminError(_("Esta cuenta no tiene una solicitud de personal de entidad pendiente."))


def _refuse_if_deleted(user: User) -> None:
    if user.deleted_at is not None:
        raise AdminError(_("Esta cuenta fue eliminada; no se puede modificar."))


def _refuse_losing_an_admin(session: Session, admin: User, user: User, on_self: str) -> None:
    """Never the last active administrator, never oneself. Every active administrator's row is
    locked (on PostgreSQL), so two administrators demoting each other at once cannot both win."""
    active_admins = session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN, User.active.is_(True), User.deleted_at.is_(None))
        .with_for_update()
    ).all()
    if not [admin_id for admin_id in active_admins if admin_id != user.id]:
        raise AdminError(
            _("Es el último administrador activo: nombra otro administrador antes de este cambio.")
        )
    if user.id == admin.id:
        raise AdminError(on_self)
