"""The scheduler: one job per active source, and a lease so two processes never run one source."""

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import db
from scrapers.models import ScrapeRun, SourceKind
from scrapers.scheduler import build_scheduler, claim_source, release_source, run_scheduled_source

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=30)


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

    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"scrape:placsp", "scrape:seace"}
    job = jobs["scrape:placsp"]
    assert job.trigger.interval == timedelta(minutes=15)
    assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time > 0
