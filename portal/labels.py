"""Spanish (translatable) names for the domain's enum values, shared by pages, feeds and mail."""

from flask_babel import lazy_gettext as _l

from portal.opportunities.models import ObjectType, OpportunityStatus

OBJECT_TYPE_LABELS = {
    ObjectType.GOODS: _l("Bienes"),
    ObjectType.SERVICES: _l("Servicios"),
    ObjectType.WORKS: _l("Obras"),
    ObjectType.CONSULTING: _l("Consultoría de obras"),
}

STATUS_LABELS = {
    OpportunityStatus.OPEN: _l("Abierta"),
    OpportunityStatus.CLOSED: _l("Cerrada"),
    OpportunityStatus.AWARDED: _l("Adjudicada"),
    OpportunityStatus.CANCELLED: _l("Cancelada"),
    OpportunityStatus.DESERTED: _l("Desierta"),
    OpportunityStatus.PLANNED: _l("Prevista"),
    OpportunityStatus.SUSPENDED: _l("Suspendida"),
    OpportunityStatus.WITHDRAWN: _l("Retirada"),
}


def object_type_label(value: ObjectType | str) -> str:
    return str(OBJECT_TYPE_LABELS[ObjectType(value)])


def status_label(value: OpportunityStatus | str) -> str:
    return str(STATUS_LABELS[OpportunityStatus(value)])
