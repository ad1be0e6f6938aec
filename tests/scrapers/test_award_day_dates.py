"""An award's date given as a day ("2026-03-05", an xs:date, or that day's midnight in UTC or
any offset) is that day on every page, never the day before in Lima; a date with a time of day
stays the moment it says."""

import io
import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from lxml import html
from sqlalchemy import select

from portal.opportunities.models import Opportunity, OpportunityAward
from scrapers import feed, ocds
from scrapers.dates import to_utc_day
from scrapers.ingest import Ingestor
from scrapers.models import ScrapeRun, SourceKind
from scrapers.records import OpportunityRecord, ParseContext
from scrapers.sources import add_source, parse_context

LIMA = ZoneInfo("America/Lima")
MADRID = ZoneInfo("Europe/Madrid")
ASUNCION = ZoneInfo("America/Asuncion")
FIFTH_OF_MARCH = datetime(2026, 3, 5, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-05",
        " 2026-03-05 ",
        "2026-03-05Z",
        "2026-03-05+01:00",  # xs:date with its zone: fromisoformat would read 01:00 o'clock
        "2026-03-05-05:00",
        "2026-03-05T00:00:00Z",
        "2026-03-05T00:00:00.000Z",
        "2026-03-05T00:00:00-04:00",
        "2026-03-05T00:00:00+01:00",
        "2026-03-05T00:00:00",
        "05/03/2026",
        "20260305",  # ISO 8601's basic format, as to_utc reads it
        20260305,
        date(2026, 3, 5),
        datetime(2026, 3, 5, tzinfo=UTC),
    ],
)
@pytest.mark.parametrize("zone", [LIMA, MADRID, ASUNCION])
def test_a_day_is_kept_as_that_day_whatever_the_source_zone(value, zone):
    assert to_utc_day(value, zone) == FIFTH_OF_MARCH
    assert to_utc_day(value, zone).astimezone(LIMA).date() == date(2026, 3, 5)
    assert to_utc_day(value, zone).astimezone(ZoneInfo("Asia/Tokyo")).date() == date(2026, 3, 5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-05T15:30:00-05:00", datetime(2026, 3, 5, 20, 30, tzinfo=UTC)),
        ("2026-03-05T23:59:00Z", datetime(2026, 3, 5, 23, 59, tzinfo=UTC)),
        ("2026-03-05T00:00:01-05:00", datetime(2026, 3, 5, 5, 0, 1, tzinfo=UTC)),
        ("2026-03-05T09:00:00", datetime(2026, 3, 5, 14, tzinfo=UTC)),  # the source's zone
        ("05/03/2026 10:15", datetime(2026, 3, 5, 15, 15, tzinfo=UTC)),
    ],
)
def test_a_date_with_a_time_of_day_is_the_moment_it_says(value, expected):
    assert to_utc_day(value, LIMA) == expected


@pytest.mark.parametrize("value", [None, "", "pronto", "2026-02-30", "2026-13-01Z", 3.5])
def test_what_is_no_date_stays_unknown(value):
    assert to_utc_day(value, LIMA) is None


def release(award_date: str) -> dict:
    return {
        "ocid": "ocds-dgv273-seacev3-6001",
        "id": "6001-award",
        "date": "2026-03-06T09:00:00-05:00",
        "tag": ["tender", "award"],
        "buyer": {"id": "PE-RUC-20131312955", "name": "Seguro Social de Salud"},
        "tender": {
            "id": "AS-6001",
            "title": "Adquisición de oxígeno medicinal",
            "status": "complete",
        },
        "awards": [
            {
                "id": "AS-6001-1",
                "status": "active",
                "date": award_date,
                "value": {"amount": 5000, "currency": "PEN"},
                "suppliers": [{"name": "Oxígeno del Sur S.A.C."}],
            }
        ],
    }


@pytest.mark.parametrize("award_date", ["2026-03-05", "2026-03-05T00:00:00Z"])
def test_the_page_and_the_api_show_the_award_day_the_source_gave(session, client, award_date):
    source = add_source(session, "oece", SourceKind.OCDS, "https://example.org/oece.json")
    run = ScrapeRun(source_id=source.id, started_at=datetime(2026, 3, 6, 15, tzinfo=UTC))
    session.add(run)
    session.commit()
    payload = json.dumps({"uri": "x", "releases": [release(award_date)]}).encode()
    ingestor = Ingestor(session, source, run.id, datetime(2026, 3, 6, 15, tzinfo=UTC))
    ingestor.consume(ocds.parse(io.BytesIO(payload), parse_context(source)))
    ingestor.finish()

    assert session.scalar(select(OpportunityAward.awarded_at)) == FIFTH_OF_MARCH
    opportunity = session.scalar(select(Opportunity))
    page = html.fromstring(client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True))
    [award] = page.cssselect("section.awards li.award")
    facts = dict(
        zip(
            [term.text_content().strip() for term in award.cssselect("dt")],
            [value.text_content().strip() for value in award.cssselect("dd")],
            strict=True,
        )
    )
    assert facts["Fecha"] == "05/03/2026"
    api = client.get(f"/api/v1/opportunities/{opportunity.id}").get_json()["data"]
    assert api["awards"][0]["date"] == "2026-03-05T12:00:00Z"


def test_placsp_award_dates_are_the_days_they_name(shared_fixtures):
    payload = (shared_fixtures / "placsp-atom" / "menores.atom").read_bytes()
    items = feed.parse(io.BytesIO(payload), ParseContext(source_key="placsp"))
    days = {
        award.awarded_at
        for item in items
        if isinstance(item, OpportunityRecord)
        for award in item.awards
    }
    raw_days = {
        line.split(">")[1].split("<")[0] for line in payload.decode().split("<cbc:AwardDate")[1:]
    }
    assert {moment.astimezone(LIMA).date().isoformat() for moment in days} == raw_days
    assert all(moment.time().hour == 12 for moment in days)
