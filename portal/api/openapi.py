"""The OpenAPI 3 description of API v1, written by hand to match portal/api/views.py."""

from portal.deadlines.checks import DEADLINE_CHECKS
from portal.feeds.ocds_deadline import MINIMUM_TENDER_PERIOD
from portal.opportunities.enums import AWARD_STATUSES, ChangeKind
from portal.search.params import (
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    OBJECT_TYPES,
    SIZE_CLASSES,
    STATUSES,
)

NULLABLE_STRING = {"type": "string", "nullable": True}
DATE_TIME = {"type": "string", "format": "date-time", "nullable": True}
DECIMAL = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "nullable": True}


def nullable_enum(values) -> dict:
    """OpenAPI 3.0.3: `nullable` does not widen an `enum`, so null must be one of its values
    (validators refuse a null that the enum leaves out)."""
    return {"type": "string", "enum": [*values, None], "nullable": True}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _list(name: str, items: dict, description: str) -> dict:
    parameter = _query(name, {"type": "array", "items": items}, description)
    return parameter | {"style": "form", "explode": True}


CURSOR = _query(
    "cursor", {"type": "string"}, "Opaque cursor from the `next` link of the previous page."
)
PER_PAGE = _query(
    "per_page",
    {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
    "Rows per page.",
)
QUERY = _query(
    "q",
    {"type": "string", "maxLength": MAX_QUERY_LENGTH},
    "Words that must all appear in the notice (title, description, buyer's name, acronym or RUC, "
    "department, or a code such as the nomenclature or ocid), matched by the search index as "
    "on the search page: Spanish stems, accents and case folded (`adquisicion` finds "
    "`Adquisición`, `uniforme` finds `uniformes`), stop words ignored.",
)
PLAN_QUERY = _query(
    "q",
    {"type": "string", "maxLength": MAX_QUERY_LENGTH},
    "Words that must all appear in a line, matched by the search index as on the search page "
    "(Spanish stems, accents and case folded, stop words ignored; whole words, not "
    "substrings); only matching lines are listed.",
)
BUYER = _list(
    "buyer", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "Buyer ids (any of)."
)
REGION = _list(
    "region", {"type": "string", "pattern": "^[0-9]{2}$"}, "UBIGEO department codes (any of)."
)
SECTOR = _list(
    "sector",
    {"type": "string", "pattern": "^[0-9]{8}$"},
    "UNSPSC segment (NN000000) or family (NNNN0000) codes (any of).",
)
OBJECT_TYPE = _list(
    "object_type", {"type": "string", "enum": list(OBJECT_TYPES)}, "Object types (any of)."
)
PROCEDURE = _list(
    "procedure",
    {"type": "string", "pattern": "^[A-Za-z0-9]{1,10}$"},
    "Procedure type codes (any of).",
)
AMOUNT = {"type": "string", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,2})?$"}
VALUE_MIN = _query("value_min", AMOUNT, "Minimum estimated value.")
VALUE_MAX = _query("value_max", AMOUNT, "Maximum estimated value.")
SIZE = _query(
    "size",
    {"type": "string", "enum": list(SIZE_CLASSES)},
    "Suitable for this company size: estimated value at most half the class's legal annual "
    "sales ceiling, with the UIT of the year in force.",
)
DEADLINE_CHECK = _list(
    "deadline_check",
    {"type": "string", "enum": list(DEADLINE_CHECKS)},
    "`short`: calls giving fewer days than their minimum (`short_deadline`); `enough`: calls "
    "giving at least their minimum (any of).",
)
PUBLISHED_WITHIN = _query(
    "published_within",
    {"type": "integer", "minimum": 1, "maximum": 3650},
    "Published in the last N days.",
)

