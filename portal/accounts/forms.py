"""Flask-WTF forms of the account pages; fields named email, password and csrf_token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from portal.accounts.operations import is_plausible_email, normalise_email
from portal.accounts.passwords import password_problem
from portal.buyers.ruc import is_valid_ruc
from portal.form_fields import MultiCheckboxField

ACCOUNT_SME = "sme"
ACCOUNT_AGENCY = "agency"


def _plausible_email(_form, field) -> None:
    if not is_plausible_email(normalise_email(field.data or "")):
        raise ValidationError(_l("Escribe un correo válido, por ejemplo nombre@empresa.pe."))


def _valid_ruc(_form, field) -> None:
    if field.data and not is_valid_ruc(field.data.strip()):
        raise ValidationError(_l("El RUC debe tener 11 dígitos y un dígito verificador válido."))


class _PolicyPassword:
    """The password policy as a field validator, against the form's e-mail field if any."""

    def __init__(self, email_field: str | None = "email") -> None:
        self.email_field = email_field

    def __call__(self, form, field) -> None:
        email_field = getattr(form, self.email_field or "", None)
        email = email_field.data if email_field is not None else getattr(form, "account_email", "")
        if problem := password_problem(field.data or "", email or ""):
            raise ValidationError(problem)


def _email_field() -> StringField:
    return StringField(
        _l("Correo electrónico"),
        validators=[DataRequired(_l("Escribe tu correo.")), Length(max=254), _plausible_email],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


def _new_password_fields(email_field: str | None = "email"):
    password = PasswordField(
        _l("Contraseña"),
        validators=[DataRequired(_l("Escribe una contraseña.")), _PolicyPassword(email_field)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repite la contraseña"),
        validators=[EqualTo("password", _l("Las dos contraseñas no coinciden."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = StringField(
        _l("Correo electrónico"),
        validators=[DataRequired(_l("Escribe tu correo."))],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )
    password = PasswordField(
        _l("Contraseña"),
        validators=[DataRequired(_l("Escribe tu contraseña."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember_me = BooleanField(_l("Mantener la sesión iniciada en este dispositivo (30 días)"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    email = _email_field()
    password, password_confirm = _new_password_fields()
    account_type = RadioField(
        _l("Tipo de cuenta"),
        choices=[
            SelectChoice(ACCOUNT_SME, _l("Empresa (MYPE u otra empresa proveedora)")),
            SelectChoice(ACCOUNT_AGENCY, _l("Personal de una entidad pública")),
        ],
        default=ACCOUNT_SME,
    )
    agency_ruc = StringField(
        _l("RUC de tu entidad"),
        validators=[_valid_ruc],
        render_kw={"inputmode": "numeric", "maxlength": 11},
    )

    def validate_agency_ruc(self, field) -> None:
        if self.account_type.data == ACCOUNT_AGENCY and not (field.data or "").strip():
            raise ValidationError(_l("Escribe el RUC de la entidad en la que trabajas."))


class EmailForm(FlaskForm):
    """Asking for a reset link, or for a new verification link."""

    email = _email_field()


class NewPasswordForm(FlaskForm):
    """The reset page: the account's address is set on the form by the view."""

    password, password_confirm = _new_password_fields(email_field=None)
    account_email = ""


class PreferencesForm(FlaskForm):
    language = SelectField(
        _l("Idioma de la página y de los correos"),
        choices=[SelectChoice("es", "Español"), SelectChoice("en", "English")],
    )


class CompanyForm(PreferencesForm):
    name = StringField(
        _l("Razón social"),
        validators=[DataRequired(_l("Escribe la razón social.")), Length(max=300)],
    )
    ruc = StringField(
        _l("RUC"),
        validators=[DataRequired(_l("Escribe el RUC de tu empresa.")), _valid_ruc],
        render_kw={"inputmode": "numeric", "maxlength": 11},
    )
    annual_sales_pen = DecimalField(
        _l("Ventas anuales declaradas (S/)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("Las ventas no pueden ser negativas.")),
        ],
        render_kw={"inputmode": "decimal"},
    )
    sectors = MultiCheckboxField(_l("Sectores (segmentos y familias UNSPSC)"), choices=[])
    regions = MultiCheckboxField(_l("Regiones donde puedes atender"), choices=[])
    contact_emails = TextAreaField(
        _l("Correos de contacto para las alertas (uno por línea)"), render_kw={"rows": 3}
    )


class ChangeEmailForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Tu contraseña actual"),
        validators=[DataRequired(_l("Escribe tu contraseña actual."))],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Contraseña actual"),
        validators=[DataRequired(_l("Escribe tu contraseña actual."))],
        render_kw={"autocomplete": "current-password"},
    )
    password, password_confirm = _new_password_fields(email_field=None)
    account_email = ""


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Tu contraseña, para confirmar"),
        validators=[DataRequired(_l("Escribe tu contraseña para confirmar."))],
        render_kw={"autocomplete": "current-password"},
    )


class ConfirmForm(FlaskForm):
    """A button with a CSRF token: confirming what a mailed link proposes."""
