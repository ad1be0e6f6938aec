"""Matching benchmark: 100,000 subscriptions against 10,000 new opportunities, against the
naive loop over every (subscription, document) pair measured on a sample in the same run.

    python bench/match_bench.py [--subscriptions 100000] [--opportunities 10000]
                                [--users 60000] [--sample 200] [--repeat 3] [--profile]
                                [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/mb]

The opportunities are the realistic corpus of bench/search_bench.py (real words from
../shared/fixtures, real title starts and objects, UNSPSC families, 2,000 buyers in 25
regions), published in the last day and mostly open. Subscriptions are what SMEs type: 1-3
words of something bought (an object drawn as the corpus draws them, so frequent objects are
frequent keywords), sometimes one frequent word of the vocabulary alone, most with 1-3 sectors
(the object's family or segment) and/or 1-2 regions, some with value ranges, size class,
buyers, object and procedure types; ~10% want forecasts; immediate, daily and weekly; spread
over 60,000 users, so some users hold overlapping subscriptions.

`run_matching` (load subscriptions, read and analyse the documents, match, write deliveries,
clear flags) runs in a fresh child process per repetition, so its peak resident set (VmHWM) is
its own. The naive peer then checks every pair of a random sample of subscriptions against
every document in Python with the search's rules, written out once more here, and must agree
with the engine on those subscriptions.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
from search_bench import FIXTURES, SEED, Corpus, _buyers, _words, load_real_text
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from notifications.match_engine import document_batch, match, subscription_index
from notifications.matching import run_matching
from notifications.models import AlertDelivery
from portal.accounts.models import User
from portal.app import create_app
from portal.buyers.models import Buyer
from portal.db import db
from portal.migrate import upgrade_database
from portal.opportunities.models import Opportunity, OpportunityClassification
from portal.reference.loader import load_reference, load_unspsc_families
from portal.reference.models import ProcedureType, Sector
from portal.search.documents import opportunity_documents
from portal.search.schema import document_terms, term_of
from portal.search.size import size_value_limit
from portal.subscriptions.models import (
    Frequency,
    Subscription,
    SubscriptionObjectType,
    subscription_buyers,
    subscription_procedure_types,
    subscription_regions,
    subscription_sectors,
)
from portal.subscriptions.params import active_searches
from scrapers.models import Source, SourceKind

UNSPSC_CSV = FIXTURES / "unspsc" / "unspsc_v7_segment_family_class_es_en.csv"
REGIONS = [f"{code:02d}" for code in range(1, 26)]
OPEN_SHARE = 0.93  # new notices of a scrape: mostly calls open to offers
CLOSED = ["closed", "awarded"]
CHUNK = 5_000


# ---------------------------------------------------------------------------------------
# Shared with bench/send_bench.py and bench/alert_delay.py


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), reset at exec: a forked child's
    ru_maxrss would count its parent's pages."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def database(url: str | None, workdir: Path):
    """(URL, cleanup): a SQLite file in the work folder, or the PostgreSQL database named in
    the URL, created if missing (and then dropped at the end) and required to be empty."""
    if url is None:
        return f"sqlite:///{workdir / 'portal.sqlite3'}", lambda: None
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    engine = create_engine(url)
    with engine.connect() as connection:
        tables = connection.scalar(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        )
    engine.dispose()
    if exists and tables:
        raise SystemExit(f"{parsed.database} is not empty: give a new or empty database")

    def drop() -> None:
        if not exists:
            with admin.connect() as connection:
                connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
                )
        admin.dispose()

    return url, drop


def bench_app(url: str, instance: Path, **config):
    """The portal app on the bench's database; no index writer (the matcher never reads the
    index, and bulk inserts need no indexing here)."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "PORTAL_INDEX_DIR": str(instance / "index"),
            "PORTAL_OUTBOX_DIR": str(instance / "outbox"),
            "PORTAL_INDEX_WRITER": False,
            **config,
        },
        instance_path=str(instance),
    )


def prepare_schema(app) -> None:
    """Migrations, reference data and the UNSPSC families subscriptions may name."""
    upgrade_database(app)
    with app.app_context():
        load_reference(db.session)
        load_unspsc_families(db.session, UNSPSC_CSV)
        db.session.commit()


