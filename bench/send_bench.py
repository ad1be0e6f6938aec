"""Sending benchmark: 10,000 due immediate alerts to a local SMTP sink, with 1, 2 and 3
sender processes, in messages per minute.

    python bench/send_bench.py [--messages 10000] [--per-user 1] [--processes 1,2,3]
                               [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/sb]

Each user has one immediate subscription and `--per-user` pending deliveries of open notices
from the realistic corpus of bench/search_bench.py, so each user gets one message (an alert
listing its deliveries). The sink is aiosmtpd in a process of its own that counts what it
accepts. Each sender process runs the scheduler's job, `notifications.jobs.send_alerts`
(passes of `send_due` until nothing is due), until a pass claims nothing. The clock starts
when every sender has its app built and ends when the last one exits; between runs the
deliveries go back to pending. Peak memory is each process's own VmHWM.
"""

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from pathlib import Path

from match_bench import (
    bench_app,
    bench_source,
    database,
    insert_chunks,
    insert_users,
    peak_rss_mb,
    prepare_schema,
)
from search_bench import SEED, Corpus, load_real_text
from sqlalchemy import create_engine, func, select, text

from notifications.models import AlertDelivery
from portal.db import db
from portal.opportunities.models import Opportunity
from portal.subscriptions.models import Subscription

TARGET_PER_MINUTE = 5_000
OPPORTUNITIES = 2_000


# ---------------------------------------------------------------------------------------
# The SMTP sink, a process of its own (also used by bench/alert_delay.py)


class CountingHandler:
    """Counts accepted messages; with `keep`, also their arrival time, subject and text."""

    def __init__(self, keep: bool) -> None:
        self.keep, self.count, self.first, self.last = keep, 0, None, None
        self.kept: list[dict] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        arrived = time.time()
        self.count += 1
        self.first = self.first or arrived
        self.last = arrived
        if self.keep:
            message = message_from_bytes(envelope.content, policy=policy.default)
            body = message.get_body(preferencelist=("plain",))
            self.kept.append(
                {
                    "at": arrived,
                    "to": message["To"],
                    "subject": str(message["Subject"]),
                    "text": body.get_content() if body else "",
                }
            )
        return "250 OK"


def sink_main(port: int, keep: bool) -> None:
    """Prints "ready"; then for every line read, a JSON line of what arrived since."""
    from aiosmtpd.controller import Controller

    handler = CountingHandler(keep)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    for _line in sys.stdin:
        kept, handler.kept = handler.kept, []
        report = {"count": handler.count, "first": handler.first, "last": handler.last}
        print(json.dumps(report | {"messages": kept, "peak_rss_mb": peak_rss_mb()}), flush=True)
    controller.stop()


