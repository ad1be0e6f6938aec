"""The snapshot runs daily in the scheduler, after the night's deadline refresh, and by hand
with `portal statistics snapshot`."""

from sqlalchemy import select

from portal.statistics.models import StatisticsSnapshot
from scrapers.scheduler import STATISTICS_JOB_ID, build_scheduler


def test_the_scheduler_takes_the_snapshot_every_night_in_lima(app):
    scheduler = build_scheduler(app, blocking=False)

    job = scheduler.get_job(STATISTICS_JOB_ID)

    fields = {field.name: str(field) for field in job.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("3", "50")
    assert str(job.trigger.timezone) == "America/Lima"
    assert job.coalesce and job.max_instances == 1


def test_the_command_takes_a_snapshot(runner, session, data_set):
    result = runner.invoke(args=["statistics", "snapshot"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Instantánea 1:")
    snapshot = session.scalar(select(StatisticsSnapshot))
    assert snapshot.completed_at is not None and snapshot.row_count > 0
    assert snapshot.offset_minutes == -300
