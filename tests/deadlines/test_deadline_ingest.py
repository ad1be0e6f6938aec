"""Ingest fills the five columns for every notice it stores, from rules read once per run."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from portal.db import db
from portal.deadlines.settings import save_admin_floor
from portal.opportunities.models import Opportunity
from scrapers.ingest import Ingestor
from scrapers.models import ScrapeRun, SourceKind
from scrapers.records import OpportunityRecord
from scrapers.sources import add_source

LIMA = ZoneInfo("America/Lima")
NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
MONDAY = datetime(2026, 3, 2, 10, tzinfo=LIMA)
FRIDAY = datetime(2026, 3, 6, 17, tzinfo=LIMA)  # four business days after MONDAY


def notice(ref: str, **fields) -> OpportunityRecord:
    values = {
        "source_ref": ref,
        "title": "Adquisición de uniformes escolares",
        "procedure_type_code": "AS",
        "published_at": MONDAY,
        "deadline_at": FRIDAY,
    }
    return OpportunityRecord(**(values | fields))


@pytest.fixture
def ingest(session):
    source = add_source(session, "seace", SourceKind.FEED, None)
    session.commit()

    def run(*records):
        scrape_run = ScrapeRun(source_id=source.id, started_at=NOW)
        session.add(scrape_run)
        session.commit()
        ingestor = Ingestor(session, source, scrape_run.id, NOW)
        ingestor.consume(records)
        return ingestor.finish()

    return run


def stored(session, ref: str) -> tuple:
    row = session.execute(
        select(
            Opportunity.minimum_days,
            Opportunity.minimum_day_kind,
            Opportunity.minimum_basis,
            Opportunity.given_days,
            Opportunity.short_deadline,
        ).where(Opportunity.source_ref == ref)
    ).one()
    return tuple(row)


def test_new_notices_get_their_minimum_and_flag(session, ingest):
    ingest(
        notice("short"),
        notice("enough", deadline_at=datetime(2026, 3, 10, 17, tzinfo=LIMA)),  # six days
        notice("direct", procedure_type_code="CD"),
        notice("private", procedure_type_code=None),  # no floor set: nothing to compare
        notice("undated", deadline_at=None),
    )

    assert stored(session, "short") == (6, "business", "legal", 4, True)
    assert stored(session, "enough") == (6, "business", "legal", 6, False)
    assert stored(session, "direct") == (None, None, None, None, False)
    assert stored(session, "private") == (None, None, None, None, False)
    assert stored(session, "undated") == (6, "business", "legal", None, False)


def test_an_unknown_procedure_code_falls_to_the_floor(session, ingest, make_user):
    save_admin_floor(session, 5, make_user().id, NOW)
    session.commit()

    ingest(notice("mining", procedure_type_code=None), notice("odd", procedure_type_code="XYZ"))

    assert stored(session, "mining") == (5, "business", "admin", 4, True)
    assert stored(session, "odd") == (5, "business", "admin", 4, True)


def test_an_extended_deadline_clears_the_flag(session, ingest):
    ingest(notice("A"))
    assert stored(session, "A")[3:] == (4, True)

    ingest(notice("A", deadline_at=datetime(2026, 3, 12, 17, tzinfo=LIMA)))

    assert stored(session, "A")[3:] == (8, False)


def test_ingest_reads_the_rules_once_per_run_not_per_notice(session, ingest):
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    records = [
        notice(f"N{number}", procedure_type_code=code)
        for number, code in (
            *((n, "AS") for n in range(40)),
            *((n + 40, None) for n in range(40)),
        )
    ]
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        ingest(*records)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    # 80 notices, one read each of the floor and of the decreed non-working days, and at most
    # two of procedure types (codes, minimums)
    assert sum("site_settings" in statement for statement in statements) == 2
    assert sum("FROM procedure_types" in statement for statement in statements) <= 2
    assert session.scalar(select(Opportunity.short_deadline).where(Opportunity.source_ref == "N0"))
