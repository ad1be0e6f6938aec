"""The statistics benchmark's data: two years of a national portal, drawn with numpy and
written with bulk inserts (executemany on SQLite, COPY on PostgreSQL).

Shapes follow SEACE: most calls are simplified awards (AS) and reverse auctions (SIE), a few
public tenders with 22 business days; buyers are Zipf-active and a third are in Lima; calls are
published in Lima office hours (a few late at night, which is the next day in UTC); the delay
to our first sight is log-normal (a couple of hours, some days); about a fifth of calls give
less than their legal minimum; a third fulfil a plan line published months before. Deliveries
are alerts of those calls to 20,000 SMEs, sent minutes (immediate) to a day (digest) after we
saw the call, most of them matches, some changes and reminders; a few pending or failed.
"""

import json
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import func, select, text, update

from notifications.models import AlertDelivery
from portal.accounts.models import CompanyProfile, User, company_regions
from portal.buyers.models import Buyer
from portal.opportunities.models import Opportunity, OpportunityClassification
from portal.subscriptions.models import Subscription
from scrapers.models import ScrapeRun, Source

SEED = 18
DAYS = 730
LIMA = timedelta(hours=-5)
REGIONS = [f"{code:02d}" for code in range(1, 26)]
SEGMENTS = [
    "10000000", "12000000", "14000000", "15000000", "20000000", "23000000", "24000000",
    "25000000", "26000000", "27000000", "30000000", "31000000", "39000000", "40000000",
    "41000000", "42000000", "43000000", "44000000", "46000000", "47000000", "49000000",
    "50000000", "51000000", "53000000", "55000000", "56000000", "60000000", "70000000",
    "72000000", "76000000", "77000000", "78000000", "80000000", "81000000", "82000000",
    "83000000", "84000000", "85000000", "86000000", "90000000", "92000000", "93000000",
]  # fmt: skip
# code, share of calls, legal minimum (business days) or None, typical extra days given
PROCEDURES = [
    ("AS", 0.46, 6, 3),
    ("SIE", 0.16, 6, 2),
    ("CDP", 0.12, 3, 2),
    ("SCI", 0.05, 5, 3),
    ("LP", 0.04, 22, 4),
    ("CP", 0.04, 22, 4),
    ("LPA", 0.04, 7, 3),
    ("CPA", 0.03, 7, 3),
    ("CD", 0.06, None, 5),
]
OBJECT_TYPES = (["goods", "services", "works", "consulting"], [0.48, 0.36, 0.1, 0.06])
SOURCES = ["seace-ocds", "seace-csv", "seace-rss", "pac-files"]
BUYERS = 2_500
USERS = 20_000
CHUNK = 20_000
# tables written with explicit ids: their PostgreSQL sequences move on past them
ID_TABLES = (
    "buyers",
    "sources",
    "opportunities",
    "opportunity_classifications",
    "users",
    "company_profiles",
    "subscriptions",
    "alert_deliveries",
)


def naive(moments: np.ndarray) -> list[datetime]:
    """numpy datetime64[s] (UTC) to naive datetimes, what COPY and executemany both take."""
    return moments.astype("datetime64[us]").astype(datetime).tolist()


def generate(engine, opportunities: int, deliveries: int, now: datetime) -> None:
    rng = np.random.default_rng(SEED)
    buyer_regions = [None, *map(str, rng.choice(REGIONS, BUYERS, p=_region_shares()))]
    _write(engine, Buyer.__table__, _buyers(buyer_regions))
    _write(engine, Source.__table__, _sources())
    opportunity_rows, classifications, facts = _opportunities(
        rng, opportunities, now, buyer_regions
    )
    _write(engine, Opportunity.__table__, opportunity_rows)
    _write(engine, OpportunityClassification.__table__, classifications)
    users = _users(engine, rng, now)
    _write(engine, AlertDelivery.__table__, _deliveries(rng, deliveries, facts, users, now))
    _write(engine, ScrapeRun.__table__, _runs(rng, now))
    with engine.begin() as connection:
        connection.execute(
            update(Source.__table__).values(
                last_success_at=select(func.max(ScrapeRun.finished_at))
                .where(ScrapeRun.source_id == Source.id, ScrapeRun.status == "succeeded")
                .scalar_subquery()
            )
        )
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in ID_TABLES:
                last = connection.scalar(text(f"SELECT max(id) FROM {table}"))
                connection.execute(text(f"SELECT setval('{table}_id_seq', {last})"))
            connection.execute(text("ANALYZE"))


