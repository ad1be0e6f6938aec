"""A subscription's criteria in words: the alerts list, the edit page and default names."""

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.buyers.models import Buyer
from portal.deadlines.display import DEADLINE_CHECK_LABELS
from portal.labels import object_type_label
from portal.opportunities.facets import sector_names
from portal.reference.models import Department, ProcedureType
from portal.search.params import SearchParams
from portal.web import money

NAME_LENGTH = 120


def size_class_labels() -> dict[str, str]:
    return {
        "micro": _("Microempresa"),
        "small": _("Pequeña empresa"),
        "medium": _("Mediana empresa"),
    }


def _filter_names(session: Session, params: SearchParams) -> list[tuple[str, list[str]]]:
    """(what, names) for each filter in use, in the order a reader scans them."""
    english = str(get_locale()) == "en"
    procedure = (ProcedureType.code, ProcedureType.name_en if english else ProcedureType.name_es)
    named = [
        (_("Sectores"), list(sector_names(session, list(params.sectors)).values())),
        (_("Regiones"), _names(session, Department.code, Department.name, params.regions)),
        (_("Entidades"), _names(session, Buyer.id, Buyer.name, params.buyer_ids)),
        (_("Objeto"), [object_type_label(value) for value in params.object_types]),
        (
            _("Procedimiento"),
            _names(session, *procedure, params.procedure_types),
        ),
    ]
    return [(what, names) for what, names in named if names]


def _names(session: Session, key, name, values: tuple) -> list[str]:
    if not values:
        return []
    return list(session.scalars(select(name).where(key.in_(values)).order_by(name)))


def criteria_summary(session: Session, params: SearchParams) -> list[str]:
    """One short Spanish line per criterion; "every open notice" when there is none."""
    lines = [_("Palabras: «%(words)s»", words=params.q)] if params.q else []
    lines += [f"{what}: {', '.join(names)}" for what, names in _filter_names(session, params)]
    if params.value_min is not None and params.value_max is not None:
        lines.append(
            _(
                "Valor entre %(low)s y %(high)s",
                low=money(params.value_min),
                high=money(params.value_max),
            )
        )
    elif params.value_min is not None:
        lines.append(_("Valor desde %(low)s", low=money(params.value_min)))
    elif params.value_max is not None:
        lines.append(_("Valor hasta %(high)s", high=money(params.value_max)))
    if params.size_class:
        lines.append(_("Adecuadas para: %(size)s", size=size_class_labels()[params.size_class]))
    if params.deadline_checks:
        chosen = ", ".join(str(DEADLINE_CHECK_LABELS[value]) for value in params.deadline_checks)
        lines.append(_("Plazo: %(checks)s", checks=chosen))
    if not lines:
        lines.append(_("Todas las convocatorias abiertas"))
    if "plan_line" in params.kinds:
        lines.append(_("Incluye pronósticos de los planes anuales (PAC)"))
    return lines


def default_name(session: Session, params: SearchParams) -> str:
    """The keywords, else the first filter's names: "Alerta: uniformes escolares"."""
    filters = _filter_names(session, params)
    if params.q:
        what = params.q
    elif filters:
        what = ", ".join(filters[0][1])
    elif params.size_class:
        what = size_class_labels()[params.size_class]
    else:
        what = _("todas las convocatorias")
    name = _("Alerta: %(what)s", what=what)
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…"
