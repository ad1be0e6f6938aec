"""Facet counts made readable: a name for each value and the link that toggles it."""

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.buyers.models import Buyer
from portal.deadlines.display import DEADLINE_CHECK_LABELS
from portal.labels import object_type_label, status_label
from portal.opportunities.models import ObjectType, OpportunityStatus
from portal.reference.models import Department, ProcedureType, Sector
from portal.search.params import SearchParams
from portal.search.query import FacetCount

# facet name -> the SearchParams field it filters
FACET_FIELDS = {
    "kind": "kinds",
    "status": "statuses",
    "sector": "sectors",
    "family": "sectors",
    "region": "regions",
    "buyer": "buyer_ids",
    "object_type": "object_types",
    "procedure_type": "procedure_types",
    "deadline_check": "deadline_checks",
}

FACET_TITLES = {
    "kind": _l("Tipo de resultado"),
    "status": _l("Estado"),
    "sector": _l("Sector"),
    "family": _l("Familia"),
    "region": _l("Región"),
    "buyer": _l("Entidad"),
    "object_type": _l("Objeto"),
    "procedure_type": _l("Procedimiento"),
    "deadline_check": _l("Plazo para preparar la oferta"),
}

ENUM_VALUES = {
    "object_type": {member.value for member in ObjectType},
    "status": {member.value for member in OpportunityStatus},
}

KIND_LABELS = {"opportunity": _l("Convocatoria"), "plan_line": _l("Pronóstico (plan anual)")}


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    url_args: str


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    options: tuple[FacetOption, ...]


def search_url_args(params: SearchParams) -> str:
    return urlencode(params.to_query_args())


def _toggled(params: SearchParams, field: str, value) -> SearchParams:
    current = getattr(params, field)
    if field == "kinds":
        return replace(params, page=1, kinds=_kinds_toggled(current, value))
    chosen = tuple(item for item in current if item != value)
    if chosen == current:
        chosen = tuple(sorted((*current, value), key=str))
    return replace(params, page=1, **{field: chosen})


def _kinds_toggled(current: tuple[str, ...], kind: str) -> tuple[str, ...]:
    """Every kind is shown until one is picked: clicking "Convocatoria" shows only calls (it
    used to untick calls, as if they were a chosen filter); clicking it again shows all."""
    if current == SearchParams.kinds:
        return (kind,)
    if kind in current:
        return tuple(item for item in current if item != kind) or SearchParams.kinds
    return tuple(sorted((*current, kind)))


def _sector_chosen(params: SearchParams, facet: str, code: str) -> bool:
    """A segment counts as chosen while any family under it is."""
    if facet == "sector":
        return any(chosen[:2] == code[:2] for chosen in params.sectors)
    return code in params.sectors


def _sector_toggled(params: SearchParams, facet: str, code: str) -> SearchParams:
    """Segments and families share the OR-ed `sector` filter: a chosen family replaces its
    segment (which would otherwise keep matching the whole segment), leaving a segment drops
    its families, and leaving a segment's last family goes back to the segment."""
    others = {chosen for chosen in params.sectors if chosen[:2] != code[:2]}
    same_segment = set(params.sectors) - others
    if facet == "sector":
        chosen = others if same_segment else others | {code}
    elif code in same_segment:
        families = same_segment - {code, segment_of(code)}
        chosen = others | (families or {segment_of(code)})
    else:
        chosen = others | (same_segment - {segment_of(code)}) | {code}
    return replace(params, page=1, sectors=tuple(sorted(chosen)))


def segment_of(code: str) -> str:
    return code[:2] + "000000"


def sector_names(session: Session, codes: list[str]) -> dict[str, str]:
    """Names from the sectors table; families, shipped only with the full taxonomy, fall back
    to their four-digit code."""
    english = str(get_locale()) == "en"
    rows = session.execute(
        select(Sector.code, Sector.name_en if english else Sector.name_es).where(
            Sector.code.in_(codes)
        )
    )
    names = {str(code): name for code, name in rows}
    return {code: names.get(code) or _("Familia %(code)s", code=code[:4]) for code in codes}


def _names(session: Session, facet: str, values: list[str]) -> dict[str, str]:
    english = str(get_locale()) == "en"
    if facet in ("sector", "family"):
        return sector_names(session, values)
    if facet == "region":
        rows = session.execute(select(Department.code, Department.name))
    elif facet == "buyer":
        ids = [int(value) for value in values if value.isdigit()]
        rows = session.execute(select(Buyer.id, Buyer.name).where(Buyer.id.in_(ids)))
    elif facet == "procedure_type":
        rows = session.execute(
            select(ProcedureType.code, ProcedureType.name_en if english else ProcedureType.name_es)
        )
    elif facet == "deadline_check":
        labels = DEADLINE_CHECK_LABELS
        return {value: str(labels[value]) for value in values if value in labels}
    elif facet in ("object_type", "status"):
        label = object_type_label if facet == "object_type" else status_label
        return {value: label(value) for value in values if value in ENUM_VALUES[facet]}
    else:
        return {value: str(KIND_LABELS.get(value, value)) for value in values}
    return {str(code): name for code, name in rows}


def _selected(params: SearchParams, facet: str, field: str, value: str) -> bool:
    if field == "sectors":
        return _sector_chosen(params, facet, value)
    if field == "kinds" and params.kinds == SearchParams.kinds:
        return False  # all kinds is no choice at all
    return value in {str(chosen) for chosen in getattr(params, field)}


def _option_params(params: SearchParams, facet: str, field: str, value: str) -> SearchParams:
    """The search an option's link leads to: this one with the option toggled."""
    if field == "sectors":
        return _sector_toggled(params, facet, value)
    return _toggled(params, field, int(value) if field == "buyer_ids" else value)


def readable_facets(
    session: Session, params: SearchParams, counts: dict[str, tuple[FacetCount, ...]]
) -> list[Facet]:
    facets = []
    for name, field in FACET_FIELDS.items():
        found = counts.get(name, ())
        if not found:
            continue
        names = _names(session, name, [item.value for item in found])
        options = tuple(
            FacetOption(
                value=item.value,
                label=names.get(item.value, item.value),
                count=item.count,
                selected=_selected(params, name, field, item.value),
                url_args=search_url_args(_option_params(params, name, field, item.value)),
            )
            for item in found
        )
        facets.append(Facet(name=name, title=str(FACET_TITLES[name]), options=options))
    return facets
