"""What each alert says, kind by kind: the facts of a notice or plan line, already worded in
the reader's language, so the mail templates only lay them out.

Build inside `flask_babel.force_locale(user.language)` and an app context (links are absolute).
"""

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, joinedload, lazyload

from notifications.change_text import ChangeText, change_text
from notifications.formatting import (
    MISSING,
    lima_date,
    lima_datetime,
    money,
    planned_month,
    procedure_name,
    row_name,
    time_left,
)
from notifications.models import AlertDelivery, DeliveryKind
from portal.alert_links.tokens import follow_url
from portal.deadlines.display import deadline_summary
from portal.labels import object_type_label, status_label
from portal.opportunities.display import change_kind_label
from portal.opportunities.models import Opportunity, OpportunityChange, OpportunityStatus
from portal.plans.display import line_url
from portal.plans.models import AnnualPlan, PlanLine
from portal.reference.models import Department, ProcedureType
from portal.security.links import safe_href
from portal.subscriptions.models import SavedOpportunity, Subscription

KIND_HEADINGS = {
    DeliveryKind.MATCH: _l("Nueva convocatoria"),
    DeliveryKind.FORECAST: _l("Pronóstico del plan anual"),
    DeliveryKind.FOLLOW_UP: _l("Convocatoria que cumple un pronóstico que le avisamos"),
    DeliveryKind.CHANGE: _l("Cambio en un proceso que sigue"),
    DeliveryKind.REMINDER: _l("Recordatorio de plazo"),
}


@dataclass(frozen=True)
class AlertItem:
    kind: DeliveryKind
    heading: str
    title: str
    page_url: str  # the opportunity's (or plan line's) page on the portal
    facts: tuple[tuple[str, str], ...]
    reason: str = ""  # why the reader gets it: which alert matched, or that they follow it
    changes: tuple[ChangeText, ...] = ()
    note: str = ""
    note_url: str | None = None
    official_url: str | None = None  # the source's own page, http(s) only
    follow_url: str | None = None  # only for open processes the reader doesn't follow yet
    closes_at: datetime | None = None  # the deadline of an open process
    published_at: datetime | None = None
    short_deadline: str = ""  # why the call's deadline is short (portal.deadlines), if it is


@dataclass(frozen=True)
class Subjects:
    """Everything the deliveries of one message name, loaded in a handful of queries."""

    opportunities: dict[int, Opportunity]
    plan_lines: dict[int, PlanLine]
    changes: dict[int, OpportunityChange]
    subscriptions: dict[int, Subscription]
    followed: frozenset[int]


def load_subjects(session: Session, user_id: int, deliveries: list[AlertDelivery]) -> Subjects:
    """A query per kind of row the deliveries name, none for a kind they don't: composing is
    on the sender's path, which must keep up with thousands of messages a minute."""

    def ids(attribute: str) -> set[int]:
        return {value for d in deliveries if (value := getattr(d, attribute)) is not None}

    opportunities, followed = _opportunities(session, user_id, ids("opportunity_id"))
    follow_ups = {d.opportunity_id for d in deliveries if d.kind == DeliveryKind.FOLLOW_UP}
    line_ids = ids("plan_line_id") | {
        line_id for id_ in follow_ups if (line_id := opportunities[id_].plan_line_id) is not None
    }
    lines = _by_id(
        session,
        PlanLine,
        line_ids,
        joinedload(PlanLine.plan).joinedload(AnnualPlan.buyer),
    )
    # Only the user's own: a delivery can never lead to a link that stops someone else's alert.
    subscriptions = {
        id_: subscription
        for id_, subscription in _by_id(session, Subscription, ids("subscription_id")).items()
        if subscription.user_id == user_id
    }
    return Subjects(
        opportunities=opportunities,
        plan_lines=lines,
        changes=_by_id(session, OpportunityChange, ids("change_id")),
        subscriptions=subscriptions,
        followed=followed,
    )


