"""What the detail page says about a notice beyond its fields: change labels, lead-time trust."""

from flask_babel import lazy_gettext as _l

from portal.opportunities.models import ChangeKind, Opportunity

CHANGE_KIND_LABELS = {
    ChangeKind.DEADLINE_EXTENDED: _l("Plazo ampliado"),
    ChangeKind.DEADLINE_SHORTENED: _l("Plazo acortado"),
    ChangeKind.STATUS_CHANGED: _l("Cambio de estado"),
    ChangeKind.VALUE_CHANGED: _l("Cambio de valor estimado"),
    ChangeKind.DETAILS_CHANGED: _l("Cambio en los detalles"),
}


def change_kind_label(kind: ChangeKind | str) -> str:
    return str(CHANGE_KIND_LABELS[ChangeKind(kind)])


def lead_time_unreliable(opportunity: Opportunity) -> bool:
    """A deadline at or before publication means the source's dates cannot be trusted."""
    lead = opportunity.lead_time_days()
    return lead is not None and lead <= 0
