"""The delay we add: from a new item appearing in a publisher's feed to its alert arriving at
the SME's mail server, with the real scheduler process polling the feed every minute.

    python bench/alert_delay.py [--items 50] [--every 60] [--database-url postgresql+psycopg://...]
    python bench/alert_delay.py --items 10 --every 20      # a quicker try (~5 minutes)

A local HTTP server (a thread here) serves /robots.txt (allow all) and an RSS feed; the bench
registers it with `portal sources add --kind feed --interval 1`, creates a verified SME with
an immediate subscription that matches every item, starts `portal scheduler` as a real
process (DATABASE_URL, PORTAL_INSTANCE_DIR and SMTP_URL in its environment, the last pointing
at an aiosmtpd sink process), then publishes one new item every `--every` seconds. Each item's
delay runs from the moment the feed first serves it to the moment the sink accepts the message
that names it (matched by the unique procedure number in the title). Items published faster
than the poll arrive several to a scrape and several to a message; each is measured.

The SME's daily cap of immediate alerts is raised to its maximum, 100 (the default of 20
would move the 21st message into the next daily digest, which is the cap working, not a
delay); a run that sends more than 100 messages in a Lima day measures the cap instead.
"""

import argparse
import hashlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from match_bench import bench_app, database, prepare_schema
from send_bench import Sink, free_port
from sqlalchemy import insert

from portal.accounts.models import User
from portal.db import db
from portal.subscriptions.models import Frequency, Subscription

PORTAL = Path(sys.executable).with_name("portal")
KEYWORDS = "uniformes escolares"
THINGS = [
    "uniformes escolares para estudiantes de nivel primario",
    "uniformes escolares y buzos deportivos",
    "confección de uniformes escolares para la institución educativa",
]
FEED_LENGTH = 100  # items the feed keeps, newest first, as publishers' feeds do
WAIT_AFTER_LAST = 300  # seconds to wait for the last item's mail


# ---------------------------------------------------------------------------------------
# The publisher: an RSS feed served from a thread


