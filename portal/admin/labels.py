"""Spanish (translatable) names for roles, account states and audit actions."""

from flask_babel import lazy_gettext as _l

from portal.accounts.models import AuditAction, Role

ROLE_LABELS = {
    Role.SME: _l("MYPE"),
    Role.AGENCY_STAFF: _l("Personal de entidad"),
    Role.ADMIN: _l("Administrador"),
}

STATE_LABELS = {
    "active": _l("Activas"),
    "deactivated": _l("Desactivadas"),
    "pending": _l("Personal pendiente de aprobación"),
    "unverified": _l("Correo sin verificar"),
    "deleted": _l("Eliminadas"),
}

ACTION_LABELS = {
    AuditAction.LOGIN_FAILED: _l("Ingreso fallido"),
    AuditAction.ROLE_CHANGED: _l("Cambio de rol"),
    AuditAction.STAFF_REQUESTED: _l("Solicitud de personal de entidad"),
    AuditAction.STAFF_APPROVED: _l("Personal de entidad aprobado"),
    AuditAction.STAFF_REFUSED: _l("Personal de entidad rechazado"),
    AuditAction.DEACTIVATED: _l("Cuenta desactivada"),
    AuditAction.REACTIVATED: _l("Cuenta reactivada"),
    AuditAction.ACCOUNT_DELETED: _l("Cuenta eliminada"),
}


def role_label(value: Role | str) -> str:
    return str(ROLE_LABELS[Role(value)])


def action_label(value: AuditAction | str) -> str:
    return str(ACTION_LABELS[AuditAction(value)])
