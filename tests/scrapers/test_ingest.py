"""Ingest: records become rows once, changes become history, bad records are skipped alone."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from portal.buyers.models import Buyer
from portal.opportunities.models import (
    ChangeKind,
    Opportunity,
    OpportunityChange,
    OpportunityClassification,
    OpportunityStatus,
)
from scrapers.ingest import Ingestor, content_hash
from scrapers.models import ScrapeItemFailure, ScrapeRun
from scrapers.records import BuyerRecord, ClassificationRecord, ItemError, OpportunityRecord

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
MUNICIPALIDAD = BuyerRecord(name="MUNICIPALIDAD DISTRITAL DE CERRO COLORADO", ruc="20131312955")


def notice(ref: str = "CP-SER-1-2026", **fields) -> OpportunityRecord:
    values = {
        "source_ref": ref,
        "title": "Servicio de limpieza de vías públicas",
        "buyer": MUNICIPALIDAD,
        "procedure_type_code": "CP",
        "classifications": (ClassificationRecord("UNSPSC", "76111501", "Limpieza"),),
        "estimated_value": Decimal("34100.00"),
        "published_at": datetime(2026, 1, 10, 14, 0, tzinfo=UTC),
        "deadline_at": datetime(2026, 2, 5, 22, 0, tzinfo=UTC),
        "region_code": "04",
    }
    return OpportunityRecord(**(values | fields))


@pytest.fixture
def ingest(session, make_source):
    """Ingest records as one run of one source; returns (tally, run id)."""
    source = make_source("seace")

    def run(*records, batch_size=500, now=NOW):
        scrape_run = ScrapeRun(source_id=source.id, started_at=now)
        session.add(scrape_run)
        session.commit()
        ingestor = Ingestor(session, source, scrape_run.id, now, batch_size)
        ingestor.consume(records)
        return ingestor.finish(), scrape_run.id

    return run


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_new_records_are_stored_with_buyer_and_classifications(session, ingest):
    tally, _ = ingest(notice("A"), notice("B", title="Adquisición de cemento"))

    assert (tally.new, tally.updated, tally.unchanged) == (2, 0, 0)
    stored = session.scalar(select(Opportunity).where(Opportunity.source_ref == "A"))
    assert stored.buyer.ruc == "20131312955"
    assert [c.code for c in stored.classifications] == ["76111501"]
    assert stored.needs_matching and stored.procedure_type_code == "CP"
    assert count(session, Buyer) == 1


def test_same_records_twice_change_nothing(session, ingest):
    ingest(notice("A"), notice("B"))
    hashes = dict(session.execute(select(Opportunity.source_ref, Opportunity.content_hash)).all())

    tally, _ = ingest(notice("A"), notice("B"))

    assert (tally.new, tally.updated, tally.unchanged) == (0, 0, 2)
    assert count(session, Opportunity) == 2 and count(session, OpportunityChange) == 0
    assert hashes == dict(
        session.execute(select(Opportunity.source_ref, Opportunity.content_hash)).all()
    )


def test_extended_deadline_is_recorded_in_history_and_needs_matching(session, ingest):
    ingest(notice("A"))
    session.execute(Opportunity.__table__.update().values(needs_matching=False))
    session.commit()
    later = datetime(2026, 2, 12, 22, 0, tzinfo=UTC)

    tally, run_id = ingest(notice("A", deadline_at=later))

    assert tally.updated == 1
    change = session.scalar(select(OpportunityChange))
    assert change.kind == ChangeKind.DEADLINE_EXTENDED and change.scrape_run_id == run_id
    assert change.new_value == later.isoformat()
    stored = session.scalar(select(Opportunity))
    assert stored.deadline_at == later and stored.needs_matching


def test_cancellation_and_new_value_are_recorded_as_their_own_changes(session, ingest):
    ingest(notice("A"))

    ingest(
        notice("A", status=OpportunityStatus.CANCELLED, estimated_value=Decimal("30000")),
    )

    kinds = {c.kind: (c.old_value, c.new_value) for c in session.scalars(select(OpportunityChange))}
    assert kinds[ChangeKind.STATUS_CHANGED] == ("open", "cancelled")
    assert kinds[ChangeKind.VALUE_CHANGED] == ("34100", "30000")


def test_changed_classifications_replace_the_old_ones(session, ingest):
    ingest(notice("A"))

    ingest(notice("A", classifications=(ClassificationRecord("UNSPSC", "30111601", "Cemento"),)))

    codes = session.scalars(select(OpportunityClassification.code)).all()
    assert codes == ["30111601"]
    assert session.scalar(select(OpportunityChange.field)) == "classifications"


def test_unknown_procedure_and_region_codes_are_kept_as_text_not_a_crash(session, ingest):
    ingest(notice("A", procedure_type_code="ZZZ", procedure_text=None, region_code="99"))

    stored = session.scalar(select(Opportunity))
    assert stored.procedure_type_code is None and stored.procedure_text == "ZZZ"
    assert stored.region_code is None


def test_buyers_are_matched_by_ruc_then_identifier_then_name(session, ingest):
    renamed = replace(MUNICIPALIDAD, name="MUNICIPALIDAD DE CERRO COLORADO")
    dncp = BuyerRecord(name="Ministerio de Salud", identifier_scheme="PY-DNCP", identifier="27")
    plain = BuyerRecord(name="Hospital Regional", country="CO")
    ingest(notice("A"), notice("B", buyer=dncp), notice("C", buyer=plain))

    ingest(
        notice("D", buyer=renamed),
        notice("E", buyer=replace(dncp, name="MSPBS")),
        notice("F", buyer=plain),
    )

    assert count(session, Buyer) == 3


def test_a_repeated_entry_in_one_payload_becomes_one_opportunity(session, ingest):
    tally, _ = ingest(notice("A"), notice("A", title="Servicio de limpieza (corregido)"))

    assert count(session, Opportunity) == 1
    assert (tally.new, tally.updated) == (1, 1)
    assert session.scalar(select(Opportunity.title)) == "Servicio de limpieza (corregido)"


def test_malformed_items_are_skipped_with_their_reason_and_the_rest_stored(session, ingest):
    naive = notice("B", deadline_at=datetime(2026, 2, 5, 17, 0))

    tally, run_id = ingest(notice("A"), naive, ItemError("C", "sin título"), notice("D"))

    assert (tally.new, tally.failed) == (2, 2)
    failures = {f.item_ref: f.reason for f in session.scalars(select(ScrapeItemFailure))}
    assert "zona horaria" in failures["B"] and failures["C"] == "sin título"
    assert set(session.scalars(select(Opportunity.source_ref))) == {"A", "D"}


def test_a_record_the_database_refuses_leaves_earlier_batches_and_no_half_item(session, ingest):
    negative_with_new_buyer = notice(
        "BAD",
        estimated_value=Decimal("-5"),
        buyer=BuyerRecord(name="Entidad que no debe quedar", country="PE"),
    )
    records = [notice(f"OK-{n}") for n in range(4)] + [negative_with_new_buyer, notice("OK-9")]

    tally, _ = ingest(*records, batch_size=2)

    assert (tally.new, tally.failed) == (5, 1)
    assert "OK-9" in set(session.scalars(select(Opportunity.source_ref)))
    assert session.scalar(select(Buyer).where(Buyer.name.like("Entidad%"))) is None
    orphans = select(func.count()).where(OpportunityClassification.opportunity_id.is_(None))
    assert session.scalar(orphans) == 0
    assert count(session, OpportunityClassification) == 5


def test_content_hash_ignores_how_equal_values_are_written():
    first = notice(estimated_value=Decimal("34100.00"))
    second = notice(
        estimated_value=Decimal("34100"),
        deadline_at=datetime(2026, 2, 5, 17, 0, tzinfo=UTC) + timedelta(hours=5),
    )

    assert content_hash(first) == content_hash(second)
    assert content_hash(first) != content_hash(notice(title="Otro"))


def test_a_notice_inserted_meanwhile_by_another_writer_becomes_an_update(session, make_source):
    """The unique key backs the upsert: losing the race turns the insert into an update."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL's concurrent writes")
    source = make_source("seace")
    run = ScrapeRun(source_id=source.id, started_at=NOW)
    session.add(run)
    session.commit()
    engine = session.get_bind()
    competitor = {
        "source_id": source.id,
        "source_ref": "A",
        "title": "Versión del otro proceso",
        "description": "",
        "currency": "PEN",
        "status": "open",
        "content_hash": "0" * 64,
        "needs_matching": True,
        "first_seen_at": NOW,
        "updated_at": NOW,
    }

    raced = []

    def insert_competitor_first(_conn, _cursor, statement, *_args):
        if statement.startswith("INSERT INTO opportunities") and not raced:
            raced.append(True)
            with engine.connect() as other:
                other.execute(Opportunity.__table__.insert().values(competitor))
                other.commit()

    event.listen(engine, "before_cursor_execute", insert_competitor_first)
    try:
        ingestor = Ingestor(session, source, run.id, NOW)
        ingestor.consume([notice("A", buyer=None)])
        tally = ingestor.finish()
    finally:
        event.remove(engine, "before_cursor_execute", insert_competitor_first)

    assert raced and (tally.new, tally.updated, tally.failed) == (0, 1, 0)
    assert session.scalars(select(Opportunity.title)).all() == [notice().title]