class Publisher:
    """Items appear in the feed when `publish` returns; the moment is kept per item."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.lock = threading.Lock()
        self.requests = 0

    def publish(self, number: int) -> dict:
        code = f"AS-SM-{number}-2026-BENCH"
        thing = THINGS[number % len(THINGS)]
        item = {
            "number": number,
            "code": code,
            "title": f"Adquisición de {thing}, procedimiento {code}",
            "published": datetime.now(UTC),
        }
        with self.lock:
            self.items.insert(0, item)
            del self.items[FEED_LENGTH:]
            item["appeared"] = time.time()
        return item

    def feed(self) -> bytes:
        with self.lock:
            items = list(self.items)
        entries = "".join(
            "<item>"
            f"<title>{escape(item['title'])}</title>"
            f"<link>http://publicador.example/convocatorias/{item['number']}</link>"
            f"<guid>bench-{item['number']}</guid>"
            f"<pubDate>{format_datetime(item['published'])}</pubDate>"
            f"<description>{escape(item['title'])}. Entrega en 30 días calendario; "
            "valor referencial S/ 45,000.00.</description>"
            "</item>"
            for item in items
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Convocatorias</title><link>http://publicador.example/</link>"
            f"<description>Banco de pruebas</description>{entries}</channel></rss>"
        ).encode()


def serve(publisher: Publisher) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path == "/robots.txt":
                self._reply(b"User-agent: *\nAllow: /\n", "text/plain")
            elif self.path == "/feed.xml":
                publisher.requests += 1
                body = publisher.feed()
                etag = f'"{hashlib.sha1(body).hexdigest()}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                else:
                    self._reply(body, "application/rss+xml", etag)
            else:
                self.send_error(404)

        def _reply(self, body: bytes, content_type: str, etag: str | None = None) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ---------------------------------------------------------------------------------------
# The portal side: schema, the SME and its subscription, the source, the scheduler


def setup(url: str, instance: Path, environment: dict, feed_url: str) -> None:
    app = bench_app(url, instance)
    prepare_schema(app)
    now = datetime.now(UTC)
    with app.app_context(), db.engine.begin() as connection:
        user_id = connection.execute(
            insert(User.__table__).values(
                email="pyme@bench.example",
                password_hash="bench",
                email_verified_at=now - timedelta(days=1),
                daily_alert_cap=100,  # the most allowed
            )
        ).inserted_primary_key[0]
        connection.execute(
            insert(Subscription.__table__).values(
                user_id=user_id,
                name="Uniformes",
                keywords=KEYWORDS,
                frequency=Frequency.IMMEDIATE,
                digest_hour=7,
                active=True,
            )
        )
    command = [str(PORTAL), "sources", "add", "bench-feed", "--kind", "feed"]
    command += ["--url", feed_url, "--interval", "1"]
    subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL)


def start_scheduler(environment: dict, log: Path) -> subprocess.Popen:
    with open(log, "w") as output:
        return subprocess.Popen(
            [str(PORTAL), "scheduler"], env=environment, stdout=output, stderr=subprocess.STDOUT
        )


def stop_scheduler(scheduler: subprocess.Popen) -> None:
    scheduler.send_signal(signal.SIGINT)
    try:
        scheduler.wait(timeout=30)
    except subprocess.TimeoutExpired:
        scheduler.kill()
        scheduler.wait()


def tree_peak_mb(pid: int) -> dict[int, float]:
    """VmHWM of the process and its children, by pid (read before they end)."""
    peaks, pending = {}, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peaks[current] = int(line.split()[1]) / 1024
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(child) for child in children.read().split())
        except OSError:
            pass
    return peaks


# ---------------------------------------------------------------------------------------
# Measuring


def collect(sink: Sink, items: dict[str, dict], arrived: dict[str, float]) -> None:
    """Record the arrival of every item named in the messages that came since last asked."""
    for message in sink.poll()["messages"]:
        text = message["subject"] + "\n" + message["text"]
        for code in items:
            if code not in arrived and code in text:
                arrived[code] = message["at"]


def run(options, url: str, instance: Path) -> tuple[list[dict], dict, dict]:
    publisher = Publisher()
    server = serve(publisher)
    sink = Sink(free_port(), keep=True)
    feed_url = f"http://127.0.0.1:{server.server_port}/feed.xml"
    environment = os.environ | {
        "DATABASE_URL": url,
        "PORTAL_INSTANCE_DIR": str(instance),
        "SMTP_URL": sink.url,
    }
    log = instance / "scheduler.log"
    scheduler = None
    items: dict[str, dict] = {}
    arrived: dict[str, float] = {}
    peaks: dict[int, float] = {}
    try:
        setup(url, instance, environment, feed_url)
        scheduler = start_scheduler(environment, log)
        while publisher.requests == 0:  # the first scrape of an empty feed
            if scheduler.poll() is not None:
                raise SystemExit(f"the scheduler ended; see {log}:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        print(f"scheduler polling {feed_url}; publishing {options.items} items", file=sys.stderr)
        next_at = time.monotonic()
        for number in range(1, options.items + 1):
            while time.monotonic() < next_at:
                collect(sink, items, arrived)
                time.sleep(min(1.0, max(0.0, next_at - time.monotonic())))
            item = publisher.publish(number)
            items[item["code"]] = item
            next_at += options.every
            print(f"  item {number} published; {len(arrived)} arrived", file=sys.stderr)
        deadline = time.monotonic() + WAIT_AFTER_LAST
        while len(arrived) < len(items) and time.monotonic() < deadline:
            collect(sink, items, arrived)
            time.sleep(1.0)
        peaks = tree_peak_mb(scheduler.pid)
        peaks["sink"] = sink.poll()["peak_rss_mb"]
    finally:
        if scheduler is not None:
            stop_scheduler(scheduler)
        sink.stop()
        server.shutdown()
    results = [
        {**item, "delay": arrived[code] - item["appeared"] if code in arrived else None}
        for code, item in items.items()
    ]
    return results, peaks, {"feed_requests": publisher.requests, "log": log.read_text()}


def report(backend: str, options, results: list[dict], peaks: dict, facts: dict) -> None:
    delays = [r["delay"] for r in results if r["delay"] is not None]
    missing = [r["code"] for r in results if r["delay"] is None]
    print(f"\n## {backend}: {len(results)} items, one every {options.every:g} s\n")
    if delays:
        ordered = sorted(delays)
        p90 = ordered[max(0, int(0.9 * len(ordered) + 0.5) - 1)]
        print("| items | arrived | median s | p90 s | max s | min s | target (median < 90 s) |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        print(
            f"| {len(results)} | {len(delays)} | {statistics.median(delays):.1f} | {p90:.1f} | "
            f"{max(delays):.1f} | {min(delays):.1f} | "
            f"{'met' if statistics.median(delays) < 90 else 'NOT met'} |"
        )
        print("\nDelays in publication order (s): " + ", ".join(f"{d:.0f}" for d in delays))
    if missing:
        print(f"\nNo mail for {len(missing)} items: {', '.join(missing[:10])}")
    scheduler_peaks = ", ".join(f"{value:.0f}" for key, value in peaks.items() if key != "sink")
    print(
        f"\nFeed requests: {facts['feed_requests']}. Peak RSS MB: scheduler and its children "
        f"{scheduler_peaks}; sink {peaks.get('sink', float('nan')):.0f}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--every", type=float, default=60.0, help="seconds between items")
    parser.add_argument("--database-url", help="PostgreSQL (created if missing); default SQLite")
    parser.add_argument("--show-log", action="store_true", help="print the scheduler's log")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="alert-delay-") as workdir:
        instance = Path(workdir)
        url, cleanup = database(options.database_url, instance)
        try:
            results, peaks, facts = run(options, url, instance)
        finally:
            cleanup()
        if options.show_log:
            print(facts["log"], file=sys.stderr)
        report(
            "postgresql" if url.startswith("postgresql") else "sqlite",
            options,
            results,
            peaks,
            facts,
        )


if __name__ == "__main__":
    main()