def _buyers(regions: list[str | None]) -> list[dict]:
    return [
        {
            "id": number,
            "name": f"Entidad de prueba {number}",
            "identifier_scheme": "BENCH",
            "identifier": str(number),
            "region_code": regions[number],
            "government_level": "local",
            "country": "PE",
            "created_at": datetime(2020, 1, 1),
        }
        for number in range(1, BUYERS + 1)
    ]


def _sources() -> list[dict]:
    return [
        {
            "id": number,
            "key": key,
            "name": key.upper(),
            "kind": "ocds",
            "config": {},
            "timezone": "America/Lima",
            "default_currency": "PEN",
            "interval_minutes": 60,
            "active": True,
            "consecutive_failures": 0,
            "healthy": True,
        }
        for number, key in enumerate(SOURCES, start=1)
    ]


def _region_shares() -> np.ndarray:
    shares = np.full(len(REGIONS), 1.0)
    shares[REGIONS.index("15")] = 11.0  # Lima: about a third of the calls
    return shares / shares.sum()


def _opportunities(rng, count: int, now: datetime, buyer_regions: list[str | None]):
    """The rows, their classifications, and the columns deliveries need (ids, first seen,
    deadline)."""
    start = np.datetime64(now.replace(tzinfo=None), "s") - np.timedelta64(DAYS, "D")
    # more calls lately (the portal grows) and none at week-ends
    day = np.floor(DAYS * np.sqrt(rng.random(count))).astype("int64")
    day_start = (start.astype("datetime64[D]") + day.astype("timedelta64[D]")).astype(
        "datetime64[s]"
    )
    weekday = (day_start.astype("datetime64[D]").astype("int64") - 4) % 7  # 0 = Monday
    day_start = day_start + np.where(weekday >= 5, 7 - weekday, 0).astype("timedelta64[D]")
    lima_hour = np.where(rng.random(count) < 0.03, 23.5, rng.uniform(8, 19, count))
    published = day_start + ((lima_hour + 5) * 3600).astype("timedelta64[s]")
    published = np.minimum(published, np.datetime64(now.replace(tzinfo=None), "s"))
    delay_hours = np.exp(rng.normal(0.7, 1.2, count))
    delay_hours[rng.random(count) < 0.005] *= -0.3  # a source's date after our first sight
    first_seen = published + (delay_hours * 3600).astype("timedelta64[s]")
    codes = np.array([code for code, *_ in PROCEDURES])
    procedure = rng.choice(len(PROCEDURES), count, p=[share for _, share, *_ in PROCEDURES])
    minimum = np.array([m or 0 for _, _, m, _ in PROCEDURES])[procedure]
    extra = np.array([e for *_, e in PROCEDURES])[procedure]
    given = np.maximum(minimum + np.round(rng.normal(extra - 1.5, 3.0)), 1).astype("int64")
    given[minimum == 0] = np.maximum(np.round(rng.normal(8, 4, (minimum == 0).sum())), 1)
    lead_days = given * 7 / 5 + rng.uniform(0, 1, count)
    deadline = published + (lead_days * 86400).astype("timedelta64[s]")
    has_plan = rng.random(count) < 0.33
    notice_days = rng.uniform(-20, 300, count)
    plan_noticed = published - (notice_days * 86400).astype("timedelta64[s]")
    activity = 1 / np.arange(1, BUYERS + 1) ** 0.9
    buyer = rng.choice(BUYERS, count, p=activity / activity.sum()) + 1
    object_type = rng.choice(OBJECT_TYPES[0], count, p=OBJECT_TYPES[1])
    source = rng.choice(len(SOURCES), count, p=[0.6, 0.3, 0.08, 0.02]) + 1
    # ids in the order we first saw the calls, as ingest assigns them
    order = np.argsort(first_seen, kind="stable")
    published, first_seen, deadline = published[order], first_seen[order], deadline[order]
    plan_noticed, has_plan, buyer = plan_noticed[order], has_plan[order], buyer[order]
    procedure, minimum, given = procedure[order], minimum[order], given[order]
    object_type, source = object_type[order], source[order]
    published_list, seen_list = naive(published), naive(first_seen)
    deadline_list, plan_list = naive(deadline), naive(plan_noticed)
    rows = []
    for index in range(count):
        has_minimum = minimum[index] > 0
        rows.append(
            {
                "id": index + 1,
                "source_id": int(source[index]),
                "source_ref": f"bench-{index + 1}",
                "buyer_id": int(buyer[index]),
                "title": f"Convocatoria de prueba {index + 1}",
                "description": "",
                "object_type": str(object_type[index]),
                "procedure_type_code": str(codes[procedure[index]]),
                "region_code": buyer_regions[int(buyer[index])],
                "currency": "PEN",
                "published_at": published_list[index],
                "first_seen_at": seen_list[index],
                "deadline_at": deadline_list[index],
                "status": "open",
                "plan_noticed_at": plan_list[index] if has_plan[index] else None,
                "minimum_days": int(minimum[index]) if has_minimum else None,
                "minimum_day_kind": "business" if has_minimum else None,
                "minimum_basis": "legal" if has_minimum else None,
                "given_days": int(given[index]),
                "short_deadline": bool(has_minimum and given[index] < minimum[index]),
                "content_hash": "0" * 64,
                "needs_matching": False,
                "updated_at": seen_list[index],
            }
        )
    classifications = _classifications(rng, count)
    return rows, classifications, (first_seen, deadline)


