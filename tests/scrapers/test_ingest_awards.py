"""Ingest keeps each notice's awards: stored on insert, replaced when they change, and the
change written to the history a follower is alerted from."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.opportunities.models import (
    ChangeKind,
    Opportunity,
    OpportunityAward,
    OpportunityChange,
    OpportunityStatus,
)
from scrapers.ingest import Ingestor, content_hash
from scrapers.models import ScrapeItemFailure, ScrapeRun
from scrapers.records import AwardRecord, BuyerRecord, ClassificationRecord, OpportunityRecord

NOW = datetime(2026, 6, 20, 15, 0, tzinfo=UTC)
RUC = "20601234565"  # check digit: 105 mod 11 = 6, 11 − 6 = 5
ANDINA = AwardRecord(
    supplier_name="Constructora Andina S.A.C.",
    supplier_ruc=RUC,
    amount=Decimal("150000"),
    awarded_at=datetime(2026, 6, 18, 17, 0, tzinfo=UTC),
    source_award_id="A1",
)


def notice(**fields) -> OpportunityRecord:
    values = {
        "source_ref": "AS-SM-35-2026-ESSALUD-1",
        "title": "Mejoramiento del local de la posta",
        "buyer": BuyerRecord(name="Seguro Social de Salud", ruc="20131312955"),
        "procedure_type_code": "AS",
        "estimated_value": Decimal("160000"),
        "published_at": datetime(2026, 5, 28, 13, 0, tzinfo=UTC),
        "deadline_at": datetime(2026, 6, 15, 22, 0, tzinfo=UTC),
    }
    return OpportunityRecord(**(values | fields))


@pytest.fixture
def ingest(session, make_source):
    source = make_source("seace")

    def run(*records, now=NOW):
        scrape_run = ScrapeRun(source_id=source.id, started_at=now)
        session.add(scrape_run)
        session.commit()
        ingestor = Ingestor(session, source, scrape_run.id, now)
        ingestor.consume(records)
        return ingestor.finish()

    return run


def stored_awards(session) -> list[tuple]:
    session.expire_all()
    rows = session.scalars(select(OpportunityAward).order_by(OpportunityAward.position))
    return [
        (
            row.position,
            row.source_award_id,
            row.supplier_name,
            row.supplier_ruc,
            row.supplier_identifier,
            row.amount,
            row.currency,
            row.awarded_at,
            row.status,
        )
        for row in rows
    ]


def award_changes(session) -> list[tuple]:
    session.expire_all()
    query = select(OpportunityChange).where(OpportunityChange.field == "awards")
    return [(c.kind, c.old_value, c.new_value) for c in session.scalars(query)]


def test_a_record_without_awards_hashes_as_it_did_before_awards_existed():
    """The value the code gave at the commit before AwardRecord was added (c0d9ddf), so no
    stored notice looks changed after the upgrade."""
    record = OpportunityRecord(
        source_ref="CP-SER-1-2026",
        title="Servicio de limpieza de vías públicas",
        description="Limpieza diaria",
        buyer=BuyerRecord(name="MUNICIPALIDAD DISTRITAL DE CERRO COLORADO", ruc="20131312955"),
        object_type="services",
        procedure_type_code="CP",
        classifications=(ClassificationRecord("UNSPSC", "76111501", "Limpieza"),),
        region_code="04",
        estimated_value=Decimal("34100.00"),
        published_at=datetime(2026, 1, 10, 14, 0, tzinfo=UTC),
        deadline_at=datetime(2026, 2, 5, 22, 0, tzinfo=UTC),
        url="https://prod2.seace.gob.pe/aviso/1",
        ocid="ocds-dgv273-seacev3-1",
    )
    assert content_hash(record) == (
        "07d8470f19065a5210d0efa5906af99cc77eb6dd420f04cea254ddcbd82bffa8"
    )
    assert content_hash(replace(record, awards=(ANDINA,))) != content_hash(record)


def test_awards_are_stored_with_the_notice_in_the_sources_order(session, ingest):
    consortium = AwardRecord(
        supplier_name="Ferretería Qhapaq S.A.C.",
        supplier_ruc="20601234560",  # wrong check digit: not kept as a RUC
        supplier_identifier="CONS-7",
        amount=Decimal("80000.5"),
        currency="usd",
        status="cancelled",
        source_award_id="A2",
    )
    partner = replace(consortium, supplier_name="Textiles Chavín E.I.R.L.", supplier_ruc=None)
    tally = ingest(notice(awards=(ANDINA, consortium, partner)), notice(source_ref="other"))

    assert tally.new == 2
    assert stored_awards(session) == [
        (0, "A1", "Constructora Andina S.A.C.", RUC, None, Decimal("150000.00"), "PEN",
         datetime(2026, 6, 18, 17, 0, tzinfo=UTC), "active"),
        (1, "A2", "Ferretería Qhapaq S.A.C.", None, "CONS-7", Decimal("80000.50"), "USD",
         None, "cancelled"),
        (2, "A2", "Textiles Chavín E.I.R.L.", None, "CONS-7", Decimal("80000.50"), "USD",
         None, "cancelled"),
    ]  # fmt: skip
    assert award_changes(session) == []


def test_a_published_award_is_stored_and_recorded_as_a_change(session, ingest):
    ingest(notice())
    tally = ingest(
        notice(status=OpportunityStatus.AWARDED, awards=(ANDINA,)), now=NOW + timedelta(days=1)
    )

    assert tally.updated == 1
    assert [row[2:4] for row in stored_awards(session)] == [("Constructora Andina S.A.C.", RUC)]
    assert award_changes(session) == [
        (
            ChangeKind.DETAILS_CHANGED,
            None,
            '[{"award":"A1","supplier":"Constructora Andina S.A.C.","ruc":"20601234565",'
            '"amount":"150000","currency":"PEN","status":"active"}]',
        )
    ]
    opportunity = session.scalar(select(Opportunity))
    assert opportunity.needs_matching
    assert {c.field for c in opportunity.changes} == {"status", "awards"}


def test_awards_replaced_by_others_and_then_withdrawn_are_both_in_the_history(session, ingest):
    ingest(notice(awards=(ANDINA,)))
    cancelled = replace(ANDINA, status="cancelled")
    other = AwardRecord(supplier_name="Servicios Misti E.I.R.L.", amount=Decimal("149000.00"))
    ingest(notice(awards=(cancelled, other)), now=NOW + timedelta(days=1))
    ingest(notice(), now=NOW + timedelta(days=2))

    andina = (
        '{"award":"A1","supplier":"Constructora Andina S.A.C.","ruc":"20601234565",'
        '"amount":"150000","currency":"PEN","status":"%s"}'
    )
    misti = (
        '{"supplier":"Servicios Misti E.I.R.L.","amount":"149000","currency":"PEN",'
        '"status":"active"}'
    )
    assert award_changes(session) == [
        (
            ChangeKind.DETAILS_CHANGED,
            f"[{andina % 'active'}]",
            f"[{andina % 'cancelled'},{misti}]",
        ),
        (ChangeKind.DETAILS_CHANGED, f"[{andina % 'cancelled'},{misti}]", None),
    ]
    assert stored_awards(session) == []


def test_a_corrected_award_date_updates_the_row_without_telling_anyone(session, ingest):
    ingest(notice(awards=(ANDINA,)))
    corrected = replace(ANDINA, awarded_at=ANDINA.awarded_at + timedelta(days=1))
    tally = ingest(notice(awards=(corrected,)), now=NOW + timedelta(days=1))

    assert tally.updated == 1
    assert [row[7] for row in stored_awards(session)] == [datetime(2026, 6, 19, 17, tzinfo=UTC)]
    assert award_changes(session) == []
    again = ingest(notice(awards=(corrected,)), now=NOW + timedelta(days=2))
    assert (again.updated, again.unchanged) == (0, 1)


def test_an_award_the_database_cannot_hold_fails_its_notice_alone(session, ingest):
    naive = replace(ANDINA, awarded_at=datetime(2026, 6, 18, 12, 0))
    huge = replace(ANDINA, amount=Decimal("1e20"), source_award_id="huge")
    tally = ingest(notice(source_ref="naive", awards=(naive,)), notice(awards=(huge,)))

    assert (tally.new, tally.failed) == (1, 1)
    [failure] = session.scalars(select(ScrapeItemFailure))
    assert failure.item_ref == "naive" and "awarded_at sin zona horaria" in failure.reason
    assert [(row[1], row[5]) for row in stored_awards(session)] == [("huge", None)]


def test_awards_kept_through_another_change_are_left_as_they_were(session, ingest):
    odd_cents = replace(ANDINA, amount=Decimal("80000.5"), currency="USD")
    ingest(notice(awards=(odd_cents,)))
    ids_before = [row.id for row in session.scalars(select(OpportunityAward))]

    tally = ingest(
        notice(title="Mejoramiento del local", awards=(odd_cents,)), now=NOW + timedelta(days=1)
    )

    assert tally.updated == 1
    session.expire_all()
    assert [row.id for row in session.scalars(select(OpportunityAward))] == ids_before
    assert award_changes(session) == []
