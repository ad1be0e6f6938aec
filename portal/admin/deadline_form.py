"""The administrators' floor for procedures without a legal minimum (portal.deadlines)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

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
