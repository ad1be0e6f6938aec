"""The alert form (its criteria fields carry the search's parameter names, so a search's query
string fills it and it reads back through the search's own validation) and the watchlist form."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from portal.buyers.models import Buyer
from portal.form_fields import MultiCheckboxField
from portal.labels import object_type_label
from portal.opportunities.search_request import MAX_ID
from portal.reference.models import Department, ProcedureType, Sector
from portal.search.params import MAX_QUERY_LENGTH, OBJECT_TYPES, SearchParams
from portal.subscriptions.models import Frequency
from portal.subscriptions.operations import Delivery
from portal.subscriptions.params import alert_params_from
from portal.subscriptions.summary import NAME_LENGTH, size_class_labels

FREQUENCY_LABELS = {
    Frequency.IMMEDIATE: _l("Inmediata: un correo por cada convocatoria nueva"),
    Frequency.DAILY: _l("Resumen diario"),
    Frequency.WEEKLY: _l("Resumen semanal (lunes)"),
}
CRITERIA_FIELDS = ("q", "sector", "region", "buyer", "object_type", "procedure")


class AlertForm(FlaskForm):
    name = StringField(_l("Nombre de la alerta"), validators=[Length(max=NAME_LENGTH)])
    q = StringField(_l("Palabras clave"), validators=[Length(max=MAX_QUERY_LENGTH)])
    sector = MultiCheckboxField(_l("Sectores (UNSPSC)"))
    region = MultiCheckboxField(_l("Regiones"))
    buyer = MultiCheckboxField(_l("Entidades"))
    object_type = MultiCheckboxField(_l("Objeto de la contratación"))
    procedure = MultiCheckboxField(_l("Procedimiento"))
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
    form.region.choices = _options(
        session.execute(select(Department.code, Department.name).order_by(Department.name))
    )
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