def insert_chunks(connection, table, rows) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(table), rows[start : start + CHUNK])


def insert_users(connection, count: int, now: datetime, rng: random.Random) -> None:
    """Verified SMEs; 2% unverified and 1% who stopped alerts (the matcher leaves them out)."""
    rows = []
    for number in range(1, count + 1):
        draw = rng.random()
        rows.append(
            {
                "id": number,
                "email": f"pyme{number}@bench.example",
                "password_hash": "bench",
                "email_verified_at": None if draw < 0.02 else now - timedelta(days=30),
                "alerts_stopped_at": now - timedelta(days=1) if 0.02 <= draw < 0.03 else None,
                "created_at": now - timedelta(days=60),
            }
        )
    insert_chunks(connection, User.__table__, rows)


def bench_source(connection, key: str = "bench") -> int:
    return connection.execute(
        insert(Source.__table__).values(key=key, name=key, kind=SourceKind.MANUAL, config={})
    ).inserted_primary_key[0]


# ---------------------------------------------------------------------------------------
# Opportunities: the search bench's corpus, made new


def insert_opportunities(connection, corpus: Corpus, documents: list[dict], now: datetime):
    """Buyers, then the notices, published in the last day, with needs_matching set."""
    rng = random.Random(SEED + 1)
    buyers = _buyers(corpus.real, random.Random(SEED))  # the ones corpus.documents draws
    insert_chunks(
        connection,
        Buyer.__table__,
        [
            {
                "id": number,
                "name": buyer.name,
                "acronym": buyer.acronym,
                "identifier_scheme": "BENCH",
                "identifier": str(number),
                "region_code": buyer.region,
            }
            for number, buyer in enumerate(buyers)
            if number
        ],
    )
    source_id = bench_source(connection)
    procedures = set(connection.scalars(select(ProcedureType.code)))
    opportunities, classifications = [], []
    for document in documents:
        number = document["db_id"]
        published = now - timedelta(seconds=rng.randint(0, 86_400))
        procedure = document["procedure_type"].decode()
        family = next(c for c in document["sectors"].decode().split() if c[2:4] != "00")
        opportunities.append(
            {
                "id": number,
                "source_id": source_id,
                "source_ref": f"bench-{number}",
                "buyer_id": document["buyer"],
                "title": document["title"],
                "description": document["body"],
                "object_type": document["object_type"].decode(),
                "procedure_type_code": procedure if procedure in procedures else None,
                "region_code": document["region"].decode(),
                "estimated_value": Decimal(f"{document['value']:.2f}"),
                "published_at": published,
                "first_seen_at": published + timedelta(minutes=rng.randint(1, 60)),
                "deadline_at": now + timedelta(days=rng.randint(3, 30)),
                "status": "open"
                if rng.random() < OPEN_SHARE
                else rng.choice(["closed", "awarded"]),
                "content_hash": f"{number:064d}",
                "needs_matching": True,
                "updated_at": now,
            }
        )
        classifications.append({"opportunity_id": number, "scheme": "UNSPSC", "code": family})
    insert_chunks(connection, Opportunity.__table__, opportunities)
    insert_chunks(connection, OpportunityClassification.__table__, classifications)


# ---------------------------------------------------------------------------------------
# Subscriptions: what SMEs type and tick


GENERIC_RANKS = 150  # "servicios", "trabajos", "equipo": in most notices, nobody types them
BROAD_SHARE = 0.02  # more than 2% of new notices (~50 a week) and the preview says "too broad"
IGNORES_WARNING = 0.03  # SMEs who keep a broad subscription anyway


