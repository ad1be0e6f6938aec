"""A scrape run leaves the search index equal to the database, batch after batch.

Ingest writes each batch inside a SAVEPOINT and indexes a few thousand committed rows at a time,
in a writer process; these tests shrink both sizes so a handful of real releases crosses every
boundary.
"""

import logging
from datetime import UTC, datetime

import pytest

from portal.search import hooks
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


@pytest.fixture
def writer_processes(monkeypatch):
    """The index directories writer processes were started for, in order."""
    started = []
    real = hooks.WriterProcess

    def start(index_dir):
        started.append(str(index_dir))
        return real(index_dir)

    monkeypatch.setattr(hooks, "WriterProcess", start)
    return started


def test_every_committed_notice_of_a_run_is_searchable(
    app, session, fetcher, make_source, paraguay_packages, small_index_batches, writer_processes
):
    source = make_source("paraguay", SourceKind.OCDS, paraguay_packages.as_uri())

    run = run_source(session, source, NOW, fetcher, RunOptions(batch_size=2))

    assert run.status == RunStatus.SUCCEEDED and run.new > 3
    assert writer_processes == [app.config["PORTAL_INDEX_DIR"]]
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


def test_a_failed_writer_process_keeps_the_run_and_repair_restores_the_index(
    app,
    session,
    fetcher,
    make_source,
    paraguay_packages,
    small_index_batches,
    monkeypatch,
    tmp_path,
    caplog,
):
    not_a_directory = tmp_path / "index-is-a-file"
    not_a_directory.write_text("")
    real = hooks.WriterProcess
    monkeypatch.setattr(hooks, "WriterProcess", lambda _index_dir: real(not_a_directory))
    source = make_source("paraguay", SourceKind.OCDS, paraguay_packages.as_uri())

    with caplog.at_level(logging.ERROR, logger=hooks.__name__):
        run = run_source(session, source, NOW, fetcher, RunOptions(batch_size=2))

    assert run.status == RunStatus.SUCCEEDED and run.new > 3
    assert "index writer process failed" in caplog.text
    index_dir = app.config["PORTAL_INDEX_DIR"]
    assert index_status(session, index_dir).indexed["opportunity"] < run.new
    assert repair(session, index_dir).missing > 0
    status = index_status(session, index_dir)
    assert status.indexed == status.database
