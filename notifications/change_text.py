"""What changed in a followed process, from what to what, in the reader's words.

Ingest records changes as text (`opportunity_changes`: ISO times in UTC, plain decimals, enum
values, codes); this turns them back into Lima times, soles and translated names.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from notifications.formatting import MISSING, lima_date, lima_datetime, money, row_name
from portal.buyers.models import Buyer
from portal.labels import object_type_label, status_label
from portal.opportunities.awards import awards_text
from portal.opportunities.documents import documents_change_text
from portal.opportunities.models import Opportunity, OpportunityChange
from portal.reference.models import Department, ProcedureType

FIELD_LABELS = {
    "deadline_at": _l("Plazo para ofertas"),
    "status": _l("Estado"),
    "estimated_value": _l("Valor estimado"),
    "currency": _l("Moneda"),
    "title": _l("Título"),
    "description": _l("Descripción"),
    "object_type": _l("Objeto"),
    "procedure_type_code": _l("Procedimiento"),
    "procedure_text": _l("Procedimiento"),
    "region_code": _l("Región"),
    "published_at": _l("Fecha de publicación"),
    "url": _l("Enlace oficial"),
    "ocid": _l("Código OCDS"),
    "buyer_id": _l("Entidad"),
    "classifications": _l("Clasificación"),
    "awards": _l("Adjudicación"),
    "documents": _l("Documentos"),
}
# Said to have changed, without the values: too long for a mail, or (a source's address) not
# to be shown as text the reader might paste into a browser.
VALUES_NOT_SHOWN = frozenset({"description", "url", "classifications"})


@dataclass(frozen=True)
class ChangeText:
    """One change of a followed process; before and after are None when not shown."""

    label: str
    before: str | None
    after: str | None


def change_text(
    session: Session, change: OpportunityChange, opportunity: Opportunity
) -> ChangeText:
    """A value that doesn't parse (a source's odd date, say) is shown as recorded."""
    label = str(FIELD_LABELS.get(change.field, change.field))
    if change.field in VALUES_NOT_SHOWN:
        return ChangeText(label, None, None)
    if change.field == "documents":  # the new ones, read from both lists
        return ChangeText(label, *documents_change_text(change.old_value, change.new_value))
    show = _value_format(session, change.field, opportunity.currency)
    return ChangeText(label, _shown(show, change.old_value), _shown(show, change.new_value))


def _value_format(session: Session, field: str, currency: str):
    formats = {
        "deadline_at": lambda value: _("%(when)s (hora de Lima)", when=lima_datetime(_utc(value))),
        "published_at": lambda value: lima_date(_utc(value)),
        "status": status_label,
        "estimated_value": lambda value: money(Decimal(value), currency),
        "object_type": object_type_label,
        "region_code": lambda value: row_name(session, Department, value),
        "procedure_type_code": lambda value: row_name(session, ProcedureType, value),
        "buyer_id": lambda value: row_name(session, Buyer, int(value)),
        "awards": awards_text,
    }
    return formats.get(field, str)


def _shown(show, value: str | None) -> str:
    if value is None:
        return MISSING
    try:
        return show(value)
    except (ValueError, ArithmeticError, KeyError):
        return value


def _utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
