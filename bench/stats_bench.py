"""Statistics benchmark: the dashboard over 1,000,000 alert deliveries and 300,000 calls,
median page time with no snapshot (cold) and from the daily snapshot, on SQLite and
PostgreSQL.

    python bench/stats_bench.py [--deliveries 1000000] [--opportunities 300000]
                                [--backends sqlite,postgresql] [--repeat 15] [--cold-repeat 5]
                                [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/sb]

The data is two years of a national portal (bench/stats_data.py: realistic shapes, bulk
inserts). Each page is requested through the Flask test client (the whole request: routing,
sign-in check, queries, template), signed in as an administrator for /admin/estadisticas.
"cold" is the page with no snapshot at all, every figure counted from the live tables;
"snapshot" is after `take_snapshot`, with a few calls and alerts arriving after it so the
live part is not empty. The first request of each page is left out of the median (it
compiles the SQL), as is every request's chart images, timed apart. Targets on this 2-core
machine: under 300 ms from the snapshot, under 5 s cold.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from match_bench import bench_app, database
from sqlalchemy import func, insert, select, update
from stats_data import generate

from notifications.models import AlertDelivery
from portal.accounts.models import Role, User
from portal.db import db
from portal.migrate import upgrade_database
from portal.opportunities.models import Opportunity
from portal.reference.loader import load_reference
from portal.statistics.snapshot import take_snapshot

PAGES = [
    ("admin", "/admin/estadisticas"),
    ("admin, region Lima", "/admin/estadisticas?region=15"),
    ("admin, sector 43", "/admin/estadisticas?sector=43000000"),
    ("admin, by entity", "/admin/estadisticas?por=buyer"),
    ("public", "/estadisticas"),
    ("public, by procedure", "/estadisticas?por=procedure"),
]
CHARTS = ["tendencia", "distribucion", "desglose", "plazo-corto", "actividad"]
LIMA_OFFSET = -300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--opportunities", type=int, default=300_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=15, help="requests per page, snapshot")
    parser.add_argument("--cold-repeat", type=int, default=5, help="requests per page, cold")
    parser.add_argument(
        "--database-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/stats_bench",
        help="PostgreSQL (created if missing, dropped at the end)",
    )
    options = parser.parse_args()
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    results = {}
    for backend in options.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="stats-bench-") as workdir:
            url = options.database_url if backend == "postgresql" else None
            url, cleanup = database(url, Path(workdir))
            try:
                results[backend] = run(url, Path(workdir), options, now)
            finally:
                cleanup()
    report(results, options)


def run(url: str, instance: Path, options, now: datetime) -> dict:
    app = bench_app(url, instance)
    upgrade_database(app)
    with app.app_context():
        load_reference(db.session)
        db.session.commit()
        started = time.perf_counter()
        generate(db.engine, options.opportunities, options.deliveries, now)
        generated = time.perf_counter() - started
        admin = User(email="admin@bench.example", password_hash="-", role=Role.ADMIN)
        db.session.add(admin)
        db.session.commit()
        admin_id = admin.get_id()
        db.session.remove()
    print(f"{backend_of(url)}: data in {generated:.0f} s", file=sys.stderr)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = admin_id, True
    measured = {"generate_s": generated}
    measured["cold"] = time_pages(client, options.cold_repeat)
    with app.app_context():
        summary = take_snapshot(db.engine, now, LIMA_OFFSET)
        arrive_after(now)
        db.session.remove()
    measured["snapshot_s"], measured["snapshot_rows"] = summary.seconds, summary.rows
    print(f"snapshot: {summary.rows:,} rows in {summary.seconds:.1f} s", file=sys.stderr)
    measured["warm"] = time_pages(client, options.repeat)
    measured["charts"] = time_charts(client, options.repeat)
    return measured


def arrive_after(now: datetime) -> None:
    """Calls and alerts newer than the snapshot, as a day brings: counted live. The calls
    are copies of the last 300 under new references; 500 pending alerts get sent."""
    with db.engine.begin() as connection:
        last = connection.scalar(select(func.max(Opportunity.id)))
        names = [column.name for column in Opportunity.__table__.c if column.name != "id"]
        copied = [
            (Opportunity.source_ref + "-late").label("source_ref")
            if name == "source_ref"
            else Opportunity.__table__.c[name]
            for name in names
        ]
        later = select(*copied).where(Opportunity.id > last - 300)
        connection.execute(insert(Opportunity).from_select(names, later))
        pending = select(AlertDelivery.id).where(AlertDelivery.status == "pending").limit(500)
        connection.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id.in_(pending.scalar_subquery()))
            .values(status="sent", sent_at=now + timedelta(minutes=10))
        )


def time_pages(client, repeat: int) -> dict:
    timings = {}
    for name, path in PAGES:
        times = []
        for number in range(repeat + 1):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            if number:  # the first compiles every statement
                times.append(elapsed)
        timings[name] = statistics.median(times)
        print(f"  {name}: {timings[name] * 1000:.0f} ms", file=sys.stderr)
    return timings


def time_charts(client, repeat: int) -> float:
    times = []
    for number in range(repeat + 1):
        started = time.perf_counter()
        for key in CHARTS:
            assert client.get(f"/admin/estadisticas/graficos/{key}.svg").status_code == 200
        if number:
            times.append((time.perf_counter() - started) / len(CHARTS))
    return statistics.median(times)


def backend_of(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def report(results: dict, options) -> None:
    print(
        f"\n{options.deliveries:,} deliveries, {options.opportunities:,} calls; median of "
        f"{options.repeat} requests from the snapshot, {options.cold_repeat} cold\n"
    )
    print(
        "| page | "
        + " | ".join(f"{b} cold" for b in results)
        + " | "
        + " | ".join(f"{b} snapshot" for b in results)
        + " |"
    )
    print("| --- |" + " ---: |" * (2 * len(results)))
    for name, _path in PAGES:
        cold = [f"{results[b]['cold'][name]:.2f} s" for b in results]
        warm = [f"{results[b]['warm'][name] * 1000:.0f} ms" for b in results]
        print(f"| {name} | " + " | ".join(cold + warm) + " |")
    for backend, measured in results.items():
        print(
            f"\n{backend}: data generated in {measured['generate_s']:.0f} s; snapshot "
            f"{measured['snapshot_rows']:,} rows in {measured['snapshot_s']:.1f} s; a chart "
            f"(SVG) {measured['charts'] * 1000:.0f} ms from the snapshot"
        )


if __name__ == "__main__":
    main()
