"""The scheduler repairs the index at start-up and every few minutes."""

from datetime import UTC, datetime, timedelta

from portal.search.jobs import REPAIR_MINUTES, repair_index
from portal.search.params import SearchParams
from portal.search.query import search
from portal.search.sync import RepairReport
from scrapers.scheduler import REPAIR_JOB_ID, build_scheduler


def test_scheduler_repairs_the_index_at_start_up_and_every_few_minutes(app):
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start(paused=True)  # jobs get their run times; none runs
    try:
        job = scheduler.get_job(REPAIR_JOB_ID)
    finally:
        scheduler.shutdown(wait=False)

    assert job.func is repair_index and job.args == (app,)
    assert job.trigger.interval == timedelta(minutes=REPAIR_MINUTES)
    assert job.max_instances == 1 and job.coalesce
    assert job.next_run_time - datetime.now(UTC) < timedelta(seconds=5)  # first run: start-up


def test_repair_job_indexes_what_a_read_only_worker_committed(app, make_opportunity, now):
    app.config["PORTAL_INDEX_WRITER"] = False  # a web worker: it commits but never indexes
    edited = make_opportunity("Adquisición de bombas de agua")
    app.config["PORTAL_INDEX_WRITER"] = True
    assert search(SearchParams(q="bombas"), now).total == 0

    assert repair_index(app) == RepairReport(missing=1, stale=0, orphans=0)

    assert [hit.id for hit in search(SearchParams(q="bombas"), now).hits] == [edited.id]
