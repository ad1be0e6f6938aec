"""Administrators' forms: every decision is a POST with its CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from portal.accounts.models import Role
from portal.admin.labels import ROLE_LABELS


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Rol"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
    )
    entity = StringField(
        _l("Entidad (RUC o número), solo para personal de entidad"),
        validators=[
            Optional(),
            Length(max=11),
            Regexp(r"^\d+$", message=_l("Escribe solo dígitos: el RUC o el número.")),
        ],
        filters=[lambda value: value.strip() if value else value],
    )

    @property
    def chosen_role(self) -> Role:
        return Role(self.role.data)


class DecisionForm(FlaskForm):
    """Approve, refuse, deactivate, reactivate: the button says which, the token is the form."""
