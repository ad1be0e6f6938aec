"""Which minimum applies to a call and what the flag says."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.deadlines.assess import NOT_ASSESSED, assess, deadline_columns
from portal.deadlines.rules import DeadlineRules, Minimum, load_rules
from portal.deadlines.settings import admin_floor, save_admin_floor

LIMA = ZoneInfo("America/Lima")
RULES = DeadlineRules(
    legal={
        "AS": Minimum(6, "business", "legal"),
        "LP": Minimum(22, "business", "legal"),
        "XC": Minimum(10, "calendar", "legal"),  # a calendar-day minimum
    },
    floor=None,
)
MONDAY = datetime(2026, 3, 2, 10, tzinfo=LIMA)


def lima(day: int, month: int = 3, hour: int = 17, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LIMA)


def test_a_call_below_its_legal_minimum_is_flagged_with_what_it_gives():
    # Mon 2 Mar -> Fri 6 Mar: four business days for a six-day AS.
    assert deadline_columns(RULES, "AS", MONDAY, lima(6)) == {
        "minimum_days": 6,
        "minimum_day_kind": "business",
        "minimum_basis": "legal",
        "given_days": 4,
        "short_deadline": True,
    }


def test_a_call_giving_exactly_its_minimum_is_not_flagged():
    # Mon 2 -> Tue 10 Mar: 3, 4, 5, 6, 9, 10 are six business days.
    assessment = assess(RULES, "AS", MONDAY, lima(10))
    assert (assessment.given_days, assessment.short_deadline) == (6, False)
    assert assess(RULES, "AS", MONDAY, lima(9)).short_deadline  # five


def test_a_deadline_at_2330_in_lima_counts_on_its_lima_day():
    """Thu 5 Mar 23:30 in Lima is Fri 6 Mar 04:30 UTC: the call gives Tue-Thu (3), not 4."""
    deadline = lima(5, hour=23, minute=30).astimezone(UTC)
    assert deadline.day == 6
    assert assess(RULES, "AS", MONDAY.astimezone(UTC), deadline).given_days == 3


def test_calendar_day_minimums_count_calendar_days():
    # Mon 2 -> Wed 11 Mar: nine calendar days (seven business days) for a ten-day minimum.
    assessment = assess(RULES, "XC", MONDAY, lima(11))
    assert (assessment.minimum_day_kind, assessment.given_days) == ("calendar", 9)
    assert assessment.short_deadline
    assert not assess(RULES, "XC", MONDAY, lima(12)).short_deadline


def test_an_lp_of_thirty_calendar_days_over_fiestas_patrias_is_short():
    assessment = assess(RULES, "LP", lima(6, month=7), lima(5, month=8))
    assert (assessment.given_days, assessment.short_deadline) == (19, True)


def test_direct_contracting_is_never_flagged_even_with_a_floor():
    rules = DeadlineRules(legal=RULES.legal, floor=5)
    assert assess(rules, "CD", MONDAY, lima(3)) == NOT_ASSESSED


@pytest.mark.parametrize("procedure", [None, "ZZ"])
def test_without_a_legal_minimum_only_the_administrators_floor_applies(procedure):
    assert assess(RULES, procedure, MONDAY, lima(3)) == NOT_ASSESSED  # no floor: no flag
    floored = assess(DeadlineRules(legal=RULES.legal, floor=5), procedure, MONDAY, lima(6))
    assert floored.columns() == {
        "minimum_days": 5,
        "minimum_day_kind": "business",
        "minimum_basis": "admin",
        "given_days": 4,
        "short_deadline": True,
    }


@pytest.mark.parametrize(
    ("published", "deadline"),
    [
        (None, lima(6)),
        (MONDAY, None),
        (MONDAY, MONDAY),  # OCDS often writes the call date as the deadline
        (MONDAY, lima(27, month=2)),
        (MONDAY, datetime(2031, 3, 2, tzinfo=LIMA)),  # a year typed wrong
    ],
)
def test_unknown_or_untrustworthy_dates_give_no_days_and_no_flag(published, deadline):
    assessment = assess(RULES, "AS", published, deadline)
    assert (assessment.minimum_days, assessment.minimum_basis) == (6, "legal")
    assert (assessment.given_days, assessment.short_deadline) == (None, False)


def test_a_same_day_deadline_gives_zero_days_and_is_flagged():
    assessment = assess(RULES, "AS", MONDAY, lima(2, hour=18))
    assert (assessment.given_days, assessment.short_deadline) == (0, True)


def test_rules_come_from_the_reference_table_and_the_site_setting(app, session, make_user):
    rules = load_rules(session)
    assert rules.legal["LP"] == Minimum(22, "business", "legal")
    assert rules.legal["CDP"] == Minimum(3, "business", "legal")
    assert "CD" not in rules.legal and rules.floor is None

    admin = make_user()
    save_admin_floor(session, 4, admin.id, MONDAY)
    session.commit()
    assert load_rules(session).floor == admin_floor(session) == 4
    save_admin_floor(session, None, admin.id, MONDAY)
    session.commit()
    assert load_rules(session).floor is None