class Sink:
    """The sink process seen from the bench: start, ask what arrived, stop."""

    def __init__(self, port: int, keep: bool = False) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), "--sink", str(port)]
        self.port = port
        self.process = subprocess.Popen(
            command + (["--keep"] if keep else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("the SMTP sink did not start")

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def poll(self) -> dict:
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------------------------------
# Data: users, their subscriptions, open notices and the pending deliveries


def setup(url: str, instance: Path, users: int, per_user: int, now: datetime) -> None:
    started = time.perf_counter()
    app = bench_app(url, instance)
    prepare_schema(app)
    corpus = Corpus(load_real_text())
    rng = random.Random(SEED)
    with app.app_context(), db.engine.begin() as connection:
        insert_users(connection, users, now, rng)
        connection.execute(
            text("UPDATE users SET email_verified_at = :at, alerts_stopped_at = NULL"), {"at": now}
        )
        source_id = bench_source(connection)
        opportunities = []
        for document in corpus.documents(OPPORTUNITIES):
            number = document["db_id"]
            opportunities.append(
                {
                    "id": number,
                    "source_id": source_id,
                    "source_ref": f"bench-{number}",
                    "title": document["title"],
                    "description": document["body"],
                    "object_type": document["object_type"].decode(),
                    "region_code": document["region"].decode(),
                    "estimated_value": Decimal(f"{document['value']:.2f}"),
                    "published_at": now - timedelta(hours=rng.randint(1, 20)),
                    "deadline_at": now + timedelta(days=rng.randint(3, 30)),
                    "status": "open",
                    "content_hash": f"{number:064d}",
                    "needs_matching": False,
                }
            )
        insert_chunks(connection, Opportunity.__table__, opportunities)
        insert_chunks(
            connection,
            Subscription.__table__,
            [
                {
                    "id": user,
                    "user_id": user,
                    "name": f"Alerta {user}",
                    "keywords": "",
                    "frequency": "immediate",
                    "digest_hour": 7,
                    "active": True,
                }
                for user in range(1, users + 1)
            ],
        )
        deliveries = []
        for user in range(1, users + 1):
            for opportunity in rng.sample(range(1, OPPORTUNITIES + 1), per_user):
                deliveries.append(
                    {
                        "user_id": user,
                        "kind": "match",
                        "dedup_key": f"opportunity:{opportunity}",
                        "opportunity_id": opportunity,
                        "subscription_id": user,
                        "frequency": "immediate",
                        "status": "pending",
                        "attempts": 0,
                        "created_at": now - timedelta(minutes=2),
                        "due_at": now - timedelta(minutes=1),
                    }
                )
        insert_chunks(connection, AlertDelivery.__table__, deliveries)
    print(
        f"setup: {users:,} users, {len(deliveries):,} pending deliveries "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


def reset(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE alert_deliveries SET status = 'pending', claimed_by = NULL, "
                "claimed_until = NULL, sent_at = NULL, message_id = NULL, attempts = 0, "
                "last_error = NULL"
            )
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE alert_deliveries"))
    engine.dispose()


def counts(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)
        ).all()
    engine.dispose()
    return {str(status): number for status, number in rows}


# ---------------------------------------------------------------------------------------
# A sender process


def sender_main(url: str, instance: Path, smtp_url: str) -> None:
    """Builds the app, prints "ready", waits for a line, then runs send_alerts until a pass
    claims nothing; prints its tally and peak memory."""
    from notifications.jobs import send_alerts

    app = bench_app(url, instance, SMTP_URL=smtp_url)
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    messages = sent = passes = 0
    while True:
        tally = send_alerts(app)
        passes += 1
        messages += tally.messages
        sent += tally.sent
        if not tally.claimed or tally.server_error:
            break
    result = {
        "messages": messages,
        "sent": sent,
        "seconds": time.perf_counter() - started,
        "error": tally.server_error,
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(result), flush=True)


def run_senders(url: str, instance: Path, sink: Sink, processes: int) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--sender", url, str(instance)]
    senders = [
        subprocess.Popen(
            [*command, sink.url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(processes)
    ]
    for sender in senders:
        if sender.stdout.readline().strip() != "ready":
            raise SystemExit("a sender did not start")
    before = sink.poll()["count"]
    started = time.perf_counter()
    for sender in senders:
        sender.stdin.write("go\n")
        sender.stdin.flush()
    results = [json.loads(sender.stdout.readline()) for sender in senders]
    seconds = time.perf_counter() - started
    for sender in senders:
        sender.wait()
    received = sink.poll()
    return {
        "processes": processes,
        "received": received["count"] - before,
        "seconds": seconds,
        "senders": results,
        "sink_rss_mb": received["peak_rss_mb"],
    }


def report(backend: str, runs: list[dict], messages: int, states: list[dict]) -> None:
    print(f"\n## {backend}: {messages:,} messages\n")
    print(
        "| processes | received | seconds | messages/min | per process messages | "
        "per process peak RSS MB | deliveries after |"
    )
    print("| ---: | ---: | ---: | ---: | --- | --- | --- |")
    for run, state in zip(runs, states, strict=True):
        rate = run["received"] / run["seconds"] * 60
        each = " / ".join(f"{s['messages']:,}" for s in run["senders"])
        memory = " / ".join(f"{s['peak_rss_mb']:.0f}" for s in run["senders"])
        print(
            f"| {run['processes']} | {run['received']:,} | {run['seconds']:.1f} | "
            f"{rate:,.0f}{'' if rate >= TARGET_PER_MINUTE else ' (below target)'} | {each} | "
            f"{memory} | {', '.join(f'{k} {v:,}' for k, v in sorted(state.items()))} |"
        )
    print(f"\nSink peak RSS: {max(run['sink_rss_mb'] for run in runs):.0f} MB.")
    errors = {s["error"] for run in runs for s in run["senders"] if s["error"]}
    if errors:
        print(f"Server errors: {errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="users, one message each")
    parser.add_argument("--per-user", type=int, default=1, help="deliveries in each message")
    parser.add_argument("--processes", default="1,2,3")
    parser.add_argument("--database-url", help="PostgreSQL (created if missing); default SQLite")
    options = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="send-bench-") as workdir:
        instance = Path(workdir)
        url, cleanup = database(options.database_url, instance)
        sink = Sink(free_port())
        try:
            setup(url, instance, options.messages, options.per_user, now)
            runs, states = [], []
            for number, processes in enumerate(int(p) for p in options.processes.split(",")):
                if number:
                    reset(url)
                runs.append(run_senders(url, instance, sink, processes))
                states.append(counts(url))
                print(f"{processes} processes: {runs[-1]}", file=sys.stderr)
            report(sink_backend(url), runs, options.messages, states)
            rates = [run["received"] / run["seconds"] * 60 for run in runs]
            print(f"Median over the runs: {statistics.median(rates):,.0f} messages/min.")
        finally:
            sink.stop()
            cleanup()


def sink_backend(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--sink":
        asyncio.set_event_loop(asyncio.new_event_loop())
        sink_main(int(sys.argv[2]), "--keep" in sys.argv)
    elif len(sys.argv) == 5 and sys.argv[1] == "--sender":
        sender_main(sys.argv[2], Path(sys.argv[3]), sys.argv[4])
    else:
        main()