OPPORTUNITY_PARAMETERS = [
    QUERY,
    SECTOR,
    REGION,
    BUYER,
    OBJECT_TYPE,
    PROCEDURE,
    _list(
        "status",
        {"type": "string", "enum": [*STATUSES, "all"]},
        "Statuses (any of); default open; `all` lifts the filter.",
    ),
    VALUE_MIN,
    VALUE_MAX,
    PUBLISHED_WITHIN,
    _query(
        "closing_within",
        {"type": "integer", "minimum": 0, "maximum": 3650},
        "Deadline within the next N days; 0: closing today (Lima date), still ahead.",
    ),
    SIZE,
    DEADLINE_CHECK,
]
SORT = _query(
    "sort",
    {"type": "string", "enum": ["relevance", "closing", "published", "value", "value_asc"]},
    "Order of the results. `closing`: deadlines still ahead, soonest first; then those "
    "passed, latest first; then notices without a deadline.",
)
LISTING_SORT = SORT | {
    "description": "Order; `relevance` lists newest first here, as a cursor needs keys that "
    "stay put when notices are added (scores move)."
}

PLAN_PARAMETERS = [
    PLAN_QUERY,
    BUYER,
    _list(
        "region",
        {"type": "string", "pattern": "^[0-9]{2}$"},
        "UBIGEO department codes (any of), of the line, as the search page filters forecasts.",
    ),
    _query("year", {"type": "integer", "minimum": 1990, "maximum": 2100}, "Fiscal year."),
    SECTOR | {"description": "Lines whose classification code is in these UNSPSC codes."},
    OBJECT_TYPE,
    PROCEDURE,
    VALUE_MIN,
    VALUE_MAX,
    SIZE,
    PUBLISHED_WITHIN | {"description": "Plan version published in the last N days."},
    _list("kind", {"type": "string", "enum": ["plan_line"]}, "Only `plan_line` applies."),
    PER_PAGE,
    CURSOR,
]

BUYER_SCHEMA = {
    "type": "object",
    "nullable": True,
    "required": ["id", "name", "ruc"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "ruc": NULLABLE_STRING},
}

AWARD_SCHEMA = {
    "type": "object",
    "description": "Who won and for how much, as the source states it. `amount` is the "
    "award's, null when the source gives none; a joint award lists every supplier.",
    "required": ["status", "amount", "currency", "suppliers"],
    "properties": {
        "id": NULLABLE_STRING,
        "status": {"type": "string", "enum": list(AWARD_STATUSES)},
        "date": DATE_TIME,
        "amount": DECIMAL,
        "currency": {"type": "string"},
        "suppliers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "ruc": NULLABLE_STRING,
                    "identifier": NULLABLE_STRING,
                },
            },
        },
    },
}

OPPORTUNITY_SCHEMA = {
    "type": "object",
    "required": [
        "id",
        "title",
        "status",
        "estimated_value",
        "published_at",
        "deadline_at",
        "html_url",
    ],
    "properties": {
        "id": {"type": "integer"},
        "ocid": NULLABLE_STRING,
        "title": {"type": "string"},
        "description": {
            "type": "string",
            "description": "In lists, a snippet: the first 300 characters, cut at a word and "
            "ended with “…”. In /opportunities/{id}, the whole description as stored (sources' "
            "text beyond 20,000 characters is cut the same way).",
        },
        "status": {"type": "string", "enum": list(STATUSES)},
        "object_type": nullable_enum(OBJECT_TYPES),  # null for notices from RSS and Atom
        "procedure_type": NULLABLE_STRING,
        "procedure_text": NULLABLE_STRING,
        "region": NULLABLE_STRING,
        "buyer": BUYER_SCHEMA,
        "estimated_value": DECIMAL,
        "currency": {"type": "string"},
        "published_at": DATE_TIME,
        "deadline_at": DATE_TIME,
        "first_seen_at": DATE_TIME,
        "updated_at": DATE_TIME,
        "url": NULLABLE_STRING,
        "plan_line_id": {"type": "integer", "nullable": True},
        "minimum_days": {
            "type": "integer",
            "nullable": True,
            "description": "Minimum time between call and bid deadline for this procedure: the "
            "legal one, or the portal's floor for procedures without one (`minimum_basis`). "
            "Null for direct contracting (no call window) or when no floor is set.",
        },
        "minimum_day_kind": nullable_enum(["business", "calendar"]),
        "minimum_basis": nullable_enum(["legal", "admin"]),
        "given_days": {
            "type": "integer",
            "nullable": True,
            "description": "Days this call gives, counted as the minimum is (business days: "
            "Monday to Friday without Peru's public holidays, from the day after publication "
            "to the deadline, Lima dates). Null when either date is unknown or the deadline is "
            "not after publication.",
        },
        "short_deadline": {
            "type": "boolean",
            "description": "The call gives fewer days than its minimum.",
        },
        "classifications": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["scheme", "code"],
                "properties": {
                    "scheme": {"type": "string"},
                    "code": {"type": "string"},
                    "description": NULLABLE_STRING,
                },
            },
        },
        "awards": {"type": "array", "items": AWARD_SCHEMA},
        "html_url": {"type": "string", "format": "uri"},
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["changed_at", "kind", "field"],
                "properties": {
                    "changed_at": DATE_TIME,
                    "kind": {"type": "string", "enum": [kind.value for kind in ChangeKind]},
                    "field": {"type": "string"},
                    "old_value": NULLABLE_STRING,
                    "new_value": NULLABLE_STRING,
                },
            },
        },
    },
}

