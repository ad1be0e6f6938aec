"""The alert form (its criteria fields carry the search's parameter names, so a search's query
string fills it and it reads back through the search's own validation), the sending
preferences form and the watchlist form."""

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from portal.buyers.models import Buyer
from portal.deadlines.checks import DEADLINE_CHECKS
from portal.deadlines.display import DEADLINE_CHECK_LABELS
from portal.form_fields import MultiCheckboxField
from portal.labels import object_type_label
from portal.opportunities.search_request import MAX_ID
from portal.reference.departments import departments_in_order
from portal.reference.models import ProcedureType, Sector
from portal.search.params import MAX_QUERY_LENGTH, OBJECT_TYPES, SearchParams
from portal.subscriptions.models import Frequency
from portal.subscriptions.operations import Delivery, SendingPreferences
from portal.subscriptions.params import alert_params_from
from portal.subscriptions.summary import NAME_LENGTH, size_class_labels

FREQUENCY_LABELS = {
    Frequency.IMMEDIATE: _l("Inmediata: un correo por cada convocatoria nueva"),
    Frequency.DAILY: _l("Resumen diario"),
    Frequency.WEEKLY: _l("Resumen semanal (lunes)"),
}
CRITERIA_FIELDS = ("q", "sector", "region", "buyer", "object_type", "procedure", "deadline_check")


class AlertForm(FlaskForm):
    name = StringField(_l("Nombre de la alerta"), validators=[Length(max=NAME_LENGTH)])
    q = StringField(_l("Palabras clave"), validators=[Length(max=MAX_QUERY_LENGTH)])
    sector = MultiCheckboxField(_l("Sectores (UNSPSC)"))
    region = MultiCheckboxField(_l("Regiones"))
    buyer = MultiCheckboxField(_l("Entidades"))
    object_type = MultiCheckboxField(_l("Objeto de la contratación"))
    procedure = MultiCheckboxField(_l("Procedimiento"))
    deadline_check = MultiCheckboxField(_l("Plazo para preparar la oferta"))
    value_min = StringField(_l("Valor estimado desde (S/)"))
    value_max = StringField(_l("hasta (S/)"))
    size = SelectField(_l("Adecuadas para"), default="")
    forecasts = BooleanField(_l("Avisarme también de los pronósticos de los planes anuales (PAC)"))
    frequency = SelectField(
        _l("Frecuencia"),
        choices=[SelectChoice(value.value, label) for value, label in FREQUENCY_LABELS.items()],
    )
    digest_hour = SelectField(
        _l("Hora de los resúmenes (hora de Lima)"),
        coerce=int,
        choices=[SelectChoice(hour, f"{hour:02d}:00") for hour in range(24)],
    )
    preview = SubmitField(_l("Vista previa"))
    save = SubmitField(_l("Guardar alerta"))


def alert_form_data(params: SearchParams, name: str, delivery: Delivery) -> dict:
    """What the form shows for a subscription's criteria (or a search's)."""
    return {
        "name": name,
        "q": params.q,
        "sector": list(params.sectors),
        "region": list(params.regions),
        "buyer": [str(buyer_id) for buyer_id in params.buyer_ids],
        "object_type": list(params.object_types),
        "procedure": list(params.procedure_types),
        "deadline_check": list(params.deadline_checks),
        "value_min": _amount_text(params.value_min),
        "value_max": _amount_text(params.value_max),
        "size": params.size_class or "",
        "forecasts": "plan_line" in params.kinds,
        "frequency": delivery.frequency.value,
        "digest_hour": delivery.digest_hour,
    }


def _amount_text(amount) -> str:
    return "" if amount is None else format(amount, "f")


def form_params(form: AlertForm) -> SearchParams:
    """The form's criteria read back as search arguments: raises InvalidSearchParams, whose
    `field` is the form field's name."""
    args = MultiDict()
    for name in CRITERIA_FIELDS:
        data = getattr(form, name).data or ()
        for value in [data] if isinstance(data, str) else data:
            args.add(name, value)
    for name in ("value_min", "value_max", "size"):
        args.add(name, getattr(form, name).data or "")
    args.add("kind", "opportunity")
    if form.forecasts.data:
        args.add("kind", "plan_line")
    return alert_params_from(args)


def form_delivery(form: AlertForm) -> Delivery:
    return Delivery(frequency=Frequency(form.frequency.data), digest_hour=form.digest_hour.data)


