"""API listing benchmark: /api/v1/opportunities and /api/v1/plans through the Flask test client.

    python bench/api_listing_bench.py [--notices 20000] [--plans 200] [--rounds 30]
                                      [--workdir /tmp/api-listing-bench] [--reuse]

Builds a migrated SQLite database with generated notices (5 % open, as in the search
benchmark) and annual plans, indexes it as `portal index rebuild` does, then times each
request: the median and p95 of `--rounds` requests after one warm-up, with and without `q`,
first pages and a later page reached through the cursor.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select

from portal.app import create_app
from portal.buyers.models import Buyer
from portal.db import db
from portal.migrate import upgrade_database
from portal.opportunities.models import Opportunity, OpportunityClassification
from portal.plans.models import AnnualPlan, PlanLine
from portal.reference.loader import load_reference
from portal.search.sync import index_status, rebuild
from scrapers.models import Source, SourceKind

NOW = datetime.now(UTC).replace(microsecond=0)
SEED = 2026
OPEN_SHARE = 0.05
BUYERS = 500
WORDS = (
    "adquisición servicio mantenimiento computadoras uniformes escolares alimentos víveres "
    "obra construcción carretera puente agua potable saneamiento consultoría estudio limpieza "
    "vigilancia combustible medicamentos equipos médicos mobiliario útiles oficina transporte"
).split()
OBJECT_TYPES = ("goods", "services", "works", "consulting")
STATUSES = ("closed", "awarded", "cancelled", "deserted")
SEGMENTS = ("43000000", "53000000", "72000000", "80000000", "50000000", "42000000")
REQUESTS = (
    "/api/v1/opportunities?status=all",
    "/api/v1/opportunities?status=all&sort=closing",
    "/api/v1/opportunities?status=all&region=15&object_type=goods",
    "/api/v1/opportunities",
    "/api/v1/opportunities?q=servicio&status=all",
    "/api/v1/plans",
    "/api/v1/plans?sector=43000000",
)


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))).capitalize()


def _opportunity(rng: random.Random, number: int, source_id: int, buyers: list[int]) -> dict:
    is_open = rng.random() < OPEN_SHARE
    published = NOW - timedelta(days=rng.uniform(0, 900))
    deadline = NOW + timedelta(days=rng.uniform(0.5, 30)) if is_open else published
    return {
        "source_id": source_id,
        "source_ref": f"bench-{number}",
        "title": _title(rng),
        "description": " ".join(rng.choice(WORDS) for _ in range(40)),
        "object_type": rng.choice(OBJECT_TYPES),
        "region_code": f"{rng.randint(1, 25):02d}",
        "buyer_id": rng.choice(buyers),
        "estimated_value": None if rng.random() < 0.1 else Decimal(rng.randint(1000, 9_000_000)),
        "published_at": published,
        "deadline_at": None if rng.random() < 0.05 else deadline + timedelta(days=20),
        "status": "open" if is_open else rng.choice(STATUSES),
        "content_hash": f"{number:064d}",
    }


def load(app, notices: int, plans: int) -> None:
    """Generated rows in bulk, then the index written from them in one rebuild."""
    rng = random.Random(SEED)
    session = db.session
    source = Source(key="bench", name="Benchmark", kind=SourceKind.MANUAL)
    session.add(source)
    session.flush()
    buyer_rows = [
        {"name": f"Entidad {n}", "region_code": f"{n % 25 + 1:02d}", "government_level": "local"}
        for n in range(BUYERS)
    ]
    session.execute(insert(Buyer), buyer_rows)
    buyers = list(session.scalars(select(Buyer.id)))
    rows = [_opportunity(rng, n, source.id, buyers) for n in range(notices)]
    for start in range(0, notices, 5000):
        session.execute(insert(Opportunity), rows[start : start + 5000])
    ids = list(session.scalars(select(Opportunity.id)))
    classifications = [
        {"opportunity_id": i, "scheme": "UNSPSC", "code": rng.choice(SEGMENTS)[:4] + "1500"}
        for i in ids
    ]
    session.execute(insert(OpportunityClassification), classifications)
    for number in range(plans):
        plan = AnnualPlan(
            buyer_id=buyers[number % len(buyers)],
            fiscal_year=NOW.year - number // len(buyers),
            source_id=source.id,
            published_at=NOW - timedelta(days=rng.uniform(0, 300)),
        )
        plan.lines = [
            PlanLine(
                reference_number=str(line),
                description=_title(rng),
                object_type=rng.choice(OBJECT_TYPES),
                classification_code=rng.choice(SEGMENTS)[:4] + "1500",
                estimated_value=Decimal(rng.randint(1000, 900_000)),
                planned_month=rng.randint(1, 12),
                region_code=f"{rng.randint(1, 25):02d}",
            )
            for line in range(1, 51)
        ]
        session.add(plan)
    session.commit()
    rebuild(session, app.config["PORTAL_INDEX_DIR"])


def _timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code} {response.get_data(as_text=True)}")
    return elapsed


def measure(app, rounds: int) -> None:
    client = app.test_client()
    print(f"{'request':70} {'rows':>4} {'median ms':>10} {'p95 ms':>8}")
    for url in REQUESTS:
        first = client.get(url).get_json()  # warm-up; its cursor gives the later page
        later = first["next"]
        for shown in (url, later):
            if shown is None:
                continue
            rows = len(client.get(shown).get_json()["data"])
            timings = sorted(_timed(client, shown) for _ in range(rounds))
            p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
            label = shown if shown == url else f"  …page 2 (cursor) of {url.split('/')[-1]}"
            print(f"{label[:70]:70} {rows:4d} {statistics.median(timings):10.1f} {p95:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=20_000)
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/api-listing-bench"))
    parser.add_argument("--reuse", action="store_true", help="keep the database and index")
    args = parser.parse_args()
    database = args.workdir / f"portal-{args.notices}.sqlite3"
    fresh = not (args.reuse and database.is_file())
    if fresh:
        args.workdir.mkdir(parents=True, exist_ok=True)
        database.unlink(missing_ok=True)
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "PORTAL_INDEX_DIR": str(args.workdir / f"index-{args.notices}"),
            "PORTAL_INDEX_WRITER": False,  # the load is indexed once, by a rebuild
        }
    )
    with app.app_context():
        if fresh:
            upgrade_database(app)
            load_reference(db.session)
            started = time.perf_counter()
            load(app, args.notices, args.plans)
            print(f"loaded and indexed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        status = index_status(db.session, app.config["PORTAL_INDEX_DIR"])
        notices = db.session.scalar(select(func.count(Opportunity.id)))
        print(f"{notices} notices; index: {status.indexed}", file=sys.stderr)
        measure(app, args.rounds)


if __name__ == "__main__":
    main()
