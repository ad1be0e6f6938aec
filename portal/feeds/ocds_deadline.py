"""The short-deadline flag in the OCDS export, as an OCDS extension of the portal's own.

OCDS 1.1 has no field for the minimum time a law gives bidders, so the export adds
`tender.minimumTenderPeriod` and names this extension in the package's `extensions`. The
extension is served by the portal (`/ocds/extensiones/plazo-minimo/`): `extension.json` and
the JSON Merge Patch of the release schema it names, built from the schema below, which the
OpenAPI document also shows. The values are the stored columns (portal.deadlines), never
recomputed here.
"""

from portal.deadlines.checks import ENOUGH, SHORT, deadline_check
from portal.deadlines.rules import ADMIN, BUSINESS, CALENDAR, LEGAL
from portal.opportunities.models import Opportunity

FIELD = "minimumTenderPeriod"
MINIMUM_TENDER_PERIOD = {
    "title": "Minimum tender period",
    "description": "The least time between the call and the bid deadline that the call's "
    "procedure must give (`basis` `legal`: its legal minimum under Peruvian procurement law; "
    "`admin`: the floor the portal's administrators set for procedures without one), the days "
    "this call gives counted the same way (from the day after publication to the deadline's "
    "day, Lima dates; business days leave out weekends, Peru's public holidays and the "
    "non-working days the administrators recorded) and whether it gives fewer. Absent when no "
    "minimum applies (direct contracting, or no legal minimum and no floor).",
    "type": "object",
    "required": ["days", "dayType", "basis"],
    "properties": {
        "days": {"type": "integer", "minimum": 1, "description": "The minimum, in `dayType`."},
        "dayType": {"type": "string", "enum": [BUSINESS, CALENDAR]},
        "basis": {"type": "string", "enum": [LEGAL, ADMIN]},
        "givenDays": {
            "type": "integer",
            "minimum": 0,
            "description": "Days this call gives, in `dayType`; absent when its publication or "
            "deadline is unknown or the deadline is not after the publication.",
        },
        "belowMinimum": {
            "type": "boolean",
            "description": "`givenDays` is below `days` (the portal's short-deadline flag); "
            "absent with `givenDays`.",
        },
    },
}
RELEASE_SCHEMA_PATCH = {
    "definitions": {
        "Tender": {
            "properties": {
                FIELD: {
                    "title": MINIMUM_TENDER_PERIOD["title"],
                    "description": MINIMUM_TENDER_PERIOD["description"],
                    "$ref": "#/definitions/MinimumTenderPeriod",
                }
            }
        },
        "MinimumTenderPeriod": MINIMUM_TENDER_PERIOD,
    }
}


def extension_metadata(documentation_url: str) -> dict:
    """extension.json: its release schema patch sits beside it, as OCDS extensions list it."""
    return {
        "name": {"en": "Minimum tender period", "es": "Plazo mínimo para ofertas"},
        "description": {
            "en": "Adds tender.minimumTenderPeriod: the least time the law (or the portal, for "
            "procedures without a legal minimum) requires between call and bid deadline, the "
            "days the call gives, and whether it gives fewer.",
            "es": "Añade tender.minimumTenderPeriod: el plazo mínimo que exige la ley (o el "
            "portal, para procedimientos sin plazo legal) entre la convocatoria y el cierre de "
            "ofertas, los días que da la convocatoria y si da menos.",
        },
        "documentationUrl": {"en": documentation_url, "es": documentation_url},
        "compatibility": ["1.1"],
        "schemas": ["release-schema.json"],
    }


def minimum_tender_period(opportunity: Opportunity) -> dict | None:
    """The field for one notice, None when no minimum applies. `belowMinimum` follows the
    search's deadline_check, so a search for short deadlines exports exactly the releases
    with `belowMinimum: true`."""
    if opportunity.minimum_days is None or opportunity.minimum_day_kind is None:
        return None
    period = {
        "days": opportunity.minimum_days,
        "dayType": opportunity.minimum_day_kind,
        "basis": opportunity.minimum_basis or LEGAL,
    }
    check = deadline_check(bool(opportunity.short_deadline), opportunity.given_days)
    if check in (SHORT, ENOUGH) and opportunity.given_days is not None:
        period["givenDays"] = opportunity.given_days
        period["belowMinimum"] = check == SHORT
    return period
