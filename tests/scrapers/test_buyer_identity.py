"""Buyers are told apart by identifier before name: a generic name never merges two entities."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.buyers.models import Buyer
from portal.opportunities.models import Opportunity
from scrapers.ingest import Ingestor
from scrapers.models import RunStatus, ScrapeRun, SourceKind
from scrapers.pipeline import run_source
from scrapers.records import BuyerRecord, OpportunityRecord

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
JUNTA = "Junta de Gobierno Local"
CHINCHILLA = "Alcaldía del Ayuntamiento de Chinchilla de Montearagón".encode()
ALMANSA = "Alcaldía del Ayuntamiento de Almansa".encode()


def junta(identifier: str | None, scheme: str = "ES-PLACSP", **fields) -> BuyerRecord:
    return BuyerRecord(
        name=JUNTA,
        identifier_scheme=scheme if identifier else None,
        identifier=identifier,
        country="ES",
        **fields,
    )


def notice(ref: str, buyer: BuyerRecord) -> OpportunityRecord:
    return OpportunityRecord(
        source_ref=ref,
        title=f"Contrato menor {ref}",
        buyer=buyer,
        published_at=NOW - timedelta(days=1),
    )


@pytest.fixture
def ingest(session, make_source):
    """Each call is one run of one source."""
    source = make_source("placsp")

    def run(*records):
        scrape_run = ScrapeRun(source_id=source.id, started_at=NOW)
        session.add(scrape_run)
        session.commit()
        ingestor = Ingestor(session, source, scrape_run.id, NOW)
        ingestor.consume(records)
        ingestor.finish()
        session.commit()

    return run


def buyer_of(session, ref: str) -> Buyer:
    return session.scalar(
        select(Buyer)
        .join(Opportunity, Opportunity.buyer_id == Buyer.id)
        .where(Opportunity.source_ref == ref)
    )


def buyer_count(session) -> int:
    return session.scalar(select(func.count(Buyer.id)))


def test_two_entities_of_one_generic_name_in_one_feed_stay_apart(session, ingest):
    ingest(notice("A", junta("111")), notice("B", junta("222")), notice("C", junta("111")))

    assert buyer_count(session) == 2
    assert buyer_of(session, "A").id == buyer_of(session, "C").id != buyer_of(session, "B").id
    assert buyer_of(session, "B").identifier == "222"


def test_two_entities_of_one_generic_name_across_runs_stay_apart(session, ingest):
    ingest(notice("A", junta("111")))
    ingest(notice("B", junta("222")))
    ingest(notice("C", junta("111")), notice("D", junta("222")))

    assert buyer_count(session) == 2
    assert buyer_of(session, "C").identifier == "111"
    assert buyer_of(session, "D").identifier == "222"


def test_peruvian_entities_of_one_name_are_told_apart_by_ruc(session, ingest):
    name = "MUNICIPALIDAD DISTRITAL DE SAN JUAN"
    ingest(notice("A", BuyerRecord(name=name, ruc="20131312955")))
    ingest(notice("B", BuyerRecord(name=name, ruc="20100070970")))

    assert buyer_count(session) == 2
    assert buyer_of(session, "B").ruc == "20100070970"


def test_a_buyer_known_only_by_name_takes_the_first_identifier_and_no_second(session, ingest):
    ingest(notice("OLD", junta(None)))  # from a source that gives no identifier

    ingest(notice("A", junta("111")), notice("B", junta("222")))

    old, first, second = (buyer_of(session, ref) for ref in ("OLD", "A", "B"))
    assert old.id == first.id and first.identifier == "111"
    assert second.id != first.id and second.identifier == "222"
    assert buyer_count(session) == 2


def test_a_record_without_identifier_joins_the_only_namesake(session, ingest):
    ingest(notice("A", junta("111")))

    ingest(notice("B", junta(None)))

    assert buyer_of(session, "B").id == buyer_of(session, "A").id


def test_a_record_without_identifier_joins_neither_of_two_namesakes(session, ingest):
    ingest(notice("A", junta("111")), notice("B", junta("222")))

    ingest(notice("C", junta(None)), notice("D", junta(None)))

    unnamed = buyer_of(session, "C")
    assert unnamed.id not in {buyer_of(session, "A").id, buyer_of(session, "B").id}
    assert unnamed.identifier is None and buyer_of(session, "D").id == unnamed.id


def placsp_feed_with_two_juntas(shared_fixtures) -> bytes:
    """The real PLACSP feed with two bodies of one town hall (one NIF, two platform ids) both
    named as PLACSP names many: "Junta de Gobierno Local"."""
    atom = (shared_fixtures / "placsp-atom" / "menores.atom").read_bytes()
    atom = atom.replace(CHINCHILLA, JUNTA.encode()).replace(ALMANSA, JUNTA.encode())
    return atom.replace(b">P0200900I<", b">P0202900G<")


def test_placsp_bodies_are_identified_by_their_platform_id(
    session, http_server, make_source, fetcher, shared_fixtures
):
    url = http_server.route(
        "/menores.atom", http_server.Reply(body=placsp_feed_with_two_juntas(shared_fixtures))
    )
    source = make_source("placsp", SourceKind.FEED, url, timezone="Europe/Madrid")

    run = run_source(session, source, NOW, fetcher)

    assert run.status == RunStatus.SUCCEEDED, run.error
    juntas = session.scalars(select(Buyer).where(Buyer.name == JUNTA)).all()
    assert sorted((b.identifier_scheme, b.identifier) for b in juntas) == [
        ("ES-PLACSP", "31130020156762"),
        ("ES-PLACSP", "31160720159832"),
    ]
    assert buyer_count(session) == 6


def test_placsp_bodies_stay_apart_across_runs(
    session, http_server, make_source, fetcher, shared_fixtures
):
    feed = placsp_feed_with_two_juntas(shared_fixtures)
    entries = feed.split(b"<entry>")
    first_only = entries[0] + b"<entry>" + entries[1].split(b"</entry>")[0] + b"</entry></feed>"
    Reply = http_server.Reply
    url = http_server.route("/menores.atom", Reply(body=first_only), Reply(body=feed))
    source = make_source("placsp", SourceKind.FEED, url, timezone="Europe/Madrid")
    assert run_source(session, source, NOW, fetcher).status == RunStatus.SUCCEEDED

    run = run_source(session, source, NOW + timedelta(hours=1), fetcher)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert session.scalar(select(func.count(Buyer.id)).where(Buyer.name == JUNTA)) == 2
