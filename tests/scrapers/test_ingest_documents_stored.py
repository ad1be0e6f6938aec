"""Ingest keeps each notice's documents: stored on insert, replaced when a new version lists
others, and a `documents` change written to the history only when one is added. A notice
stored before documents were kept takes its first list silently."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from portal.opportunities.models import (
    ChangeKind,
    Opportunity,
    OpportunityChange,
    OpportunityDocument,
)
from scrapers.ingest import Ingestor, content_hash
from scrapers.models import ScrapeItemFailure, ScrapeRun, SourceKind
from scrapers.records import BuyerRecord, DocumentRecord, OpportunityRecord

NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
BASES = DocumentRecord(
    "Bases administrativas",
    "https://prod2.seace.gob.pe/docs/bases.pdf",
    "biddingDocuments",
    "101",
    datetime(2026, 5, 28, 13, 0, tzinfo=UTC),
)
SPECS = DocumentRecord("Especificaciones técnicas", "https://prod2.seace.gob.pe/docs/et.pdf")
ANSWERS = DocumentRecord(
    "Absolución de consultas", "https://prod2.seace.gob.pe/docs/abs.pdf", "clarifications", "102"
)


def notice(*documents: DocumentRecord, **fields) -> OpportunityRecord:
    values = {
        "source_ref": "AS-SM-35-2026-ESSALUD-1",
        "title": "Servicio de limpieza del policlínico",
        "buyer": BuyerRecord(name="Seguro Social de Salud", ruc="20131312955"),
        "procedure_type_code": "AS",
        "published_at": datetime(2026, 5, 28, 13, 0, tzinfo=UTC),
        "deadline_at": datetime(2026, 6, 15, 22, 0, tzinfo=UTC),
        "documents": documents,
    }
    return OpportunityRecord(**(values | fields))


@pytest.fixture
def ingest(session, make_source):
    """ingest(records..., kind=..., now=...) as one run of the source of that kind."""
    sources = {}

    def run(*records, kind=SourceKind.MANUAL, now=NOW):
        if kind not in sources:
            url = "https://example.org/avisos.json" if kind != SourceKind.MANUAL else None
            sources[kind] = make_source(f"fuente-{kind}", kind, url)
        source = sources[kind]
        scrape_run = ScrapeRun(source_id=source.id, started_at=now)
        session.add(scrape_run)
        session.commit()
        ingestor = Ingestor(session, source, scrape_run.id, now)
        ingestor.consume(records)
        return ingestor.finish()

    return run


def stored(session) -> list[tuple]:
    session.expire_all()
    query = select(OpportunityDocument).order_by(
        OpportunityDocument.opportunity_id, OpportunityDocument.position
    )
    return [
        (d.position, d.title, d.url, d.document_type, d.source_document_id, d.published_at)
        for d in session.scalars(query)
    ]


def document_changes(session) -> list[OpportunityChange]:
    session.expire_all()
    query = select(OpportunityChange).where(OpportunityChange.field == "documents")
    return list(session.scalars(query.order_by(OpportunityChange.id)))


def the_notice(session) -> Opportunity:
    session.expire_all()
    return session.scalar(select(Opportunity))


def test_a_new_notice_is_stored_with_its_documents_and_the_stamp(session, ingest):
    hostile = DocumentRecord("Anexo", "javascript:alert(document.cookie)")
    tally = ingest(notice(BASES, SPECS, hostile))

    assert tally.new == 1
    assert stored(session) == [
        (0, "Bases administrativas", BASES.url, "biddingDocuments", "101", BASES.published_at),
        (1, "Especificaciones técnicas", SPECS.url, None, None, None),
        (2, "Anexo", None, None, None, None),  # a link other than http(s) is never stored
    ]
    assert the_notice(session).documents_recorded_at == NOW
    assert document_changes(session) == []


def test_a_document_dated_without_zone_fails_its_notice_alone(session, ingest):
    naive = replace(SPECS, published_at=datetime(2026, 5, 28, 8, 0))
    tally = ingest(notice(naive), notice(BASES, source_ref="otro"))

    assert (tally.new, tally.failed) == (1, 1)
    [failure] = session.scalars(select(ScrapeItemFailure))
    assert "documento sin zona horaria" in failure.reason


def test_a_version_that_adds_a_document_is_one_documents_change(session, ingest):
    ingest(notice(BASES))
    later = NOW + timedelta(days=2)

    tally = ingest(notice(BASES, ANSWERS), now=later)

    assert tally.updated == 1
    [change] = document_changes(session)
    assert (change.kind, change.changed_at) == (ChangeKind.DETAILS_CHANGED, later)
    assert change.old_value == (
        '[{"id":"101","title":"Bases administrativas","type":"biddingDocuments",'
        '"url":"https://prod2.seace.gob.pe/docs/bases.pdf"}]'
    )
    assert '"title":"Absolución de consultas"' in change.new_value
    assert [row[1] for row in stored(session)] == [
        "Bases administrativas",
        "Absolución de consultas",
    ]
    opportunity = the_notice(session)
    assert opportunity.needs_matching and opportunity.documents_recorded_at == NOW
    assert len(opportunity.changes) == 1  # nothing else of the notice changed

    again = ingest(notice(BASES, ANSWERS), now=later + timedelta(hours=1))
    assert (again.updated, again.unchanged) == (0, 1)
    assert len(document_changes(session)) == 1


def test_a_withdrawn_or_renamed_document_is_stored_but_not_news(session, ingest):
    ingest(notice(BASES, SPECS))
    renamed = replace(BASES, title="Bases integradas")  # same id: the same document

    tally = ingest(notice(renamed), now=NOW + timedelta(days=1))

    assert tally.updated == 1
    assert [row[1] for row in stored(session)] == ["Bases integradas"]
    assert document_changes(session) == []


def test_a_notice_stored_before_documents_were_kept_takes_its_list_silently(session, ingest):
    ingest(notice())
    session.execute(update(Opportunity).values(documents_recorded_at=None))
    session.commit()

    tally = ingest(notice(BASES, SPECS), now=NOW + timedelta(days=1))

    assert tally.updated == 1
    assert document_changes(session) == []
    assert [row[1] for row in stored(session)] == [
        "Bases administrativas",
        "Especificaciones técnicas",
    ]
    assert the_notice(session).documents_recorded_at == NOW + timedelta(days=1)

    ingest(notice(BASES, SPECS, ANSWERS), now=NOW + timedelta(days=2))
    [change] = document_changes(session)
    assert '"title":"Absolución de consultas"' in change.new_value


def test_an_unchanged_notice_from_before_is_stamped_so_its_first_document_is_news(session, ingest):
    """Its hash is the one it was stored with, so it is unchanged: the source lists no
    document now, and the first one it lists later is an addition."""
    ingest(notice())
    session.execute(update(Opportunity).values(documents_recorded_at=None))
    session.commit()
    updated_at = the_notice(session).updated_at

    tally = ingest(notice(), now=NOW + timedelta(days=1))

    assert (tally.unchanged, tally.updated) == (1, 0)
    opportunity = the_notice(session)
    assert opportunity.documents_recorded_at == NOW + timedelta(days=1)
    assert opportunity.updated_at == updated_at  # nothing readers see changed

    ingest(notice(BASES), now=NOW + timedelta(days=2))
    [change] = document_changes(session)
    assert change.old_value is None and '"title":"Bases administrativas"' in change.new_value


def test_a_version_that_only_adds_a_document_hashes_differently():
    assert content_hash(notice(BASES, ANSWERS)) != content_hash(notice(BASES))
    assert content_hash(notice(BASES)) == content_hash(notice(BASES))


def test_an_ocds_release_listing_only_its_new_document_adds_to_the_stored_list(session, ingest):
    """OCDS merges `documents` by id: an amendment release lists what it adds."""
    ingest(notice(BASES, SPECS), kind=SourceKind.OCDS)
    later = NOW + timedelta(days=3)

    ingest(notice(ANSWERS), kind=SourceKind.OCDS, now=later)

    assert [row[1] for row in stored(session)] == [
        "Bases administrativas",
        "Especificaciones técnicas",
        "Absolución de consultas",
    ]
    [change] = document_changes(session)
    assert change.new_value.count('"title"') == 3

    ingest(notice(BASES, SPECS, ANSWERS), kind=SourceKind.OCDS, now=later + timedelta(days=1))
    assert len(document_changes(session)) == 1  # the full list again adds nothing


def test_a_feed_entry_lists_all_its_documents_each_time(session, ingest):
    ingest(notice(BASES, SPECS), kind=SourceKind.FEED)

    ingest(notice(ANSWERS), kind=SourceKind.FEED, now=NOW + timedelta(days=3))

    assert [row[1] for row in stored(session)] == ["Absolución de consultas"]
    assert len(document_changes(session)) == 1
