"""A scrape run leaves the search index equal to the database, batch after batch.

Ingest writes each batch inside a SAVEPOINT and indexes a few thousand committed rows at a time;
these tests shrink both sizes so a handful of real releases crosses every boundary.
"""

from datetime import UTC, datetime

import pytest

from portal.search.params import SearchParams
from portal.search.query import search
from portal.search.sync import RepairReport, index_status, repair
from scrapers import ingest
from scrapers.models import RunStatus, SourceKind
from scrapers.pipeline import RunOptions, run_source

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PARAGUAY_RELEASES = "ocds-sample-data/paraguay/releases"


@pytest.fixture
def paraguay_packages(shared_fixtures, tmp_path):
    """The real Paraguayan release packages, concatenated as a bulk download serves them."""
    payload = tmp_path / "paraguay.json"
    files = sorted((shared_fixtures / PARAGUAY_RELEASES).glob("*.json"))
    payload.write_bytes(b"\n".join(path.read_bytes() for path in files))
    return payload


@pytest.fixture
def small_index_batches(monkeypatch):
    monkeypatch.setattr(ingest, "INDEX_BATCH_SIZE", 3)


def test_every_committed_notice_of_a_run_is_searchable(
    app, session, fetcher, make_source, paraguay_packages, small_index_batches
):
    source = make_source("paraguay", SourceKind.OCDS, paraguay_packages.as_uri())

    run = run_source(session, source, NOW, fetcher, RunOptions(batch_size=2))

    assert run.status == RunStatus.SUCCEEDED and run.new > 3
    status = index_status(session, app.config["PORTAL_INDEX_DIR"])
    assert status.indexed == status.database
    assert status.database["opportunity"] == run.new
    assert repair(session, app.config["PORTAL_INDEX_DIR"]) == RepairReport(0, 0, 0)
    every_status = SearchParams(q="adquisición", statuses=())
    assert search(every_status, NOW).total > 0


def test_a_second_run_with_nothing_new_leaves_the_index_as_it_was(
    app, session, fetcher, make_source, paraguay_packages, small_index_batches
):
    source = make_source("paraguay", SourceKind.OCDS, paraguay_packages.as_uri())
    run_source(session, source, NOW, fetcher, RunOptions(batch_size=2))
    before = index_status(session, app.config["PORTAL_INDEX_DIR"])

    again = run_source(session, source, NOW, fetcher, RunOptions(batch_size=2))

    assert again.new == 0
    assert index_status(session, app.config["PORTAL_INDEX_DIR"]) == before
    assert repair(session, app.config["PORTAL_INDEX_DIR"]) == RepairReport(0, 0, 0)
