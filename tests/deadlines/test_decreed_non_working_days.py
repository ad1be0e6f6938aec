"""Non-working days the government decrees besides the public holidays: administrators record
them at /admin/plazos, the one business-day counter leaves them out, and recording or removing
one recomputes the calls whose bid window holds it.

Worked by hand, Lima dates of 2026: a call published Monday 22 June and closing Wednesday
1 July gives 23, 24, 25, 26 and 30 June and 1 July: 6 business days (27-28 June are a
week-end, Monday 29 June is San Pedro y San Pablo). Against the 6 business days of an
Adjudicación Simplificada it is enough; with Friday 26 June decreed non-working it gives 5,
and is short.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from lxml import html
from sqlalchemy import select

from portal.accounts.models import Role
from portal.admin.models import SiteSetting
from portal.deadlines.assess import deadline_columns
from portal.deadlines.business_days import business_days_after, extra_non_working_days
from portal.deadlines.non_working import PREFIX, non_working_days, save_non_working_day
from portal.deadlines.operations import forget_non_working_day, record_non_working_day
from portal.deadlines.refresh import refresh
from portal.deadlines.rules import load_rules

LIMA = ZoneInfo("America/Lima")
NOW = datetime(2026, 6, 20, 12, tzinfo=UTC)
DECREED = date(2026, 6, 26)  # a Friday
SPANNING = {
    "title": "Adquisición de cisternas",
    "procedure_type_code": "AS",
    "published_at": datetime(2026, 6, 22, 10, tzinfo=LIMA),
    "deadline_at": datetime(2026, 7, 1, 17, tzinfo=LIMA),
}
LATER = {  # 3 to 13 July: 3, 6-10, 13 July, 7 business days; 26 June is not in it
    "title": "Adquisición de tanques",
    "procedure_type_code": "AS",
    "published_at": datetime(2026, 7, 2, 10, tzinfo=LIMA),
    "deadline_at": datetime(2026, 7, 13, 17, tzinfo=LIMA),
}


def test_a_decreed_day_is_one_business_day_less():
    start, end = date(2026, 6, 22), date(2026, 7, 1)

    assert business_days_after(start, end) == 6
    assert business_days_after(start, end, extra_non_working_days([DECREED])) == 5


def test_decreed_weekends_and_holidays_change_nothing():
    saturday, san_pedro = date(2026, 6, 27), date(2026, 6, 29)

    assert extra_non_working_days([saturday, san_pedro]) == ()
    assert extra_non_working_days([DECREED, date(2026, 6, 23), DECREED]) == (
        date(2026, 6, 23),
        DECREED,
    )
    # the call's own day and days after the deadline are outside the count
    outside = extra_non_working_days([date(2026, 6, 22), date(2026, 7, 2)])
    assert business_days_after(date(2026, 6, 22), date(2026, 7, 1), outside) == 6


def test_ingest_counts_the_days_recorded(session, make_user):
    save_non_working_day(session, DECREED, "Decreto supremo de prueba", make_user().id, NOW)
    session.commit()

    rules = load_rules(session)
    columns = deadline_columns(rules, "AS", SPANNING["published_at"], SPANNING["deadline_at"])

    assert rules.non_working == (DECREED,)
    assert (columns["given_days"], columns["short_deadline"]) == (5, True)


def test_recording_and_removing_a_day_recomputes_the_calls_it_falls_in(
    session, make_user, make_opportunity
):
    spanning, later = make_opportunity(**SPANNING), make_opportunity(**LATER)
    refresh(session, NOW)
    session.expire_all()
    assert (spanning.given_days, spanning.short_deadline) == (6, False)

    report = record_non_working_day(session, DECREED, "D.S. de prueba", make_user().id, NOW)

    session.expire_all()
    assert (report.examined, report.changed, report.flagged) == (1, 1, 1)
    assert (spanning.given_days, spanning.short_deadline) == (5, True)
    assert (later.given_days, later.short_deadline) == (7, False)

    report = forget_non_working_day(session, DECREED, NOW)

    session.expire_all()
    assert report.changed == 1
    assert (spanning.given_days, spanning.short_deadline) == (6, False)
    assert forget_non_working_day(session, DECREED, NOW) is None


@pytest.fixture
def admin_client(signed_in):
    client, _admin = signed_in(role=Role.ADMIN)
    return client


def _texts(page: str, selector: str) -> list[str]:
    return [
        " ".join(node.text_content().split()) for node in html.fromstring(page).cssselect(selector)
    ]


def test_administrators_record_and_remove_days_at_the_deadlines_page(
    admin_client, session, make_opportunity
):
    spanning = make_opportunity(**SPANNING)
    refresh(session, NOW)

    response = admin_client.post(
        "/admin/plazos/dias-no-laborables",
        data={"day": "2026-06-26", "note": "  Decreto supremo de prueba "},
    )

    assert response.status_code == 303
    session.expire_all()
    assert spanning.short_deadline
    [recorded] = non_working_days(session)
    assert (recorded.day, recorded.note) == (DECREED, "Decreto supremo de prueba")
    page = admin_client.get("/admin/plazos").get_data(as_text=True)
    assert "Día no laborable guardado: 2026-06-26. Convocatorias recalculadas: 1;" in page
    [row] = _texts(page, "table.non-working-days tbody tr")
    assert row.startswith("26/06/2026 Decreto supremo de prueba")

    response = admin_client.post("/admin/plazos/dias-no-laborables/2026-06-26/quitar")

    assert response.status_code == 303
    session.expire_all()
    assert not spanning.short_deadline and non_working_days(session) == []
    page = admin_client.get("/admin/plazos").get_data(as_text=True)
    assert _texts(page, ".non-working-empty") == ["No hay días no laborables registrados."]


@pytest.mark.parametrize(
    "data",
    [
        {"day": "", "note": "D.S."},
        {"day": "26/06/2026", "note": "D.S."},
        {"day": "1999-06-25", "note": "D.S."},
        {"day": "2026-06-26", "note": "  "},
        {"day": "2026-06-26", "note": "x" * 201},
    ],
)
def test_a_day_without_a_valid_date_or_decree_is_refused(admin_client, session, data):
    response = admin_client.post("/admin/plazos/dias-no-laborables", data=data)

    assert response.status_code == 400
    assert _texts(response.get_data(as_text=True), ".non-working-form .field-error")
    stored = session.scalars(select(SiteSetting).where(SiteSetting.key.startswith(PREFIX)))
    assert list(stored) == []


def test_a_malformed_day_in_the_removal_address_is_not_found(admin_client):
    response = admin_client.post("/admin/plazos/dias-no-laborables/2026-13-45/quitar")

    assert response.status_code == 404