PLAN_LINE_SCHEMA = {
    "type": "object",
    "required": ["id", "reference_number", "description", "planned_month", "estimated_value"],
    "properties": {
        "id": {"type": "integer"},
        "reference_number": {"type": "string"},
        "description": {"type": "string"},
        "object_type": {"type": "string", "enum": list(OBJECT_TYPES)},
        "procedure_type": NULLABLE_STRING,
        "classification_code": NULLABLE_STRING,
        "estimated_value": DECIMAL,
        "currency": {"type": "string"},
        "planned_month": {"type": "integer", "minimum": 1, "maximum": 12},
        "region": NULLABLE_STRING,
    },
}

PLAN_SCHEMA = {
    "type": "object",
    "required": ["id", "buyer", "fiscal_year", "version", "lines", "html_url"],
    "properties": {
        "id": {"type": "integer"},
        "buyer": BUYER_SCHEMA,
        "fiscal_year": {"type": "integer"},
        "version": {"type": "integer", "minimum": 1},
        "published_at": DATE_TIME,
        "lines": {"type": "array", "items": PLAN_LINE_SCHEMA},
        "html_url": {"type": "string", "format": "uri"},
    },
}

RELEASE_PACKAGE_SCHEMA = {
    "type": "object",
    "required": ["uri", "version", "publishedDate", "publisher", "license", "releases"],
    "properties": {
        "uri": {"type": "string", "format": "uri"},
        "version": {"type": "string", "enum": ["1.1"]},
        "publishedDate": {"type": "string", "format": "date-time"},
        "publisher": {"type": "object", "required": ["name"]},
        "license": {"type": "string"},
        "extensions": {
            "type": "array",
            "description": "The extension.json of each field beyond OCDS 1.1: "
            "`tender.minimumTenderPeriod`.",
            "items": {"type": "string", "format": "uri"},
        },
        "releases": {
            "type": "array",
            "minItems": 1,  # as OCDS 1.1.5's release package schema requires
            "items": {
                "type": "object",
                "required": ["ocid", "id", "date", "tag", "initiationType", "tender"],
                "properties": {
                    "tender": {
                        "type": "object",
                        "properties": {"minimumTenderPeriod": MINIMUM_TENDER_PERIOD},
                    },
                    "ocid": {
                        "type": "string",
                        "description": "The source's ocid, else `ocds-compras-mype-` with the "
                        "source key and a digest of the notice's reference at the source: "
                        "stable across database rebuilds.",
                    },
                    "tag": {
                        "type": "array",
                        "description": "`planning` (forecast), `tenderCancellation` "
                        "(cancelled), `award` (awarded, with awards), else `tender`.",
                        "items": {"type": "string"},
                    },
                    "parties": {
                        "type": "array",
                        "description": "The buyer and the suppliers; ids are "
                        "`{identifier.scheme}-{identifier.id}` (`PE-RUC-20131705434`).",
                        "items": {"type": "object", "required": ["id", "roles"]},
                    },
                    "awards": {
                        "type": "array",
                        "description": "OCDS awards: suppliers reference `parties` with the "
                        "role `supplier`; `value.amount` is a number.",
                        "items": {"type": "object", "required": ["id", "status", "suppliers"]},
                    },
                },
            },
        },
    },
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["field", "message"],
            "properties": {"field": NULLABLE_STRING, "message": {"type": "string"}},
        }
    },
}


