"""The index follows committed transactions only, and readers see new segments at once."""

from decimal import Decimal

from sqlalchemy import delete

from portal.opportunities.models import Opportunity, OpportunityStatus
from portal.search.hooks import note_changes
from portal.search.params import SearchParams
from portal.search.query import search


def _found(query: str, now, **changes) -> list[int]:
    return [hit.id for hit in search(SearchParams(q=query, **changes), now).hits]


def test_committed_rows_are_indexed(make_opportunity, now):
    opportunity = make_opportunity("Adquisición de mobiliario escolar")
    assert _found("mobiliario", now) == [opportunity.id]


def test_rolled_back_rows_are_not_indexed(make_opportunity, session, now):
    make_opportunity("Adquisición de mobiliario escolar", commit=False)
    session.rollback()
    make_opportunity("Servicio de fumigación")  # a later commit must not carry the old notes
    assert _found("mobiliario", now) == []
    assert search(SearchParams(), now).total == 1


def test_updates_move_documents_between_open_and_archive(make_opportunity, session, now):
    opportunity = make_opportunity("Adquisición de mobiliario escolar")
    opportunity.status = OpportunityStatus.AWARDED
    opportunity.estimated_value = Decimal("123")
    session.commit()
    assert _found("mobiliario", now) == []
    assert _found("mobiliario", now, statuses=("awarded",)) == [opportunity.id]
    assert _found("mobiliario", now, statuses=(), value_max=Decimal("200")) == [opportunity.id]


def test_deleted_rows_leave_the_index(make_opportunity, session, now):
    opportunity = make_opportunity("Adquisición de mobiliario escolar")
    session.delete(opportunity)
    session.commit()
    assert _found("mobiliario", now) == []


def test_bulk_statements_are_indexed_when_noted(make_opportunity, session, now):
    opportunity = make_opportunity("Adquisición de mobiliario escolar")
    session.execute(delete(Opportunity).where(Opportunity.id == opportunity.id))
    note_changes(session, opportunity_ids=[opportunity.id])
    session.commit()
    assert _found("mobiliario", now) == []


def test_a_reader_opened_earlier_sees_later_commits(make_opportunity, client, now):
    assert _found("grupo electrógeno", now) == []  # opens and caches the searcher
    opportunity = make_opportunity("Adquisición de grupo electrógeno")
    assert _found("grupo electrógeno", now) == [opportunity.id]


def test_a_read_only_process_does_not_write(make_opportunity, app, now):
    app.config["PORTAL_INDEX_WRITER"] = False
    make_opportunity("Adquisición de mobiliario escolar")
    assert _found("mobiliario", now) == []


def test_core_inserts_are_indexed_after_commit(make_opportunity, session, source, now):
    from datetime import UTC, datetime

    from sqlalchemy import insert

    make_opportunity("Servicio de fumigación")
    session.connection().execute(
        insert(Opportunity),
        [
            {
                "source_id": source.id,
                "source_ref": "bulk-1",
                "title": "Adquisición de mobiliario escolar",
                "content_hash": "bulk",
                "updated_at": datetime(2026, 3, 1, tzinfo=UTC),
            }
        ],
    )
    session.commit()
    assert len(_found("mobiliario", now)) == 1


def test_orm_commits_index_only_their_own_rows(make_opportunity, session, app, now):
    app.config["PORTAL_INDEX_WRITER"] = False
    unindexed = make_opportunity("Adquisición de mobiliario escolar")
    app.config["PORTAL_INDEX_WRITER"] = True
    make_opportunity("Servicio de fumigación")  # noted ids only: no full comparison
    assert _found("mobiliario", now) == []
    assert unindexed.id not in _found("", now)
