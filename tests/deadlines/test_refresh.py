"""Stored notices recomputed in batches: all of them, or those the administrators' floor can
affect; only changed rows are written, and the search index follows."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.deadlines.refresh import refresh
from portal.deadlines.settings import save_admin_floor
from portal.opportunities.models import Opportunity
from portal.search.params import SearchParams
from portal.search.query import search

LIMA = ZoneInfo("America/Lima")
NOW = datetime.now(UTC).replace(microsecond=0)
MONDAY = datetime(2026, 3, 2, 10, tzinfo=LIMA)
FRIDAY = datetime(2026, 3, 6, 17, tzinfo=LIMA)  # four business days after MONDAY
NEXT_FRIDAY = datetime(2026, 3, 13, 17, tzinfo=LIMA)  # nine


def columns(opportunity: Opportunity) -> tuple:
    return (
        opportunity.minimum_days,
        opportunity.minimum_basis,
        opportunity.given_days,
        opportunity.short_deadline,
    )


def flagged_in_search() -> set[int]:
    found = search(SearchParams(statuses=(), deadline_checks=("short",), per_page=100), NOW)
    return {hit.id for hit in found.hits}


def test_refresh_fills_rows_stored_before_the_columns_existed(session, make_opportunity):
    dated = {"published_at": MONDAY, "deadline_at": FRIDAY}
    short = make_opportunity(procedure_type_code="AS", **dated)
    enough = make_opportunity(
        procedure_type_code="AS", published_at=MONDAY, deadline_at=NEXT_FRIDAY
    )
    lp = make_opportunity(procedure_type_code="LP", **dated)
    private = make_opportunity(procedure_type_code=None, **dated)
    assert columns(short) == (None, None, None, False)  # as the migration left them
    assert flagged_in_search() == set()

    report = refresh(session, NOW, batch_size=2)  # two rows a batch: the keyset is walked

    session.expire_all()
    assert (report.examined, report.changed, report.flagged) == (4, 3, 2)
    assert columns(short) == (6, "legal", 4, True)
    assert columns(enough) == (6, "legal", 9, False)
    assert columns(lp) == (22, "legal", 4, True)
    assert columns(private) == (None, None, None, False)
    assert short.updated_at == NOW and private.updated_at != NOW
    assert flagged_in_search() == {short.id, lp.id}


def test_a_second_refresh_writes_nothing(session, make_opportunity):
    make_opportunity(procedure_type_code="AS", published_at=MONDAY, deadline_at=FRIDAY)
    refresh(session, NOW)

    again = refresh(session, NOW + timedelta(days=1))

    assert (again.examined, again.changed, again.flagged) == (1, 0, 1)
    assert session.scalar(select(Opportunity.updated_at)) == NOW


def test_the_floor_refresh_leaves_legal_minimums_alone(session, make_opportunity, make_user):
    dated = {"published_at": MONDAY, "deadline_at": FRIDAY}
    legal = make_opportunity(procedure_type_code="AS", **dated)
    private = make_opportunity(procedure_type_code=None, **dated)
    direct = make_opportunity(procedure_type_code="CD", **dated)
    refresh(session, NOW)
    legal_stamp = session.get(Opportunity, legal.id).updated_at

    save_admin_floor(session, 5, make_user().id, NOW)
    session.commit()
    report = refresh(session, NOW + timedelta(hours=1), only_without_legal_minimum=True)

    session.expire_all()
    assert (report.examined, report.changed) == (2, 1)  # the private call and the direct one
    assert columns(private) == (5, "admin", 4, True)
    assert columns(direct) == (None, None, None, False)
    assert session.get(Opportunity, legal.id).updated_at == legal_stamp
    assert flagged_in_search() == {legal.id, private.id}

    save_admin_floor(session, None, make_user().id, NOW)
    session.commit()
    refresh(session, NOW + timedelta(hours=2), only_without_legal_minimum=True)

    session.expire_all()
    assert columns(private) == (None, None, None, False)
    assert flagged_in_search() == {legal.id}


def test_the_cli_refreshes_and_says_what_it_did(runner, session, make_opportunity):
    make_opportunity(procedure_type_code="AS", published_at=MONDAY, deadline_at=FRIDAY)
    make_opportunity(procedure_type_code="AS", published_at=MONDAY, deadline_at=NEXT_FRIDAY)

    result = runner.invoke(args=["deadlines", "refresh"])

    assert result.exit_code == 0, result.output
    assert "Revisadas: 2, actualizadas: 2, con plazo corto: 1." in result.output
    result = runner.invoke(args=["deadlines", "refresh", "--sin-plazo-legal"])
    assert "Revisadas: 0, actualizadas: 0, con plazo corto: 0." in result.output


def test_a_row_changed_since_it_was_read_is_not_overwritten(session, make_opportunity):
    """A scrape that moves the deadline between the refresh's read and its write has stored
    the right values itself; the refresh's, computed from the old deadline, must not win."""
    from portal.deadlines.refresh import RefreshReport, _refresh_batch
    from portal.deadlines.rules import load_rules

    call = make_opportunity(procedure_type_code="AS", published_at=MONDAY, deadline_at=FRIDAY)
    read = session.execute(
        select(
            Opportunity.id,
            Opportunity.procedure_type_code,
            Opportunity.published_at,
            Opportunity.deadline_at,
            Opportunity.minimum_days,
            Opportunity.minimum_day_kind,
            Opportunity.minimum_basis,
            Opportunity.given_days,
            Opportunity.short_deadline,
        )
    ).all()
    call.deadline_at = NEXT_FRIDAY  # as ingest writes it: the new date and its values
    call.minimum_days, call.minimum_day_kind, call.minimum_basis = 6, "business", "legal"
    call.given_days, call.short_deadline = 9, False
    session.commit()

    _refresh_batch(session, load_rules(session), read, NOW, RefreshReport())
    session.commit()

    session.expire_all()
    assert columns(call) == (6, "legal", 9, False)