@dataclass(frozen=True)
class CorpusFacts:
    """How often terms, sectors and regions occur among the new notices: what the
    subscription preview shows an SME before it saves."""

    documents: int
    term_share: dict
    sector_share: dict
    region_share: dict

    @classmethod
    def of(cls, documents: list[dict]) -> "CorpusFacts":
        terms, sectors, regions = Counter(), Counter(), Counter()
        for document in documents:
            terms.update(document_terms(document))
            sectors.update(document["sectors"].decode().split())
            regions[document["region"].decode()] += 1
        total = len(documents)

        def shares(counts: Counter) -> dict:
            return {key: value / total for key, value in counts.items()}

        return cls(total, shares(terms), shares(sectors), shares(regions))

    def share(self, keywords: str, links: dict) -> float:
        """Expected share of notices matched, taking the criteria as independent."""
        from portal.search.query import query_terms

        share = 1.0
        for term in query_terms(keywords):
            share *= self.term_share.get(term, 0.0)
        if links.get("sectors"):
            share *= min(1.0, sum(self.sector_share.get(c, 0.0) for c in links["sectors"]))
        if links.get("regions"):
            share *= sum(self.region_share.get(c, 0.0) for c in links["regions"])
        return share


class SubscriptionMaker:
    """Deterministic subscriptions drawn from the corpus's own objects and vocabulary.

    Keywords are the distinctive words of an object the corpus draws (frequent objects are
    frequent keywords), or now and then one frequent word alone; a draft that would match
    more than BROAD_SHARE of the notices is narrowed (a word, a region, a sector more), as
    the preview's "too broad" warning asks, except by the few who ignore it.
    """

    def __init__(self, corpus: Corpus, sectors: set[str], buyers: int, facts: CorpusFacts):
        self.corpus, self.sectors, self.buyers, self.facts = corpus, sectors, buyers, facts
        self.rng = random.Random(SEED + 2)
        self.np_rng = np.random.default_rng(SEED + 2)
        self.rank = {word: rank for rank, word in enumerate(corpus.real.words)}
        words = corpus.real.words[GENERIC_RANKS:3000]
        self.single_words = [w for w in words if len(w) >= 5 and term_of(w)]
        self.single_cum = np.cumsum(1.0 / np.arange(1, len(self.single_words) + 1))
        self.single_cum /= self.single_cum[-1]
        self.segments = sorted(code for code in sectors if code.endswith("000000"))

    def _single_word(self) -> str:
        return self.single_words[int(np.searchsorted(self.single_cum, self.np_rng.random()))]

    def _distinctive(self, thing: str) -> list[str]:
        words = [w for w in _words(thing) if len(w) >= 4 and term_of(w)]
        return [w for w in words if self.rank.get(w, GENERIC_RANKS) >= GENERIC_RANKS]

    def _typed(self, words: list[str]) -> str:
        if self.rng.random() < 0.4:  # typed without accents
            words = [w.translate(str.maketrans("áéíóúü", "aeiouu")) for w in words]
        return " ".join(words)

    def sector_codes(self, code: str | None) -> list[str]:
        chosen = []
        if code and (family := code[:4] + "0000") in self.sectors and self.rng.random() < 0.7:
            chosen.append(family)
        elif code and code[:2] + "000000" in self.sectors:
            chosen.append(code[:2] + "000000")
        else:
            chosen.append(self.rng.choice(self.segments))
        for _ in range(self.rng.choices([0, 1, 2], weights=[70, 20, 10])[0]):
            chosen.append(self.rng.choice(self.segments))
        return sorted(set(chosen))

    def _narrowed(self, words: list[str], spare: list[str], links: dict, code) -> list[str]:
        """Add criteria while the preview would call the subscription too broad."""
        if self.rng.random() < IGNORES_WARNING:
            return words
        for _ in range(4):
            if self.facts.share(" ".join(words), links) <= BROAD_SHARE:
                break
            if spare and len(words) < 3:
                words = [*words, spare.pop(0)]
            elif not links.get("regions"):
                links["regions"] = [self.rng.choice(REGIONS)]
            elif not links.get("sectors"):
                links["sectors"] = self.sector_codes(code)
            else:
                words = [*words, self._single_word()]
        return words

    def make(self, number: int, user_id: int) -> tuple[dict, dict[str, list]]:
        rng = self.rng
        thing, code, kind = self.corpus._object(self.np_rng)
        filter_only = rng.random() < 0.08  # sectors and regions, no words
        links: dict[str, list] = {}
        if filter_only or rng.random() < 0.6:
            links["sectors"] = self.sector_codes(code)
        if filter_only or rng.random() < 0.5:
            links["regions"] = rng.sample(REGIONS, rng.choices([1, 2], weights=[75, 25])[0])
        if rng.random() < 0.05:
            links["buyers"] = rng.sample(range(1, self.buyers + 1), rng.randint(1, 3))
        if rng.random() < 0.15:
            links["object_types"] = [kind]
        if rng.random() < 0.05:
            links["procedure_types"] = rng.sample(["LP", "CP", "AS", "SIE", "CD"], 2)
        words: list[str] = []
        if not filter_only:
            distinctive = self._distinctive(thing)
            count = rng.choices([1, 2, 3], weights=[55, 35, 10])[0]
            if rng.random() < 0.1 or not distinctive:
                words, spare = [self._single_word()], distinctive
            else:
                words, spare = distinctive[:count], distinctive[count:]
            words = self._narrowed(words, spare, links, code)
        minimum = maximum = size = None
        draw = rng.random()
        if draw < 0.08:
            minimum = Decimal(rng.choice([10_000, 50_000, 100_000]))
        elif draw < 0.15:
            maximum = Decimal(rng.choice([50_000, 200_000, 1_000_000]))
        elif draw < 0.25:
            size = rng.choice(["micro", "small"])
        frequency = rng.choices(list(Frequency), weights=[40, 45, 15])[0]
        row = {
            "id": number,
            "user_id": user_id,
            "name": f"Alerta {number}",
            "keywords": self._typed(words) if words else "",
            "min_value": minimum,
            "max_value": maximum,
            "size_class_code": size,
            "include_forecasts": rng.random() < 0.1,
            "frequency": frequency,
            "digest_hour": rng.choice([6, 7, 7, 8, 9]),
            "active": True,
        }
        return row, links


