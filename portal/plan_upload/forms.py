"""The upload form (file, fiscal year, and for administrators the entity) and the token-only
form behind "Publicar" and "Descartar"."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired

ACCEPTED_EXTENSIONS = ("csv", "xlsx", "txt")


class UploadForm(FlaskForm):
    plan_file = FileField(
        _l("Archivo del plan (CSV o XLSX)"),
        validators=[
            FileRequired(_l("Elige el archivo del plan.")),
            FileAllowed(ACCEPTED_EXTENSIONS, _l("Sube un archivo CSV o XLSX.")),
        ],
    )
    fiscal_year = SelectField(_l("Año fiscal"), coerce=int, validators=[InputRequired()])
    # Read only for administrators: staff always upload for their own entity.
    entity = HiddenField()

    def offer_years(self, current_year: int) -> None:
        """The year before, this one and the next: a PAC is approved before its year starts
        and amended during it."""
        years = (current_year - 1, current_year, current_year + 1)
        self.fiscal_year.choices = [(year, str(year)) for year in years]
        if self.fiscal_year.data is None:
            self.fiscal_year.data = current_year


class DecisionForm(FlaskForm):
    """Publish or discard: the button says which, the CSRF token is the whole form."""