def _opportunities(
    session: Session, user_id: int, ids: set[int]
) -> tuple[dict[int, Opportunity], frozenset[int]]:
    """The opportunities with what the facts show, and which of them the user follows."""
    if not ids:
        return {}, frozenset()
    followed_by_user = and_(
        SavedOpportunity.opportunity_id == Opportunity.id,
        SavedOpportunity.user_id == user_id,
        SavedOpportunity.follow_changes.is_(True),
    )
    rows = session.execute(
        select(Opportunity, SavedOpportunity.user_id)
        .outerjoin(SavedOpportunity, followed_by_user)
        .where(Opportunity.id.in_(ids))
        .options(
            joinedload(Opportunity.buyer),
            joinedload(Opportunity.region),
            joinedload(Opportunity.procedure_type),
            lazyload(Opportunity.classifications),
        )
    ).unique()
    opportunities, followed = {}, set()
    for opportunity, follower in rows:
        opportunities[opportunity.id] = opportunity
        if follower is not None:
            followed.add(opportunity.id)
    return opportunities, frozenset(followed)


def _by_id(session: Session, model, ids: set[int], *options) -> dict:
    if not ids:
        return {}
    query = select(model).where(model.id.in_(ids)).options(*options)
    return {row.id: row for row in session.scalars(query).unique()}


def build_items(
    session: Session, deliveries: list[AlertDelivery], subjects: Subjects, now: datetime
) -> list[AlertItem]:
    """One alert per delivery, except that the changes of one process recorded together (a
    deadline moved and a value changed in the same release) make one alert."""
    changes: dict[int, list[OpportunityChange]] = {}
    firsts: list[AlertDelivery] = []
    for delivery in deliveries:
        if delivery.kind == DeliveryKind.CHANGE:
            change = subjects.changes.get(delivery.change_id)
            if delivery.opportunity_id not in changes:
                changes[delivery.opportunity_id] = []
                firsts.append(delivery)
            if change is not None:
                changes[delivery.opportunity_id].append(change)
        else:
            firsts.append(delivery)
    return [
        build_item(
            session,
            delivery,
            subjects,
            now,
            changes[delivery.opportunity_id] if delivery.kind == DeliveryKind.CHANGE else [],
        )
        for delivery in firsts
    ]


def build_item(
    session: Session,
    delivery: AlertDelivery,
    subjects: Subjects,
    now: datetime,
    changes: list[OpportunityChange],
) -> AlertItem:
    """The alert a delivery makes. The database guarantees a delivery names an opportunity
    or a plan line, and deleting either deletes its deliveries."""
    if delivery.opportunity_id is None:
        line = subjects.plan_lines[delivery.plan_line_id]
        return _forecast_item(session, delivery, line, subjects)
    opportunity = subjects.opportunities[delivery.opportunity_id]
    is_open = opportunity.status == OpportunityStatus.OPEN
    heading = str(KIND_HEADINGS[delivery.kind])
    if delivery.kind == DeliveryKind.CHANGE and len(changes) == 1:
        heading = f"{heading} ({change_kind_label(changes[0].kind)})"
    if delivery.kind == DeliveryKind.REMINDER and is_open and opportunity.deadline_at:
        heading = f"{heading} ({time_left(opportunity.deadline_at, now)})"
    note, note_url = "", None
    line = subjects.plan_lines.get(delivery.plan_line_id or opportunity.plan_line_id)
    if delivery.kind == DeliveryKind.FOLLOW_UP and line is not None:
        note, note_url = _fulfilled_forecast(line)
    wants_follow_link = is_open and opportunity.id not in subjects.followed
    return AlertItem(
        kind=delivery.kind,
        heading=heading,
        title=_one_line(opportunity.title),
        page_url=url_for("opportunities.detail", opportunity_id=opportunity.id, _external=True),
        facts=_opportunity_facts(opportunity, now, brief=delivery.kind == DeliveryKind.CHANGE),
        reason=_reason(delivery, subjects),
        changes=tuple(change_text(session, change, opportunity) for change in changes),
        note=note,
        note_url=note_url,
        official_url=safe_href(opportunity.url),
        follow_url=follow_url(delivery.user_id, opportunity.id, now) if wants_follow_link else None,
        closes_at=opportunity.deadline_at if is_open else None,
        published_at=opportunity.published_at,
        short_deadline=_short_deadline(opportunity),
    )


