"""The statistics of the fixed data set (conftest.py), worked out by hand, counted live from
the tables (no snapshot): Lima months, month boundaries, medians from the bins, sectors,
regions, the short-deadline flag as portal.deadlines sets it. Each runs on SQLite and
PostgreSQL with the same expected numbers."""

from datetime import date

import pytest
from data_set import lima

from portal.statistics.bins import LEAD_BINS, median
from portal.statistics.measures import ALERT_LEAD, CALL_LEAD, PLAN_NOTICE, SEEN_DELAY
from portal.statistics.tallies import split_range, tallies
from portal.statistics.tally import Filters

LIMA_OFFSET = -300
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)
SPRING = Filters(date(2026, 3, 1), date(2026, 4, 30))


def live(session, measure, dimension, filters=SPRING, **options):
    return tallies(session, measure, filters, dimension, LIMA_OFFSET, None, **options)


def test_a_call_published_at_2330_lima_on_31_march_counts_in_march(session, data_set):
    months = live(session, CALL_LEAD, "month")

    assert sorted(months) == [MARCH, APRIL]
    march, april = months[MARCH], months[APRIL]
    assert (march.facts, march.measured) == (2, 2)  # c1 (1 April in UTC) and c2
    assert march.sum_days == pytest.approx(20.5)
    assert march.mean == pytest.approx(10.25)
    assert (april.facts, april.measured) == (3, 2)  # c5 has no publication date
    assert april.mean == pytest.approx((3.25 + 20) / 2)


def test_calls_without_publication_date_are_dated_by_first_sight(session, data_set):
    early_april = Filters(date(2026, 4, 1), date(2026, 4, 5))

    total = live(session, CALL_LEAD, "total", early_april)[""]

    assert (total.facts, total.measured) == (1, 0)  # c5, seen on 2 April; c1 is March


def test_histogram_bins_are_whole_days_and_the_median_is_read_from_them(session, data_set):
    march = live(session, CALL_LEAD, "month")[MARCH]

    assert march.counts[9] == 1  # c1: 8.5 days, bin [8, 9)
    assert march.counts[13] == 1  # c2: 12 days, bin [12, 13)
    assert sum(march.counts) == 2
    # two values: the middle (1 of 2) ends the first bin, [8, 9)
    assert march.median == pytest.approx(9.0)


def test_grouped_median_interpolates_within_the_middle_bin():
    counts = [0] * 35
    counts[9], counts[10], counts[13] = 1, 2, 1  # values in [8,9), [9,10) twice, [12,13)

    # 4 values, the middle is the 2nd: half-way through [9, 10), which holds two
    assert median(LEAD_BINS, tuple(counts)) == pytest.approx(9.5)


def test_share_below_the_legal_minimum_counts_calls_with_a_minimum_only(session, data_set):
    months = live(session, CALL_LEAD, "month")

    assert (months[MARCH].short, months[MARCH].with_minimum) == (1, 2)  # c1 of c1, c2
    assert months[MARCH].share_short == pytest.approx(0.5)
    assert (months[APRIL].short, months[APRIL].with_minimum) == (1, 1)  # c3; c4 has no minimum


def test_business_days_decide_short_not_calendar_days(session, data_set, make_opportunity):
    """Published Thursday 23 July 2026, due Friday 31 July: 8 calendar days, but 28 and 29
    July are Fiestas Patrias and 25-26 a week-end, so 4 business days (what portal.deadlines
    writes in given_days) against a 6-business-day minimum."""
    make_opportunity(
        published_at=lima(2026, 7, 23, 9),
        first_seen_at=lima(2026, 7, 23, 10),
        deadline_at=lima(2026, 7, 31, 9),
        procedure_type_code="AS",
        minimum_days=6,
        minimum_day_kind="business",
        minimum_basis="legal",
        given_days=4,
        short_deadline=True,
    )

    july = live(session, CALL_LEAD, "total", Filters(date(2026, 7, 1), date(2026, 7, 31)))[""]

    assert july.mean == pytest.approx(8.0)
    assert (july.short, july.with_minimum) == (1, 1)


def test_alert_lead_time_counts_call_alerts_sent_by_lima_month(session, data_set):
    months = live(session, ALERT_LEAD, "month")

    march, april = months[MARCH], months[APRIL]
    # a2 (10 March) and a3 (23:45 on 31 March in Lima, 1 April in UTC)
    assert (march.facts, march.measured) == (2, 2)
    assert march.sum_days == pytest.approx(11 + 13 / 24 + 8 + 11.75 / 24)
    # a1 is measured; a4, a change alert, is sent but has no lead time; a5 is not sent
    assert (april.facts, april.measured) == (2, 1)
    assert april.mean == pytest.approx(8 + 5.5 / 24)


