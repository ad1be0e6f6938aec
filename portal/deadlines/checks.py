"""The flag as the search filters and counts it: one value per notice, kept in an index
column (portal.search) and stated in SQL (portal.opportunities.filters) side by side here, so
the two cannot drift apart."""

from sqlalchemy import ColumnElement, false, or_

from portal.opportunities.models import Opportunity

SHORT = "short"  # gives fewer days than its minimum
ENOUGH = "enough"  # gives at least its minimum
DEADLINE_CHECKS = (SHORT, ENOUGH)  # "" (no minimum, or dates unknown) is neither


def deadline_check(short_deadline: bool, given_days: int | None) -> str:
    """SHORT, ENOUGH, or "" when there is no minimum or the days given are unknown."""
    if short_deadline:
        return SHORT
    return ENOUGH if given_days is not None else ""


def deadline_check_condition(checks: tuple[str, ...]) -> ColumnElement[bool]:
    """SQL for "the notice's deadline_check is one of `checks`"."""
    conditions = []
    if SHORT in checks:
        conditions.append(Opportunity.short_deadline.is_(True))
    if ENOUGH in checks:
        conditions.append(
            Opportunity.short_deadline.is_(False) & Opportunity.given_days.is_not(None)
        )
    return or_(false(), *conditions)
