"""Opportunity pages: the detail of one notice (the search page lives in search_views)."""

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_login import current_user

from notifications.change_text import change_text
from portal.db import db
from portal.opportunities.awards import awards_of
from portal.opportunities.display import change_kind_label, lead_time_unreliable
from portal.opportunities.documents import document_type_label
from portal.opportunities.nomenclature import nomenclature_of
from portal.opportunities.queries import get_opportunity, opportunities_by_ids
from portal.plans.queries import plan_notice_days
from portal.reference.sectors import deepest_sector_names
from portal.search.query import similar_opportunities
from portal.subscriptions.operations import saved_entry

blueprint = Blueprint("opportunities", __name__, url_prefix="/oportunidades")


@blueprint.get("/<int(max=2147483647):opportunity_id>")
def detail(opportunity_id: int):
    opportunity = get_opportunity(db.session, opportunity_id)
    if opportunity is None:
        abort(404)
    similar = opportunities_by_ids(db.session, similar_opportunities(opportunity_id, limit=5))
    saved = None
    if current_user.is_authenticated:
        saved = saved_entry(db.session, current_user.id, opportunity_id)
    return render_template(
        "opportunities/detail.html",
        opportunity=opportunity,
        nomenclature=nomenclature_of(opportunity),
        sector_names=deepest_sector_names(
            db.session,
            ((item.scheme, item.code) for item in opportunity.classifications),
            english=str(get_locale()) == "en",
        ),
        similar=similar,
        unreliable_lead_time=lead_time_unreliable(opportunity),
        plan_notice_days=plan_notice_days(opportunity),
        history=[
            (change, change_text(db.session, change, opportunity)) for change in opportunity.changes
        ],
        change_kind_label=change_kind_label,
        document_type_label=document_type_label,
        awards=awards_of(opportunity.awards),
        saved=saved,
        now=datetime.now(UTC),
    )