def test_lead_times_by_region(session, data_set):
    regions = live(session, CALL_LEAD, "region")

    assert sorted(regions) == ["08", "15"]
    assert (regions["15"].facts, regions["15"].mean) == (2, pytest.approx(10.25))
    assert (regions["08"].facts, regions["08"].measured) == (3, 2)
    assert regions["08"].mean == pytest.approx(11.625)


def test_a_call_counts_once_per_sector_whatever_its_codes(session, data_set):
    sectors = live(session, CALL_LEAD, "sector")

    assert sorted(sectors) == ["43000000", "72000000"]
    assert sectors["43000000"].facts == 2  # c1, and c2 once for its two codes in 43
    assert sectors["43000000"].mean == pytest.approx(10.25)
    assert sectors["72000000"].facts == 2  # c2, c3
    assert sectors["72000000"].mean == pytest.approx((12 + 3.25) / 2)


def test_region_and_sector_filters(session, data_set):
    in_it = Filters(SPRING.start, SPRING.end, sector="43000000")
    cusco_services = Filters(SPRING.start, SPRING.end, region="08", sector="72000000")

    by_region = live(session, CALL_LEAD, "region", in_it)
    cusco = live(session, CALL_LEAD, "total", cusco_services)[""]

    assert list(by_region) == ["15"] and by_region["15"].facts == 2
    assert (cusco.facts, cusco.mean) == (1, pytest.approx(3.25))  # c3


def test_alerts_follow_the_region_of_their_call(session, data_set):
    by_region = live(session, ALERT_LEAD, "region")

    assert by_region["15"].facts == 3  # a1, a2, a3
    assert by_region["08"].facts == 1  # a4


def test_delay_to_first_sight_is_in_hours_below_a_day(session, data_set):
    delay = live(session, SEEN_DELAY, "total")[""]

    assert delay.measured == 4  # c5 has no publication date
    assert delay.sum_days == pytest.approx(2 / 24 + 1 + 0.5 / 24 - 1 / 24)
    assert delay.counts[0] == 1  # c4: seen an hour before its stated publication
    assert delay.counts[1] == 1  # c3: 30 minutes, [0, 1) h
    assert delay.counts[3] == 1  # c1: 2 hours, [2, 3) h
    assert delay.counts[25] == 1  # c2: 24 hours, [1, 2) days


def test_plan_notice_leaves_out_plans_published_after_the_call(session, data_set):
    notice = live(session, PLAN_NOTICE, "total")[""]

    assert (notice.facts, notice.measured) == (5, 1)  # c2 only; c3's plan came later
    assert notice.mean == pytest.approx(30)
    assert notice.counts[3] == 1  # [30, 45)


def test_buyers_most_often_below_the_minimum(session, data_set):
    ranked = live(session, CALL_LEAD, "buyer", top=5)

    lima_id, cusco_id = str(data_set.buyers["lima"].id), str(data_set.buyers["cusco"].id)
    # one short call each: the one with more calls first
    assert list(ranked) == [cusco_id, lima_id]
    assert (ranked[lima_id].short, ranked[lima_id].with_minimum) == (1, 2)
    assert ranked[cusco_id].facts == 3


def test_breakdowns_by_procedure_and_object_type(session, data_set):
    procedures = live(session, CALL_LEAD, "procedure")
    objects = live(session, CALL_LEAD, "object")

    assert procedures["CD"].facts == 1 and procedures["CD"].mean == pytest.approx(20)
    assert procedures["AS"].facts == 3  # c1, c2, c3
    assert procedures["-"].facts == 1  # c5 states no procedure
    assert objects["services"].facts == 1 and objects["goods"].facts == 4


@pytest.mark.parametrize(
    ("start", "end", "whole", "partial"),
    [
        (date(2026, 3, 1), date(2026, 4, 30), (MARCH, APRIL), []),
        (
            date(2026, 3, 15),
            date(2026, 4, 30),
            (APRIL, APRIL),
            [(date(2026, 3, 15), date(2026, 3, 31))],
        ),
        (date(2026, 3, 1), date(2026, 3, 30), None, [(date(2026, 3, 1), date(2026, 3, 30))]),
        (
            date(2026, 1, 31),
            date(2026, 4, 1),
            (date(2026, 2, 1), MARCH),
            [(date(2026, 1, 31), date(2026, 1, 31)), (APRIL, APRIL)],
        ),
        (date(2024, 2, 1), date(2024, 2, 29), (date(2024, 2, 1), date(2024, 2, 1)), []),
    ],
)
def test_a_range_splits_into_whole_months_and_partial_ones(start, end, whole, partial):
    assert split_range(start, end) == (whole, partial)
