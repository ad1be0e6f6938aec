"""An opportunity's closed vocabularies, apart from its tables.

Parsers build records with these in a child process (scrapers.parse_worker), which should not
have to load SQLAlchemy and Flask to name a status.
"""

import enum


class ObjectType(enum.StrEnum):
    GOODS = "goods"
    SERVICES = "services"
    WORKS = "works"
    CONSULTING = "consulting"


class OpportunityStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    AWARDED = "awarded"
    CANCELLED = "cancelled"
    DESERTED = "deserted"
    # A forecast published as a tender (OCDS `planned`): early notice, not yet an open call.
    PLANNED = "planned"
    # Bidding paused by the buyer or the supervisor (SEACE "suspendido"); it may resume.
    SUSPENDED = "suspended"
    # Taken down by its publisher (an Atom deletion tombstone, OCDS `withdrawn`).
    WITHDRAWN = "withdrawn"


# The OCDS award status codelist, as `opportunity_awards.status` holds it.
AWARD_STATUSES = ("pending", "active", "cancelled", "unsuccessful")


class ChangeKind(enum.StrEnum):
    DEADLINE_EXTENDED = "deadline_extended"
    DEADLINE_SHORTENED = "deadline_shortened"
    STATUS_CHANGED = "status_changed"
    VALUE_CHANGED = "value_changed"
    DETAILS_CHANGED = "details_changed"
