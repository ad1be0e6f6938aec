"""The flag as the search filters and counts it: one value per notice, kept in an index
column (portal.search), which every listing (page, API, feeds, exports) and the alert matcher
filter on."""

SHORT = "short"  # gives fewer days than its minimum
ENOUGH = "enough"  # gives at least its minimum
DEADLINE_CHECKS = (SHORT, ENOUGH)  # "" (no minimum, or dates unknown) is neither


def deadline_check(short_deadline: bool, given_days: int | None) -> str:
    """SHORT, ENOUGH, or "" when there is no minimum or the days given are unknown."""
    if short_deadline:
        return SHORT
    return ENOUGH if given_days is not None else ""
