"""Rows as JSON: times in ISO 8601 UTC, amounts as decimal strings so no cent is lost."""

from datetime import UTC, datetime
from decimal import Decimal

from flask import url_for

from portal.excerpts import excerpt
from portal.opportunities.awards import Award, awards_of
from portal.opportunities.models import Opportunity
from portal.plans.models import AnnualPlan, PlanLine

SNIPPET_CHARS = 300  # of a description, in lists: a line or two, as the search page shows


def iso_utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _buyer(buyer) -> dict | None:
    if buyer is None:
        return None
    return {"id": buyer.id, "name": buyer.name, "ruc": buyer.ruc}


def award_json(award: Award) -> dict:
    """One award with all its suppliers (a consortium's members, say)."""
    return {
        "id": award.source_award_id,
        "status": award.status,
        "date": iso_utc(award.awarded_at),
        "amount": amount(award.amount),
        "currency": award.currency,
        "suppliers": [
            {"name": winner.name, "ruc": winner.ruc, "identifier": winner.identifier}
            for winner in award.winners
        ],
    }


def opportunity_json(opportunity: Opportunity, with_changes: bool = False) -> dict:
    """A list's item carries a snippet of the description; the detail (`with_changes`) carries
    the whole description as stored (at most 20,000 characters) and the changes."""
    description = opportunity.description or ""
    data = {
        "id": opportunity.id,
        "ocid": opportunity.ocid,
        "title": opportunity.title,
        "description": description if with_changes else excerpt(description, SNIPPET_CHARS),
        "status": opportunity.status.value,
        "object_type": opportunity.object_type.value if opportunity.object_type else None,
        "procedure_type": opportunity.procedure_type_code,
        "procedure_text": opportunity.procedure_text,
        "region": opportunity.region_code,
        "buyer": _buyer(opportunity.buyer),
        "estimated_value": amount(opportunity.estimated_value),
        "currency": opportunity.currency,
        "published_at": iso_utc(opportunity.published_at),
        "deadline_at": iso_utc(opportunity.deadline_at),
        "first_seen_at": iso_utc(opportunity.first_seen_at),
        "updated_at": iso_utc(opportunity.updated_at),
        "url": opportunity.url,
        "plan_line_id": opportunity.plan_line_id,
        # portal.deadlines: the minimum between call and bids and the days this call gives
        "minimum_days": opportunity.minimum_days,
        "minimum_day_kind": opportunity.minimum_day_kind,
        "minimum_basis": opportunity.minimum_basis,
        "given_days": opportunity.given_days,
        "short_deadline": opportunity.short_deadline,
        "classifications": [
            {"scheme": item.scheme, "code": item.code, "description": item.description}
            for item in opportunity.classifications
        ],
        "awards": [award_json(award) for award in awards_of(opportunity.awards)],
        "html_url": url_for("opportunities.detail", opportunity_id=opportunity.id, _external=True),
    }
    if with_changes:
        data["changes"] = [
            {
                "changed_at": iso_utc(change.changed_at),
                "kind": change.kind.value,
                "field": change.field,
                "old_value": change.old_value,
                "new_value": change.new_value,
            }
            for change in opportunity.changes
        ]
    return data


def plan_line_json(line: PlanLine) -> dict:
    return {
        "id": line.id,
        "reference_number": line.reference_number,
        "description": line.description,
        "object_type": line.object_type.value,
        "procedure_type": line.procedure_type_code,
        "classification_code": line.classification_code,
        "estimated_value": amount(line.estimated_value),
        "currency": line.currency,
        "planned_month": line.planned_month,
        "region": line.region_code,
    }


def plan_json(plan: AnnualPlan, lines: list[PlanLine]) -> dict:
    return {
        "id": plan.id,
        "buyer": _buyer(plan.buyer),
        "fiscal_year": plan.fiscal_year,
        "version": plan.version,
        "published_at": iso_utc(plan.published_at),
        "lines": [plan_line_json(line) for line in lines],
        "html_url": url_for(
            "plans.plan", buyer_id=plan.buyer_id, year=plan.fiscal_year, _external=True
        ),
    }
