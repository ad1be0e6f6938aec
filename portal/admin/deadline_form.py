"""The administrators' floor for procedures without a legal minimum, and the decreed
non-working days they record (portal.deadlines)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.deadlines.non_working import MAX_NOTE_LENGTH
from portal.deadlines.settings import MAX_FLOOR_DAYS


class DeadlineFloorForm(FlaskForm):
    """Empty means no floor: calls without a legal minimum are then never flagged."""

    days = IntegerField(
        _l("Plazo mínimo para procedimientos sin plazo legal (días hábiles)"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_FLOOR_DAYS,
                message=_l("Escribe un número de días hábiles entre %(min)d y %(max)d."),
            ),
        ],
    )


class NonWorkingDayForm(FlaskForm):
    """A day the government declared non-working, with the decree that says so."""

    day = DateField(
        _l("Día no laborable"),
        validators=[InputRequired(message=_l("Escribe la fecha como AAAA-MM-DD."))],
    )
    note = StringField(
        _l("Norma que lo declara"),
        validators=[
            DataRequired(message=_l("Escribe la norma (por ejemplo, el decreto supremo).")),
            Length(max=MAX_NOTE_LENGTH),
        ],
    )

    def validate_day(self, field) -> None:
        if field.data is not None and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Escribe una fecha entre los años 2000 y 2100."))
