"""The daily snapshot plus what arrived after it gives the same figures as counting everything
live, for every slice the dashboard asks for, whole months or not; and a new snapshot
replaces the old one."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from data_set import lima
from sqlalchemy import func, select

from notifications.models import AlertDelivery, DeliveryKind, DeliveryStatus
from portal.db import db
from portal.statistics.dashboard import Dashboard, current_snapshot
from portal.statistics.measures import MEASURES
from portal.statistics.models import StatisticsSnapshot, lead_time_months
from portal.statistics.snapshot import take_snapshot
from portal.statistics.tallies import tallies
from portal.statistics.tally import Filters

LIMA_OFFSET = -300
TAKEN = lima(2026, 4, 25, 3, 50)  # the night after the data set's last call
RANGES = [
    Filters(date(2026, 3, 1), date(2026, 4, 30)),
    Filters(date(2026, 3, 15), date(2026, 4, 20)),  # partial months at both ends
    Filters(date(2026, 3, 1), date(2026, 4, 30), region="15"),
    Filters(date(2026, 3, 1), date(2026, 4, 30), sector="72000000"),
    Filters(date(2026, 3, 1), date(2026, 4, 30), region="08", sector="72000000"),
]
DIMENSIONS = ["month", "total", "region", "sector", "buyer", "procedure", "object", "source"]


def _every_figure(session, snapshot) -> dict:
    """Every measure by every dimension over every range, sums of days to 9 decimals (the
    snapshot adds them in another order)."""
    return {
        (measure.key, dimension, filters): {
            key: replace(tally, sum_days=round(tally.sum_days, 9))
            for key, tally in tallies(
                session, measure, filters, dimension, LIMA_OFFSET, snapshot
            ).items()
        }
        for measure in MEASURES.values()
        for dimension in DIMENSIONS
        for filters in RANGES
    }


def _snapshot(session):
    take_snapshot(db.engine, TAKEN, LIMA_OFFSET)
    session.expire_all()
    return current_snapshot(session)


def test_snapshot_figures_equal_live_counting(session, data_set):
    live = _every_figure(session, None)

    from_snapshot = _every_figure(session, _snapshot(session))

    assert from_snapshot == live
    assert live[("call_lead", "month", RANGES[0])][date(2026, 3, 1)].facts == 2  # not empty


def test_facts_after_the_snapshot_are_counted_live(session, data_set, make_opportunity):
    snapshot = _snapshot(session)
    # a call stored after the snapshot but published in March (a late scrape), and an alert
    # sent after it about a March call
    late = make_opportunity(
        published_at=lima(2026, 3, 20, 9),
        first_seen_at=TAKEN + timedelta(hours=5),
        deadline_at=lima(2026, 3, 30, 9),
        region_code="15",
        classifications=("72101500",),
    )
    session.add(
        AlertDelivery(
            user_id=data_set.user.id,
            kind=DeliveryKind.MATCH,
            dedup_key=f"opportunity:{late.id}",
            opportunity_id=late.id,
            status=DeliveryStatus.SENT,
            sent_at=TAKEN + timedelta(hours=6),
            deadline_at_notice=lima(2026, 5, 10, 9),
        )
    )
    session.commit()

    combined = _every_figure(session, snapshot)
    live = _every_figure(session, None)

    assert combined == live
    march = live[("call_lead", "month", RANGES[0])][date(2026, 3, 1)]
    assert march.facts == 3 and march.sum_days == pytest.approx(20.5 + 10)
    april = live[("alert_lead", "month", RANGES[0])][date(2026, 4, 1)]
    assert april.facts == 3  # a1, a4 and the late one (sent 25 April)


def test_figures_match_a_direct_computation_over_the_rows(session, data_set):
    """Mean, count and share below the minimum of March-April, computed in Python from the
    ORM rows, against the snapshot's answer."""
    snapshot = _snapshot(session)
    calls = [call for call in data_set.calls.values() if call.published_at is not None]
    leads = [call.lead_time_days() for call in calls]
    alerts = [
        alert.lead_time_days()
        for alert in data_set.alerts.values()
        if alert.sent_at is not None and alert.kind == DeliveryKind.MATCH
    ]

    call_total = tallies(session, MEASURES["call_lead"], RANGES[0], "total", -300, snapshot)[""]
    alert_total = tallies(session, MEASURES["alert_lead"], RANGES[0], "total", -300, snapshot)[""]

    assert call_total.facts == len(data_set.calls)
    assert call_total.mean == pytest.approx(sum(leads) / len(leads))
    with_minimum = [call for call in calls if call.minimum_days is not None]
    short = [call for call in with_minimum if call.short_deadline]
    assert call_total.share_short == pytest.approx(len(short) / len(with_minimum))
    assert alert_total.mean == pytest.approx(sum(alerts) / len(alerts))


def test_a_new_snapshot_replaces_the_rows_of_the_old(session, data_set):
    first = _snapshot(session)
    rows = session.scalar(select(func.count()).select_from(lead_time_months))

    second = _snapshot(session)

    assert second.id > first.id and second.completed_at is not None
    kept = session.execute(select(lead_time_months.c.snapshot_id).distinct()).scalars().all()
    assert kept == [second.id]
    assert session.scalar(select(func.count()).select_from(lead_time_months)) == rows
    assert session.scalar(select(func.count()).select_from(StatisticsSnapshot)) == 2


def test_an_unfinished_snapshot_is_not_read(session, data_set):
    finished = _snapshot(session)
    session.add(
        StatisticsSnapshot(
            taken_at=TAKEN,
            calls_through_id=0,
            alerts_before=TAKEN,
            offset_minutes=LIMA_OFFSET,
        )
    )
    session.commit()

    assert current_snapshot(session).id == finished.id


def test_without_a_snapshot_months_and_breakdown_come_from_one_pass(session, data_set):
    """The cold page's shortcut gives what two separate live counts give."""
    filters = RANGES[0]
    dashboard = Dashboard(session, filters, LIMA_OFFSET, TAKEN, None, breakdown="region")
    measure = MEASURES["alert_lead"]

    months, regions = dashboard.tallies(measure, "month"), dashboard.tallies(measure, "region")

    assert months == tallies(session, measure, filters, "month", LIMA_OFFSET, None)
    assert regions == tallies(session, measure, filters, "region", LIMA_OFFSET, None)