def _forecast_item(
    session: Session, delivery: AlertDelivery, line: PlanLine, subjects: Subjects
) -> AlertItem:
    plan = line.plan
    facts = (
        (_("Entidad"), plan.buyer.name),
        (_("Región"), row_name(session, Department, line.region_code)),
        (_("Procedimiento"), row_name(session, ProcedureType, line.procedure_type_code)),
        (_("Objeto"), object_type_label(line.object_type)),
        (_("Mes previsto"), planned_month(line.planned_month, plan.fiscal_year)),
        (_("Valor estimado"), money(line.estimated_value, line.currency) or _("no publicado")),
    )
    return AlertItem(
        kind=delivery.kind,
        heading=str(KIND_HEADINGS[delivery.kind]),
        title=_one_line(line.description),
        page_url=_plan_line_url(line),
        facts=facts,
        reason=_reason(delivery, subjects),
        note=_("La convocatoria aún no se publica: este es el aviso temprano del plan anual."),
    )


def _opportunity_facts(
    opportunity: Opportunity, now: datetime, brief: bool
) -> tuple[tuple[str, str], ...]:
    """Every fact for a new notice; for a change, the reader knows the process already: who
    buys it and where it stands now."""
    status = [(_("Estado"), status_label(opportunity.status))]
    if brief:
        buyer = opportunity.buyer.name if opportunity.buyer else MISSING
        return (
            *status,
            (_("Entidad"), buyer),
            (_("Plazo para ofertas"), _deadline(opportunity, now)),
        )
    facts = [
        (_("Entidad"), opportunity.buyer.name if opportunity.buyer else MISSING),
        (_("Región"), opportunity.region.name if opportunity.region else MISSING),
        (
            _("Procedimiento"),
            procedure_name(opportunity.procedure_type) or opportunity.procedure_text or MISSING,
        ),
        (
            _("Valor estimado"),
            money(opportunity.estimated_value, opportunity.currency) or _("no publicado"),
        ),
        (
            _("Publicado"),
            lima_date(opportunity.published_at) if opportunity.published_at else MISSING,
        ),
        (_("Plazo para ofertas"), _deadline(opportunity, now)),
    ]
    if (deadline := deadline_summary(opportunity)) is not None:
        facts.append((deadline.label, deadline.value))
    if opportunity.status != OpportunityStatus.OPEN:
        facts = status + facts
    return tuple(facts)


def _deadline(opportunity: Opportunity, now: datetime) -> str:
    deadline = opportunity.deadline_at
    if deadline is None:
        return _("sin fecha publicada")
    when = _("%(when)s (hora de Lima)", when=lima_datetime(deadline))
    if opportunity.status != OpportunityStatus.OPEN:
        return when
    return f"{when} · {time_left(deadline, now)}"


def _short_deadline(opportunity: Opportunity) -> str:
    """The minimum, what the call gives and why it matters: shown apart from the facts, with
    a heading of its own, so the warning never rests on colour alone."""
    deadline = deadline_summary(opportunity)
    if deadline is None or not deadline.short:
        return ""
    return f"{deadline.sentence} {deadline.advice}"


def _reason(delivery: AlertDelivery, subjects: Subjects) -> str:
    subscription = subjects.subscriptions.get(delivery.subscription_id)
    if subscription is not None:
        return _("Coincide con su alerta «%(name)s».", name=subscription.name)
    if delivery.kind == DeliveryKind.CHANGE:
        return _("Le avisamos porque sigue este proceso.")
    if delivery.kind == DeliveryKind.REMINDER:
        return _("Le avisamos porque guardó este proceso en su lista.")
    return ""


def _fulfilled_forecast(line: PlanLine) -> tuple[str, str]:
    plan = line.plan
    note = _(
        "Es la convocatoria de la línea %(number)s del plan anual %(year)d de %(buyer)s, que le "
        "avisamos como pronóstico.",
        number=line.reference_number,
        year=plan.fiscal_year,
        buyer=plan.buyer.name,
    )
    return note, _plan_line_url(line)


def _plan_line_url(line: PlanLine) -> str:
    return line_url(line, version=line.plan.version, external=True)


def _one_line(text: str) -> str:
    """Sources sometimes break titles over lines; a mail subject can't hold a line break."""
    return " ".join(text.split())