def _classifications(rng, count: int) -> list[dict]:
    shares = 1 / np.arange(1, len(SEGMENTS) + 1) ** 0.8
    per_call = rng.choice([1, 2, 3], count, p=[0.6, 0.3, 0.1])
    rows = []
    for index in range(count):
        segments = rng.choice(len(SEGMENTS), per_call[index], p=shares / shares.sum())
        for position, segment in enumerate(segments):
            code = SEGMENTS[segment][:2] + f"{rng.integers(10, 99)}{position:02d}{index % 97:02d}"
            rows.append({"opportunity_id": index + 1, "scheme": "UNSPSC", "code": code})
    return rows


def _users(engine, rng, now: datetime) -> np.ndarray:
    """SMEs with a company profile (size, regions) and 1-3 subscriptions, a few paused."""
    created = now - timedelta(days=DAYS)
    sizes = rng.choice(["micro", "small", "medium", None], USERS, p=[0.6, 0.25, 0.05, 0.1])
    users, companies, regions, subscriptions = [], [], [], []
    for number in range(1, USERS + 1):
        users.append(
            {
                "id": number,
                "email": f"pyme{number}@bench.example",
                "password_hash": "bench",
                "role": "sme",
                "email_verified_at": created.replace(tzinfo=None),
                "created_at": created.replace(tzinfo=None),
                "alerts_stopped_at": None,
                "login_epoch": 0,
                "active": True,
                "language": "es",
                "daily_alert_cap": 20,
            }
        )
        companies.append(
            {
                "id": number,
                "user_id": number,
                "ruc": "20100070970",
                "name": f"Empresa {number}",
                "size_class_code": sizes[number - 1],
                "contact_emails": "",
                "updated_at": created.replace(tzinfo=None),
            }
        )
        regions.append({"company_id": number, "region_code": str(rng.choice(REGIONS))})
        for _ in range(int(rng.integers(1, 4))):
            subscriptions.append(
                {
                    "id": len(subscriptions) + 1,
                    "user_id": number,
                    "name": "Alerta",
                    "keywords": "",
                    "frequency": "daily",
                    "digest_hour": 7,
                    "include_forecasts": False,
                    "active": bool(rng.random() < 0.85),
                    "created_at": created.replace(tzinfo=None),
                    "updated_at": created.replace(tzinfo=None),
                }
            )
    for table, rows in (
        (User.__table__, users),
        (CompanyProfile.__table__, companies),
        (company_regions, regions),
        (Subscription.__table__, subscriptions),
    ):
        _write(engine, table, rows)
    return np.arange(1, USERS + 1)


