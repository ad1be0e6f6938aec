"""How plan pages name things: line anchors, Spanish month names, the fields of a plan line,
and where a plan version came from."""

from decimal import Decimal

from flask import url_for
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from portal.plans.models import AnnualPlan, PlanLine

MONTH_NAMES = (
    _l("enero"),
    _l("febrero"),
    _l("marzo"),
    _l("abril"),
    _l("mayo"),
    _l("junio"),
    _l("julio"),
    _l("agosto"),
    _l("setiembre"),
    _l("octubre"),
    _l("noviembre"),
    _l("diciembre"),
)
LINE_FIELD_LABELS = {
    "description": _l("Descripción"),
    "object_type": _l("Objeto"),
    "procedure_type_code": _l("Tipo de procedimiento"),
    "classification_code": _l("Código CUBSO"),
    "estimated_value": _l("Valor estimado"),
    "currency": _l("Moneda"),
    "planned_month": _l("Mes previsto"),
    "region_code": _l("Región"),
    "quantity": _l("Cantidad"),
    "unit_of_measure": _l("Unidad de medida"),
    "funding_source": _l("Fuente de financiamiento"),
    "notes": _l("Observaciones"),
}
_ANCHOR_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


def line_anchor(reference_number: str) -> str:
    """`linea-<reference>`: the same in every version, so a link to a line survives amendments.

    Letters, digits, "." and "-" are kept; any other character becomes `_<hex code>_`, so the
    anchor is safe in a URL fragment and two references never share an anchor.
    """
    safe = "".join(
        char if char in _ANCHOR_SAFE else f"_{ord(char):x}_" for char in reference_number
    )
    return f"linea-{safe}"


def line_url(line: PlanLine, version: int | None = None, external: bool = False) -> str:
    """Where a plan line is shown: its plan's page that holds it (`linea` picks the page of a
    long plan), at its anchor; `version` pins the version the link was made from."""
    plan = line.plan
    return url_for(
        "plans.plan",
        buyer_id=plan.buyer_id,
        year=plan.fiscal_year,
        version=version,
        linea=line.reference_number,
        _anchor=line_anchor(line.reference_number),
        _external=external,
    )


def month_name(month: int | None) -> str:
    return str(MONTH_NAMES[month - 1]) if month and 1 <= month <= 12 else "—"


def line_field_label(field: str) -> str:
    return str(LINE_FIELD_LABELS[field])


def provenance(plan: AnnualPlan, source_names: dict[int, str]) -> str:
    """Uploaded versions name no person (staff names are not public); scraped ones their source."""
    if plan.uploaded_by_id is not None:
        return str(_l("Subido por la entidad"))
    name = source_names.get(plan.source_id, "")
    return str(_l("Obtenido de la fuente %(source)s", source=name))


def quantity(value: Decimal | None) -> str:
    """Quantities keep up to three decimals, without trailing zeros (10, 2.5, 0.125)."""
    return "—" if value is None else format_decimal(value, format="#,##0.###")
