"""The scheduler: one job per active source, and a lease so two processes never run one source."""

import io
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import db, utcnow
from scrapers.models import RawPayload, ScrapeRun, SourceKind
from scrapers.raw import store_raw_payload
from scrapers.scheduler import (
    PRUNE_JOB_ID,
    RECONCILE_JOB_ID,
    build_scheduler,
    claim_source,
    prune_scheduled_payloads,
    reconcile_jobs,
    release_source,
    renew_lease,
    run_scheduled_source,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=30)
SCHEDULER_PROCESS = Path(__file__).with_name("scheduler_process.py")


def claim_concurrently(engine, source_id: int, holders: list[str]) -> dict[str, bool]:
    """Each holder claims from its own thread and connection, released at the same moment."""
    barrier = threading.Barrier(len(holders))
    results: dict[str, bool] = {}

    def claim(holder: str) -> None:
        with Session(engine) as session:
            barrier.wait()
            results[holder] = claim_source(session, source_id, holder, NOW, LEASE)

    threads = [threading.Thread(target=claim, args=(holder,)) for holder in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_concurrent_claimers_never_both_get_the_lease(session, make_source):
    source = make_source("placsp")
    winners = []
    for round_number in range(5):
        results = claim_concurrently(db.engine, source.id, [f"a{round_number}", f"b{round_number}"])
        assert sorted(results.values()) == [False, True]
        winner = next(holder for holder, won in results.items() if won)
        winners.append(winner)
        release_source(session, source.id, winner)
    assert len(winners) == 5


def test_an_expired_lease_can_be_taken_over_and_a_live_one_cannot(session, make_source):
    source = make_source("placsp")
    assert claim_source(session, source.id, "first", NOW, LEASE)

    assert not claim_source(session, source.id, "second", NOW + timedelta(minutes=10), LEASE)
    assert claim_source(session, source.id, "second", NOW + timedelta(minutes=31), LEASE)


def test_only_the_holder_renews_a_lease_and_a_renewed_lease_is_not_taken_over(session, make_source):
    source = make_source("placsp")
    claim_source(session, source.id, "first", NOW, LEASE)

    with db.engine.begin() as connection:
        assert not renew_lease(connection, source.id, "second", NOW, LEASE)
        assert renew_lease(connection, source.id, "first", NOW + timedelta(minutes=20), LEASE)

    assert not claim_source(session, source.id, "second", NOW + timedelta(minutes=31), LEASE)
    assert claim_source(session, source.id, "second", NOW + timedelta(minutes=51), LEASE)


def wait_for_request(http_server, path: str, timeout: float = 10.0) -> None:
    """Block until the server has seen the path: the run is then under way, lease taken."""
    deadline = time.monotonic() + timeout
    while not http_server.seen(path):
        assert time.monotonic() < deadline, f"{path} never requested"
        time.sleep(0.02)


def test_a_run_longer_than_the_lease_keeps_it_renewed_until_it_ends(
    app, session, make_source, http_server, shared_fixtures
):
    app.config["PORTAL_FETCH_MIN_INTERVAL"] = 0
    app.config["PORTAL_LEASE_MINUTES"] = 0.02  # 1.2 s, renewed every 0.4 s
    atom = (shared_fixtures / "placsp-atom/menores.atom").read_bytes()
    url = http_server.route("/feed", http_server.Reply(body=atom, delay=3.0))
    source = make_source("placsp", SourceKind.FEED, url)
    job = threading.Thread(target=run_scheduled_source, args=(app, source.id, "first"))
    job.start()
    wait_for_request(http_server, "/feed")

    time.sleep(1.8)  # one and a half leases: an unrenewed lease would have lapsed
    stolen = claim_source(session, source.id, "second", utcnow(), timedelta(minutes=30))
    job.join()

    assert not stolen
    session.expire_all()
    assert source.lease_holder is None and source.last_success_at is not None


@pytest.fixture
def start_scheduler_process(database_url, tmp_path):
    """Start a scheduler process of its own on the test database; killed if a test leaves it."""
    processes = []

    def start(source_id: int, holder: str) -> subprocess.Popen:
        arguments = [database_url, str(tmp_path / holder), str(source_id), holder]
        process = subprocess.Popen(
            [sys.executable, str(SCHEDULER_PROCESS), *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        assert process.stdout.readline().strip() == "ready"
        return process

    yield start
    for process in processes:
        process.kill()
        process.wait()
        process.stdin.close()
        process.stdout.close()


def test_two_scheduler_processes_racing_for_one_source_run_it_once(
    session, make_source, http_server, shared_fixtures, start_scheduler_process
):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("two scheduler processes share a database in production on PostgreSQL")
    atom = (shared_fixtures / "placsp-atom/menores.atom").read_bytes()
    url = http_server.route("/feed", http_server.Reply(body=atom, delay=1.0))
    source = make_source("placsp", SourceKind.FEED, url)
    processes = [start_scheduler_process(source.id, holder) for holder in ("a", "b")]

    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    outcomes = sorted(process.communicate(timeout=60)[0].strip() for process in processes)

    assert outcomes == ["ran", "skipped"]
    assert session.scalar(select(func.count(ScrapeRun.id))) == 1
    assert len(http_server.seen("/feed")) == 1


def test_scheduled_job_runs_the_source_and_frees_the_lease(
    app, session, make_source, shared_fixtures
):
    app.config["PORTAL_FETCH_MIN_INTERVAL"] = 0
    feed = (shared_fixtures / "placsp-atom/menores.atom").as_uri()
    source = make_source("placsp", SourceKind.FEED, feed)

    run_scheduled_source(app, source.id, "tester")

    session.expire_all()
    assert session.scalar(select(func.count(ScrapeRun.id))) == 1
    assert source.lease_holder is None and source.last_success_at is not None


def test_scheduled_job_skips_a_source_leased_by_another_process(
    app, session, make_source, shared_fixtures
):
    feed = (shared_fixtures / "placsp-atom/menores.atom").as_uri()
    source = make_source("placsp", SourceKind.FEED, feed)
    claim_source(session, source.id, "other-process", datetime.now(UTC), LEASE)

    run_scheduled_source(app, source.id, "tester")

    assert session.scalar(select(func.count(ScrapeRun.id))) == 0


def test_scheduler_has_one_coalesced_job_per_active_source(app, session, make_source):
    make_source("placsp", interval_minutes=15)
    make_source("seace", interval_minutes=60)
    retired = make_source("viejo")
    retired.active = False
    session.commit()

    scheduler = build_scheduler(app, blocking=False)

    jobs = {job.id: job for job in scheduler.get_jobs() if job.id.startswith("scrape:")}
    assert set(jobs) == {"scrape:placsp", "scrape:seace"}
    job = jobs["scrape:placsp"]
    assert job.trigger.interval == timedelta(minutes=15)
    assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time > 0


@pytest.fixture
def paused_scheduler(app):
    """Built on an empty sources table and started as in production, paused so no job runs."""
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start(paused=True)
    yield scheduler
    scheduler.shutdown(wait=False)


def source_jobs(scheduler) -> dict:
    return {job.id: job for job in scheduler.get_jobs() if job.id.startswith("scrape:")}


def test_reconcile_schedules_new_sources_drops_retired_ones_and_follows_intervals(
    app, session, make_source, paused_scheduler
):
    placsp = make_source("placsp", interval_minutes=15)
    seace = make_source("seace", interval_minutes=60)
    reconcile_jobs(app, paused_scheduler, "tester")
    assert set(source_jobs(paused_scheduler)) == {"scrape:placsp", "scrape:seace"}
    cdmx = make_source("cdmx", interval_minutes=120)
    seace.active = False
    placsp.interval_minutes = 30
    session.commit()

    reconcile_jobs(app, paused_scheduler, "tester")

    jobs = source_jobs(paused_scheduler)
    assert set(jobs) == {"scrape:placsp", "scrape:cdmx"}
    assert jobs["scrape:placsp"].trigger.interval == timedelta(minutes=30)
    assert jobs["scrape:cdmx"].trigger.interval == timedelta(minutes=120)
    assert jobs["scrape:cdmx"].args[1:] == (cdmx.id, "tester")


def test_reconcile_follows_a_key_registered_again_under_a_new_row(
    app, session, make_source, paused_scheduler
):
    old = make_source("placsp")
    session.delete(old)
    session.commit()
    new = make_source("placsp")

    reconcile_jobs(app, paused_scheduler, "tester")

    assert source_jobs(paused_scheduler)["scrape:placsp"].args[1] == new.id


def test_scheduler_reconciles_sources_every_few_minutes_and_prunes_payloads_daily(app):
    scheduler = build_scheduler(app, blocking=False)

    reconcile = scheduler.get_job(RECONCILE_JOB_ID)
    prune = scheduler.get_job(PRUNE_JOB_ID)
    assert reconcile.func is reconcile_jobs and reconcile.trigger.interval == timedelta(minutes=5)
    assert prune.func is prune_scheduled_payloads and prune.args == (app,)
    assert str(prune.trigger) == "cron[hour='3']"


def test_prune_job_deletes_payloads_older_than_the_retention(app, session, make_source):
    app.config["PORTAL_RAW_RETENTION_DAYS"] = 90
    source = make_source("placsp")
    for age_days, body in ((91, b"old"), (89, b"recent")):
        store_raw_payload(
            session, source, None, io.BytesIO(body), utcnow() - timedelta(days=age_days)
        )
    session.commit()

    prune_scheduled_payloads(app)

    session.expire_all()
    assert session.scalars(select(RawPayload.sha256)).all() == [sha256(b"recent").hexdigest()]