def _deliveries(rng, count: int, facts, users: np.ndarray, now: datetime) -> list[dict]:
    """Unique (user, call) pairs, newer calls more often; sent a while after we saw the call."""
    first_seen, deadline = facts
    calls = len(first_seen)
    pairs = np.unique(
        rng.integers(0, len(users), int(count * 1.05)) * calls
        + np.floor(calls * np.sqrt(rng.random(int(count * 1.05)))).astype("int64")
    )
    pairs = rng.permutation(pairs)[:count]
    user, call = pairs // calls + 1, pairs % calls
    kind = rng.choice(
        ["match", "follow_up", "change", "reminder"], count, p=[0.86, 0.02, 0.05, 0.07]
    )
    frequency = rng.choice(["immediate", "daily", "weekly"], count, p=[0.4, 0.5, 0.1])
    wait_hours = np.where(
        frequency == "immediate",
        rng.uniform(0.02, 0.5, count),
        np.where(frequency == "daily", rng.uniform(2, 24, count), rng.uniform(24, 168, count)),
    )
    sent = first_seen[call] + (wait_hours * 3600).astype("timedelta64[s]")
    status = rng.choice(["sent", "pending", "failed", "skipped"], count, p=[0.95, 0.02, 0.01, 0.02])
    # ids in the order the matcher recorded them, shortly before each was sent
    order = np.argsort(sent, kind="stable")
    user, call, kind, frequency = user[order], call[order], kind[order], frequency[order]
    sent, status = sent[order], status[order]
    future = sent > np.datetime64(now.replace(tzinfo=None), "s")
    status[future] = "pending"
    sent_list, deadline_list = naive(sent), naive(deadline[call])
    rows = []
    for index in range(count):
        is_sent = status[index] == "sent"
        rows.append(
            {
                "id": index + 1,
                "user_id": int(user[index]),
                "kind": str(kind[index]),
                "dedup_key": f"{kind[index]}:{int(call[index]) + 1}",
                "opportunity_id": int(call[index]) + 1,
                "frequency": str(frequency[index]),
                "status": str(status[index]),
                "created_at": sent_list[index],
                "due_at": sent_list[index],
                "sent_at": sent_list[index] if is_sent else None,
                "deadline_at_notice": deadline_list[index],
                "attempts": 1 if is_sent else 0,
            }
        )
    return rows


def _runs(rng, now: datetime) -> list[dict]:
    """Hourly runs of each source over the two years, 2% failed."""
    rows = []
    end = now.replace(tzinfo=None, minute=0, second=0, microsecond=0)
    for source_id in range(1, len(SOURCES) + 1):
        hours = DAYS * 24 if source_id < 4 else DAYS  # plan files daily
        step = timedelta(hours=1 if source_id < 4 else 24)
        failed = rng.random(hours) < 0.02
        fetched = rng.poisson(25, hours)
        for index in range(hours):
            started = end - step * (hours - index)
            rows.append(
                {
                    "source_id": source_id,
                    "started_at": started,
                    "finished_at": started + timedelta(seconds=40),
                    "status": "failed" if failed[index] else "succeeded",
                    "fetched": 0 if failed[index] else int(fetched[index]),
                    "new": 0 if failed[index] else int(fetched[index] * 0.6),
                    "updated": 0,
                    "unchanged": 0,
                    "failed": 0 if failed[index] else int(rng.random() < 0.05),
                    "warnings": [],
                    "error": "HTTP 503" if failed[index] else None,
                }
            )
    return rows


def _write(engine, table, rows: list[dict]) -> None:
    """Straight to the driver, past SQLAlchemy's per-value processing: COPY on PostgreSQL,
    executemany on SQLite with times as the text SQLAlchemy stores (naive UTC, microseconds)."""
    columns = list(rows[0])
    postgresql = engine.dialect.name == "postgresql"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if postgresql:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_value(row[column], postgresql) for column in columns])
        else:
            marks = ", ".join("?" for _ in columns)
            statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
            for start in range(0, len(rows), CHUNK):
                cursor.executemany(
                    statement,
                    [
                        [_value(row[column], postgresql) for column in columns]
                        for row in rows[start : start + CHUNK]
                    ],
                )
        raw.commit()
    finally:
        raw.close()


def _value(value, postgresql: bool):
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, datetime) and not postgresql:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def now_utc() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
