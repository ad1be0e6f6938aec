"""A description is stored cut at 20,000 characters, at a word, with "…": a 5 MB annex pasted into
a feed no longer travels whole to the page, the API and every change row."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.excerpts import excerpt
from portal.opportunities.models import Opportunity, OpportunityChange
from scrapers.ingest import MAX_DESCRIPTION_CHARS
from scrapers.models import RunStatus, SourceKind
from scrapers.pipeline import run_source

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WORDS = [f"anexo{number}" for number in range(600_000)]  # "anexo0 anexo1 …": about 5 MB
LONG = " ".join(WORDS)


def rss(description: str) -> bytes:
    item = (
        "<item><guid>aviso-1</guid><title>Obra de riego</title>"
        f"<description>{description}</description>"
        "<link>https://compras.example.pe/aviso/1</link></item>"
    )
    return f'<rss version="2.0"><channel><title>x</title>{item}</channel></rss>'.encode()


@pytest.fixture
def scrape_feed(session, make_source, fetcher, tmp_path):
    """Publishes the feed with the given description and runs the source once more."""
    path = tmp_path / "avisos.rss"
    source = make_source("riego", SourceKind.FEED, path.as_uri())

    def scrape(description: str, now: datetime = NOW):
        path.write_bytes(rss(description))
        run = run_source(session, source, now, fetcher)
        assert run.status == RunStatus.SUCCEEDED, run.error
        return run

    return scrape


def stored_description(session) -> str:
    return session.scalar(select(Opportunity.description))


def test_a_long_description_is_stored_cut_at_a_word(session, scrape_feed):
    scrape_feed(LONG)

    stored = stored_description(session)
    assert len(LONG) > 4_000_000
    assert len(stored) <= MAX_DESCRIPTION_CHARS and stored.endswith("…")
    kept = stored[:-1].split(" ")
    assert kept == WORDS[: len(kept)]  # whole words, in order, none cut
    assert len(stored) > MAX_DESCRIPTION_CHARS - len(WORDS[len(kept)]) - 2  # as many as fit


def test_a_description_within_the_cap_is_stored_whole(session, scrape_feed):
    text = " ".join(WORDS)[:MAX_DESCRIPTION_CHARS].rsplit(" ", 1)[0]

    scrape_feed(text)

    assert stored_description(session) == text


def test_the_same_long_description_seen_again_changes_nothing(session, scrape_feed):
    scrape_feed(LONG)
    again = scrape_feed(LONG, NOW + timedelta(hours=1))

    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert session.scalar(select(func.count(OpportunityChange.id))) == 0


def test_a_change_beyond_the_cap_is_no_change_row_with_megabytes(session, scrape_feed):
    scrape_feed(LONG)
    scrape_feed("Obra de riego: bases corregidas. " + LONG, NOW + timedelta(hours=1))

    change = session.scalar(select(OpportunityChange))
    assert change.field == "description"
    assert len(change.old_value) <= MAX_DESCRIPTION_CHARS
    assert change.new_value == excerpt("Obra de riego: bases corregidas. " + LONG, 20_000)


def test_the_api_gives_the_stored_description_in_detail_and_a_snippet_in_lists(
    session, client, scrape_feed
):
    scrape_feed(LONG)
    opportunity_id = session.scalar(select(Opportunity.id))

    detail = client.get(f"/api/v1/opportunities/{opportunity_id}").get_json()["data"]
    [listed] = client.get("/api/v1/opportunities").get_json()["data"]

    assert detail["description"] == stored_description(session)
    assert listed["description"] == excerpt(LONG, 300)
    assert len(listed["description"]) <= 300 and listed["description"].startswith("anexo0 anexo1")