def set_choices(form: AlertForm, session: Session, buyer_ids) -> None:
    """Options from the reference tables; entities only those already chosen (they are added
    from a search, where the entity facet finds them)."""
    english = str(get_locale()) == "en"
    sectors = session.scalars(
        select(Sector).where(Sector.level.in_(("segment", "family"))).order_by(Sector.code)
    )
    form.sector.choices = _options(
        (sector.code, _sector_label(sector, english)) for sector in sectors
    )
    form.region.choices = _options((d.code, d.name) for d in departments_in_order(session))
    digits = [str(value) for value in buyer_ids if str(value).isascii() and str(value).isdigit()]
    ids = [int(value) for value in digits if int(value) <= MAX_ID]
    form.buyer.choices = _options(
        (str(buyer_id), name)
        for buyer_id, name in session.execute(
            select(Buyer.id, Buyer.name).where(Buyer.id.in_(ids)).order_by(Buyer.name)
        )
    )
    form.object_type.choices = _options((value, object_type_label(value)) for value in OBJECT_TYPES)
    procedure_name = ProcedureType.name_en if english else ProcedureType.name_es
    form.procedure.choices = _options(
        session.execute(select(ProcedureType.code, procedure_name).order_by(ProcedureType.code))
    )
    form.deadline_check.choices = _options(
        (value, DEADLINE_CHECK_LABELS[value]) for value in DEADLINE_CHECKS
    )
    form.size.choices = _options([("", _l("Cualquier empresa")), *size_class_labels().items()])


def _options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _sector_label(sector: Sector, english: bool) -> str:
    name = sector.name_en if english else sector.name_es
    return name if sector.level == "segment" else f"{name} ({sector.code[:4]})"


class WatchForm(FlaskForm):
    """Blank means no reminder."""

    remind_days_before = IntegerField(
        _l("Recordarme días antes del cierre"),
        validators=[Optional(), NumberRange(min=0, max=30)],
    )


MIN_DAILY_CAP, MAX_DAILY_CAP = 1, 100
HOURS = [str(hour) for hour in range(24)]


def _cap_in_range(_form, field) -> None:
    text = (field.data or "").strip()
    if not (text.isascii() and text.isdigit() and MIN_DAILY_CAP <= int(text) <= MAX_DAILY_CAP):
        raise ValidationError(
            _(
                "«%(field)s» debe ser un número entero del %(low)d al %(high)d.",
                field=field.label.text,
                low=MIN_DAILY_CAP,
                high=MAX_DAILY_CAP,
            )
        )


def _listed_hour(_form, field) -> None:
    if (field.data or "") not in ("", *HOURS):
        raise ValidationError(_("«%(field)s»: elija una hora de la lista.", field=field.label.text))


def _hour(value: str | None) -> int | None:
    """An hour of the list, or None for the blank choice (and for anything else, which the
    field's own validator reports)."""
    return int(value) if value in HOURS else None


def _quiet_hour_field(label) -> SelectField:
    """Options as strings, checked by _listed_hour: WTForms' own choice check would answer
    in words that don't name the field."""
    return SelectField(
        label,
        choices=[
            SelectChoice("", _l("Ninguna")),
            *(SelectChoice(h, f"{int(h):02d}:00") for h in HOURS),
        ],
        validate_choice=False,
        validators=[_listed_hour],
    )


class SendingForm(FlaskForm):
    """How much immediate alert e-mail, and when: errors name each field by its label, since
    they are read next to the alerts list, far from the form's other fields."""

    daily_alert_cap = StringField(
        _l("Máximo de correos de alertas inmediatas por día"),
        validators=[_cap_in_range],
        render_kw={
            "type": "number",
            "min": MIN_DAILY_CAP,
            "max": MAX_DAILY_CAP,
            "inputmode": "numeric",
        },
    )
    quiet_from_hour = _quiet_hour_field(_l("Horas de silencio: desde las"))
    quiet_until_hour = _quiet_hour_field(_l("Horas de silencio: hasta las"))

    def validate_quiet_from_hour(self, field) -> None:
        if not field.data and _hour(self.quiet_until_hour.data) is not None:
            raise ValidationError(self._both_or_neither(field))

    def validate_quiet_until_hour(self, field) -> None:
        start, end = _hour(self.quiet_from_hour.data), _hour(field.data)
        if not field.data and start is not None:
            raise ValidationError(self._both_or_neither(field))
        if start is not None and start == end:
            raise ValidationError(
                _(
                    "«%(field)s» debe ser distinta de «%(other)s»: el silencio necesita al menos "
                    "una hora.",
                    field=field.label.text,
                    other=self.quiet_from_hour.label.text,
                )
            )

    @staticmethod
    def _both_or_neither(field) -> str:
        return _(
            "«%(field)s»: elija también esta hora, o deje las dos horas de silencio en «Ninguna».",
            field=field.label.text,
        )


def sending_form_data(preferences: SendingPreferences) -> dict:
    def hour_text(hour: int | None) -> str:
        return "" if hour is None else str(hour)

    return {
        "daily_alert_cap": str(preferences.daily_alert_cap),
        "quiet_from_hour": hour_text(preferences.quiet_from_hour),
        "quiet_until_hour": hour_text(preferences.quiet_until_hour),
    }


def form_sending_preferences(form: SendingForm) -> SendingPreferences:
    """The preferences of a validated form."""
    return SendingPreferences(
        daily_alert_cap=int(form.daily_alert_cap.data.strip()),
        quiet_from_hour=_hour(form.quiet_from_hour.data),
        quiet_until_hour=_hour(form.quiet_until_hour.data),
    )