def _page_of(schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["data", "next"],
        "properties": {
            "data": {"type": "array", "items": schema},
            "next": {"type": "string", "format": "uri", "nullable": True},
        },
    }


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


BAD_REQUEST = _json("Invalid parameter", ERROR_SCHEMA)


NOT_FOUND = _json("No such resource", ERROR_SCHEMA)


def openapi_document(export_limit: int) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Compras MYPE API",
            "version": "1.0.0",
            "description": "Read-only access to procurement opportunities and annual plans (PAC). "
            "Times are ISO 8601 in UTC; amounts are decimal strings. A parameter sent with an "
            "empty value counts as not sent, as the search form sends empty choices. Every "
            "error, an unknown path or method included, answers a JSON `error` object.",
        },
        "paths": {
            "/api/v1/opportunities": {
                "get": {
                    "operationId": "listOpportunities",
                    "summary": "Opportunities matching the search filters, cursor-paged",
                    "description": "The notices the search page finds for the same parameters "
                    "(with or without `q`), read through the same search index.",
                    "parameters": [*OPPORTUNITY_PARAMETERS, LISTING_SORT, PER_PAGE, CURSOR],
                    "responses": {
                        "200": _json("A page of opportunities", _page_of(OPPORTUNITY_SCHEMA)),
                        "400": BAD_REQUEST,
                    },
                }
            },
            "/api/v1/opportunities.ocds.json": {
                "get": {
                    "operationId": "exportOpportunitiesOcds",
                    "summary": "The search page's results as an OCDS 1.1 release package",
                    "description": "Every hit of the search, in the search page's order, up to "
                    f"{export_limit} releases (the deployment's PORTAL_EXPORT_LIMIT); the "
                    "page's paging does not apply. Page through larger result sets with "
                    "/api/v1/opportunities.",
                    "parameters": [*OPPORTUNITY_PARAMETERS, SORT],
                    "responses": {
                        "200": _json("An OCDS release package", RELEASE_PACKAGE_SCHEMA),
                        "400": BAD_REQUEST,
                        "404": _json(
                            "No opportunity matches the search: an OCDS 1.1 release package "
                            "holds at least one release, so there is none to give",
                            ERROR_SCHEMA,
                        ),
                    },
                }
            },
            "/api/v1/opportunities/{opportunity_id}": {
                "get": {
                    "operationId": "getOpportunity",
                    "summary": "One opportunity with its change history",
                    "parameters": [
                        {
                            "name": "opportunity_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 0},
                        }
                    ],
                    "responses": {
                        "200": _json(
                            "The opportunity",
                            {
                                "type": "object",
                                "required": ["data"],
                                "properties": {"data": OPPORTUNITY_SCHEMA},
                            },
                        ),
                        "404": _json("No such opportunity", ERROR_SCHEMA),
                    },
                }
            },
            "/api/v1/plans": {
                "get": {
                    "operationId": "listPlans",
                    "summary": "Latest plan versions, cursor-paged; filters keep matching lines",
                    "description": "The plans, in id order, holding at least one line that the "
                    "search page finds for the same parameters, each with those lines. Search "
                    "parameters plans do not have (status, closing_within, sort, page, "
                    "deadline_check, a kind other than plan_line) are refused with 400.",
                    "parameters": PLAN_PARAMETERS,
                    "responses": {
                        "200": _json("A page of plans", _page_of(PLAN_SCHEMA)),
                        "400": BAD_REQUEST,
                    },
                }
            },
        },
    }
