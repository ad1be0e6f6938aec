"""One call's minimum, the days it gives and the flag: the five stored columns."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from portal.deadlines.business_days import business_days_after, calendar_days_after, lima_date
from portal.deadlines.rules import BUSINESS, DeadlineRules

# A bid window longer than this is a data error (a year typed wrong), not a generous call:
# its days are left unknown, which also keeps a hostile date from costing a holiday build per
# year up to 9999.
MAX_TRUSTED_SPAN_DAYS = 731


@dataclass(frozen=True)
class DeadlineAssessment:
    minimum_days: int | None = None
    minimum_day_kind: str | None = None
    minimum_basis: str | None = None
    given_days: int | None = None  # counted in minimum_day_kind; None: unknown or no minimum
    short_deadline: bool = False

    def columns(self) -> dict:
        """As opportunity columns (a plain dict: `asdict` costs ingest 4x as much)."""
        return {
            "minimum_days": self.minimum_days,
            "minimum_day_kind": self.minimum_day_kind,
            "minimum_basis": self.minimum_basis,
            "given_days": self.given_days,
            "short_deadline": self.short_deadline,
        }


NOT_ASSESSED = DeadlineAssessment()


def days_given(
    published_at: datetime | None,
    deadline_at: datetime | None,
    day_kind: str,
    non_working: Sequence[date] = (),
) -> int | None:
    """Days from the call to the deadline in `day_kind`; None when either time is unknown or
    the deadline is not after the call (sources such as Peru's OCDS often write the call's own
    date there: the real deadline is in the call's schedule, so nothing can be said).
    Business days also leave out the decreed `non_working` days (DeadlineRules')."""
    if published_at is None or deadline_at is None or deadline_at <= published_at:
        return None
    start, end = lima_date(published_at), lima_date(deadline_at)
    if (end - start).days > MAX_TRUSTED_SPAN_DAYS:
        return None
    if day_kind == BUSINESS:
        return business_days_after(start, end, non_working)
    return calendar_days_after(start, end)


def assess(
    rules: DeadlineRules,
    procedure_code: str | None,
    published_at: datetime | None,
    deadline_at: datetime | None,
) -> DeadlineAssessment:
    minimum = rules.minimum_for(procedure_code)
    if minimum is None:
        return NOT_ASSESSED
    given = days_given(published_at, deadline_at, minimum.day_kind, rules.non_working)
    return DeadlineAssessment(
        minimum_days=minimum.days,
        minimum_day_kind=minimum.day_kind,
        minimum_basis=minimum.basis,
        given_days=given,
        short_deadline=given is not None and given < minimum.days,
    )


def deadline_columns(
    rules: DeadlineRules,
    procedure_code: str | None,
    published_at: datetime | None,
    deadline_at: datetime | None,
) -> dict:
    """The opportunity columns minimum_days, minimum_day_kind, minimum_basis, given_days and
    short_deadline for one notice, ready for an insert or update."""
    return assess(rules, procedure_code, published_at, deadline_at).columns()