LINK_TABLES = {
    "sectors": (subscription_sectors, "sector_code"),
    "regions": (subscription_regions, "region_code"),
    "buyers": (subscription_buyers, "buyer_id"),
    "procedure_types": (subscription_procedure_types, "procedure_type_code"),
    "object_types": (SubscriptionObjectType.__table__, "object_type"),
}


def insert_subscriptions(connection, maker: SubscriptionMaker, count: int, users: int) -> None:
    """The first `users` subscriptions one per user, the rest to random users (overlaps)."""
    rows, links = [], {name: [] for name in LINK_TABLES}
    rng = random.Random(SEED + 3)
    for number in range(1, count + 1):
        user_id = number if number <= users else rng.randint(1, users)
        row, chosen = maker.make(number, user_id)
        rows.append(row)
        for name, values in chosen.items():
            column = LINK_TABLES[name][1]
            links[name] += [{"subscription_id": number, column: value} for value in values]
    insert_chunks(connection, Subscription.__table__, rows)
    for name, (table, _column) in LINK_TABLES.items():
        insert_chunks(connection, table, links[name])


def setup(url: str, instance: Path, options, now: datetime) -> None:
    started = time.perf_counter()
    app = bench_app(url, instance)
    prepare_schema(app)
    corpus = Corpus(load_real_text())
    documents = list(corpus.documents(options.opportunities))
    facts = CorpusFacts.of(documents)
    with app.app_context():
        sectors = set(db.session.scalars(select(Sector.code)))
        with db.engine.begin() as connection:
            insert_users(connection, options.users, now, random.Random(SEED))
            insert_opportunities(connection, corpus, documents, now)
            maker = SubscriptionMaker(corpus, sectors, 2000, facts)
            insert_subscriptions(connection, maker, options.subscriptions, options.users)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("ANALYZE"))
        db.engine.dispose()
    print(
        f"setup: {options.users:,} users, {options.subscriptions:,} subscriptions, "
        f"{options.opportunities:,} opportunities in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


def reset(url: str) -> None:
    """Back to "nothing matched yet" for the next repetition."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alert_deliveries"))
        connection.execute(text("UPDATE opportunities SET needs_matching = true"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE alert_deliveries"))
            connection.execute(text("VACUUM ANALYZE opportunities"))
    engine.dispose()


# ---------------------------------------------------------------------------------------
# The measured run, in a process of its own


def match_child(url: str, instance: Path, now: datetime, profile: bool) -> None:
    app = bench_app(url, instance)
    with app.app_context():
        db.session.execute(select(1))  # connect before the clock starts, as a job would be
        server = server_cpu_clock(db.session)
        profiler = cProfile.Profile() if profile else None
        server_started, cpu_started = server(), time.process_time()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        tally = run_matching(db.session, now)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        cpu_seconds, server_seconds = time.process_time() - cpu_started, server() - server_started
        written = db.session.scalar(select(func.count()).select_from(AlertDelivery))
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "server_cpu_seconds": server_seconds,
        "load": os.getloadavg()[0],
        "documents": tally.documents,
        "subscriptions": tally.subscriptions,
        "matches": tally.matches,
        "deliveries": written,
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(result), flush=True)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        out.write("\n--- by own time ---\n")
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
        print(out.getvalue(), file=sys.stderr)


def server_cpu_clock(session):
    """CPU seconds used so far by this session's PostgreSQL backend, read from /proc (the
    bench's server runs on the same machine); SQLite works inside the process. On a shared
    machine the wall clock also counts waiting for a core: CPU times show the work itself."""
    if session.get_bind().dialect.name != "postgresql":
        return lambda: float("nan")
    pid = session.scalar(text("SELECT pg_backend_pid()"))
    ticks = os.sysconf("SC_CLK_TCK")

    def clock() -> float:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # a server elsewhere, or in a container of its own
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return clock


def measured_run(url: str, instance: Path, now: datetime, profile: bool) -> dict:
    command = [sys.executable, __file__, "--child", url, str(instance), now.isoformat()]
    output = subprocess.run(
        command + (["--profile"] if profile else []), stdout=subprocess.PIPE, text=True, check=True
    ).stdout
    return json.loads(output.splitlines()[0]) | {"profiled": profile}


# ---------------------------------------------------------------------------------------
# The naive peer: every pair, in Python, with the search's rules


@dataclass(frozen=True)
class PeerSearch:
    terms: tuple[str, ...]
    kinds: frozenset
    statuses: frozenset
    regions: frozenset
    object_types: frozenset
    procedure_types: frozenset
    buyers: frozenset
    sectors: frozenset
    value_min: float | None
    value_max: float | None
    size_limit: float | None


@dataclass(frozen=True)
class PeerDocument:
    kind: str
    status: str
    region: str
    object_type: str
    procedure_type: str
    buyer: int
    sectors: frozenset
    value: float
    deadline: float
    terms: frozenset


def peer_search(params, size_limits: dict) -> PeerSearch:
    from portal.search.query import query_terms

    def bound(value) -> float | None:
        return None if value is None else float(value)

    return PeerSearch(
        terms=query_terms(params.q),
        kinds=frozenset(params.kinds),
        statuses=frozenset(params.statuses),
        regions=frozenset(params.regions),
        object_types=frozenset(params.object_types),
        procedure_types=frozenset(params.procedure_types),
        buyers=frozenset(params.buyer_ids),
        sectors=frozenset(params.sectors),
        value_min=bound(params.value_min),
        value_max=bound(params.value_max),
        size_limit=size_limits[params.size_class] if params.size_class else None,
    )


def peer_document(document: dict) -> PeerDocument:
    return PeerDocument(
        kind=document["kind"].decode(),
        status=document["status"].decode(),
        region=document["region"].decode(),
        object_type=document["object_type"].decode(),
        procedure_type=document["procedure_type"].decode(),
        buyer=document["buyer"],
        sectors=frozenset(document["sectors"].decode().split()),
        value=document["value"],
        deadline=document["deadline"],
        terms=frozenset(document_terms(document)),  # title, description, buyer, place, codes
    )


def peer_matches(search: PeerSearch, doc: PeerDocument, now: float) -> bool:
    """One pair, as portal.search.rules and the search's terms decide it."""
    if search.kinds and doc.kind not in search.kinds:
        return False
    if search.statuses and doc.kind != "plan_line":
        if doc.status not in search.statuses or (doc.status == "open" and doc.deadline <= now):
            return False
    if search.regions and doc.region not in search.regions:
        return False
    if search.object_types and doc.object_type not in search.object_types:
        return False
    if search.procedure_types and doc.procedure_type not in search.procedure_types:
        return False
    if search.buyers and doc.buyer not in search.buyers:
        return False
    if search.sectors and search.sectors.isdisjoint(doc.sectors):
        return False
    if search.value_min is not None and not doc.value >= search.value_min:
        return False
    if search.value_max is not None and not 0 <= doc.value <= search.value_max:
        return False
    if search.size_limit is not None and not 0 <= doc.value <= search.size_limit:
        return False
    return all(term in doc.terms for term in search.terms)


def compare_with_peer(url: str, instance: Path, now: datetime, sample: int) -> dict:
    """Engine pairs for every subscription (untimed stages printed), the naive loop over a
    sample's pairs (timed), and whether the two agree on that sample."""
    app = bench_app(url, instance)
    stages = {}
    with app.app_context():
        session = db.session
        started = time.perf_counter()
        searches = active_searches(session)
        stages["load subscriptions"] = time.perf_counter() - started
        ids = list(session.scalars(select(Opportunity.id).order_by(Opportunity.id)))
        started = time.perf_counter()
        documents = list(opportunity_documents(session, ids))
        stages["read documents"] = time.perf_counter() - started
        started = time.perf_counter()
        batch = document_batch(documents)
        stages["analyse documents"] = time.perf_counter() - started
        classes = {s.params.size_class for s in searches if s.params.size_class}
        limits = {size: size_value_limit(session, size, now) for size in classes}
        started = time.perf_counter()
        index = subscription_index([s.params for s in searches], limits)
        stages["index subscriptions"] = time.perf_counter() - started
        started = time.perf_counter()
        subs, docs = match(index, batch, now.timestamp())
        stages["match"] = time.perf_counter() - started
        routes = candidate_routes(index, batch)
        users = np.array([s.user_id for s in searches])[subs]
        per_user = len(np.unique(users * len(batch) + docs))
        per_subscription = np.bincount(subs, minlength=len(searches))
        rows = sorted(random.Random(SEED + 4).sample(range(len(searches)), sample))
        peers = [peer_search(searches[row].params, limits) for row in rows]
        peer_docs = [peer_document(document) for document in documents]
        moment = now.timestamp()
        started = time.perf_counter()
        found = {
            (row, position)
            for row, search in zip(rows, peers, strict=True)
            for position, doc in enumerate(peer_docs)
            if peer_matches(search, doc, moment)
        }
        naive_seconds = time.perf_counter() - started
    wanted = set(rows)
    engine_found = {(int(s), int(d)) for s, d in zip(subs, docs, strict=True) if int(s) in wanted}
    differing = {row for row, _ in found ^ engine_found}
    return {
        "stages": stages,
        "engine_pairs": len(subs),
        "user_documents": per_user,
        "per_subscription": per_subscription,
        "sample": sample,
        "sample_pairs": sample * len(peer_docs),
        "sample_matches": len(found),
        "naive_seconds": naive_seconds,
        "all_pairs": len(searches) * len(peer_docs),
        "agreeing": sample - len(differing),
        "routes": routes,
    }


def candidate_routes(index, batch) -> dict[str, tuple[int, float]]:
    """How many subscriptions the engine reaches through each route, and the candidate
    pairs it verifies that way (its own cost estimate, which is exact): where its time goes."""
    from notifications.match_engine import ROUTES, _doc_terms, _route_costs

    costs, _rarest = _route_costs(index, batch, _doc_terms(batch, index))
    names = ("keywords", *ROUTES)
    table = np.stack([costs[name] for name in names])
    best = np.argmin(table, axis=0)
    cheapest = table[best, np.arange(len(index))]
    return {
        name: (int((best == position).sum()), float(cheapest[best == position].sum()))
        for position, name in enumerate(names)
        if (best == position).any()
    }


# ---------------------------------------------------------------------------------------
# Running and reporting


def report(runs: list[dict], peer: dict, backend: str) -> None:
    median = statistics.median(run["seconds"] for run in runs)
    first = runs[0]
    per_pair = peer["naive_seconds"] / peer["sample_pairs"]
    naive_total = per_pair * peer["all_pairs"]
    counts = peer["per_subscription"]
    documents = peer["sample_pairs"] // peer["sample"]
    print(f"\n## {backend}: {first['subscriptions']:,} subscriptions × {first['documents']:,}")
    print(
        "\n| run | seconds | process CPU s | server CPU s | load | matched pairs "
        "| deliveries written | peak RSS MB |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for number, run in enumerate(runs, 1):
        server = run["server_cpu_seconds"]
        print(
            f"| {number}{' (cProfile)' if run.get('profiled') else ''} | {run['seconds']:.1f} | "
            f"{run['cpu_seconds']:.1f} | {'–' if server != server else f'{server:.1f}'} | "
            f"{run['load']:.1f} | {peer['engine_pairs']:,} | {run['deliveries']:,} | "
            f"{run['peak_rss_mb']:.0f} |"
        )
    peak = max(run["peak_rss_mb"] for run in runs)
    print(f"| **median** | **{median:.1f}** | | | | | | **{peak:.0f}** (max) |")
    same = all(run["deliveries"] == peer["user_documents"] for run in runs)
    print(
        f"\nDeliveries = distinct (user, document) of the engine's pairs: "
        f"{'yes' if same else 'NO'} ({peer['user_documents']:,}); "
        f"run_matching's tally: {first['matches']:,}."
    )
    print(
        f"Matches per subscription: mean {counts.mean():.1f}, median {np.median(counts):.0f}, "
        f"p90 {np.percentile(counts, 90):.0f}, p99 {np.percentile(counts, 99):.0f}, "
        f"max {counts.max():,}; none: {np.mean(counts == 0):.0%}."
    )
    stages = peer["stages"]
    print(
        f"\nNaive loop: {peer['sample']} subscriptions × {documents:,} documents = "
        f"{peer['sample_pairs']:,} pairs in {peer['naive_seconds']:.1f} s "
        f"({per_pair * 1e6:.2f} µs a pair, {peer['sample_matches']:,} matches); "
        f"all {peer['all_pairs']:,} pairs ≈ {naive_total:,.0f} s."
    )
    print(
        f"Naive pairs / engine's match step ({stages['match']:.2f} s): "
        f"{naive_total / stages['match']:,.0f}×; naive pairs / whole run_matching "
        f"(median {median:.1f} s, which also writes): {naive_total / median:,.1f}×."
    )
    print(
        f"Agreement with the engine on the sample: {peer['agreeing']}/{peer['sample']} "
        "subscriptions identical."
    )
    listed = ", ".join(f"{name} {value:.2f} s" for name, value in stages.items())
    print(f"Engine steps, timed apart in the bench process: {listed}.")
    candidates = sum(pairs for _, pairs in peer["routes"].values())
    routes = ", ".join(
        f"{name} {count:,} subscriptions / {pairs:,.0f} pairs"
        for name, (count, pairs) in peer["routes"].items()
    )
    print(
        f"Candidate pairs verified: {candidates:,.0f} "
        f"({candidates / max(peer['engine_pairs'], 1):.1f} per match); by route: {routes}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--opportunities", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=60_000)
    parser.add_argument("--sample", type=int, default=200, help="subscriptions the peer loops")
    parser.add_argument("--repeat", type=int, default=1, help="measured runs (reset between)")
    parser.add_argument("--profile", action="store_true", help="cProfile the first run")
    parser.add_argument("--database-url", help="PostgreSQL (created if missing); default SQLite")
    options = parser.parse_args()
    options.users = min(options.users, options.subscriptions)
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="match-bench-") as workdir:
        instance = Path(workdir)
        url, cleanup = database(options.database_url, instance)
        try:
            setup(url, instance, options, now)
            runs = []
            for number in range(options.repeat):
                if number:
                    reset(url)
                runs.append(measured_run(url, instance, now, options.profile and not number))
                print(f"run {number + 1}: {runs[-1]}", file=sys.stderr)
            peer = compare_with_peer(url, instance, now, min(options.sample, options.subscriptions))
            report(runs, peer, make_url(url).get_backend_name())
        finally:
            cleanup()


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "--child":
        match_child(
            sys.argv[2],
            Path(sys.argv[3]),
            datetime.fromisoformat(sys.argv[4]),
            "--profile" in sys.argv,
        )
    else:
        main()
