"""Benchmark: ingest generated OCDS releases through the real pipeline, SQLite and PostgreSQL.

Generates N releases shaped like the real ones in shared/fixtures/ocds-* (Spanish titles,
buyers with RUC, UNSPSC items, values, tender periods), writes them as one release package
and as JSON lines, then runs `run_source` on a `file://` source for each file and backend,
each in a child process so peak memory (max RSS) is that run's own. The run has workers of
its own: large files are parsed in one (scrapers.parse_worker) and bulk index writes go to
another (portal.search.writer_process). "workers RSS" is the highest sum of their resident
sets, "peak total" that of the run and its workers together, sampled every 50 ms: an upper
bound of the memory the run takes from the machine, since pages the processes share (the
interpreter, libraries) count once in each. "total PSS" is the highest sum of proportional
set sizes, which split shared pages between their processes, sampled every second (reading
it takes milliseconds per process: sampling it as often would slow the run).

`--rebuild` also times `portal index rebuild` over what each run left, measured the same way.

    python bench/ingest_ocds.py --releases 100000 [--repeat 3] [--rebuild]
"""

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

PAGE_BYTES = resource.getpagesize()
POSTGRES_ADMIN_URL = os.environ.get(
    "PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BUYERS = [
    ("MUNICIPALIDAD DISTRITAL DE CERRO COLORADO", "20131312955", "Arequipa"),
    ("GOBIERNO REGIONAL DE AREQUIPA", "20503704065", "Arequipa"),
    ("MINISTERIO DE SALUD", "20131378832", "Lima"),
] + [(f"MUNICIPALIDAD PROVINCIAL NÚMERO {n}", None, "Cusco") for n in range(1, 200)]
GOODS = [
    ("Adquisición de cemento portland tipo I", "30111601", "Cemento"),
    ("Adquisición de computadoras portátiles", "43211503", "Computadores portátiles"),
    ("Servicio de limpieza de vías públicas", "76111501", "Servicios de limpieza"),
    ("Adquisición de papel bond A4", "14111507", "Papel para impresora"),
    ("Servicio de alquiler de transporte", "78111803", "Alquiler de vehículos"),
    ("Mejoramiento del servicio de agua potable", "72141103", "Obras de acueducto"),
    ("Adquisición de medicamentos e insumos médicos", "51101500", "Antibióticos"),
    ("Servicio de mantenimiento de locales escolares", "72101507", "Mantenimiento de edificios"),
]
METHODS = ("Licitación Pública", "Concurso Público", "Subasta Inversa Electrónica", "open")


def make_release(number: int, rng: random.Random) -> dict:
    title, code, label = rng.choice(GOODS)
    name, ruc, region = rng.choice(BUYERS)
    published = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=7 * number)
    items = [
        {
            "id": str(item),
            "description": f"{label} — lote {item}",
            "classification": {"scheme": "UNSPSC", "id": code, "description": label},
            "quantity": rng.randint(1, 500),
            "unit": {"name": "UNIDAD"},
        }
        for item in range(1, rng.randint(1, 4) + 1)
    ]
    identifier = {"scheme": "PE-RUC", "id": ruc} if ruc else {"id": f"ENT-{name[-3:]}"}
    return {
        "ocid": f"ocds-dgv273-seacev3-{number}",
        "id": f"{number}-tender",
        "date": published.isoformat(),
        "tag": ["tender"],
        "language": "es",
        "buyer": {
            "name": name,
            "identifier": identifier,
            "address": {"region": region, "countryName": "Perú"},
        },
        "tender": {
            "id": f"LP-SM-{number}-2026-MDCC-1",
            "title": f"{title} para la entidad, proceso {number}",
            "description": f"{title}: requerimiento número {number} según términos de referencia",
            "status": "active",
            "procurementMethod": "open",
            "procurementMethodDetails": rng.choice(METHODS),
            "mainProcurementCategory": rng.choice(("goods", "services", "works")),
            "value": {"amount": round(rng.uniform(5_000, 2_000_000), 2), "currency": "PEN"},
            "tenderPeriod": {
                "startDate": published.isoformat(),
                "endDate": (published + timedelta(days=rng.randint(8, 30))).isoformat(),
            },
            "items": items,
        },
    }


def write_inputs(directory: Path, count: int) -> dict[str, Path]:
    """Both files are written a release at a time: the generator never holds them whole."""
    package, lines = directory / "release-package.json", directory / "releases.jsonl"
    rng = random.Random(2026)
    with (
        open(package, "w", encoding="utf-8") as as_package,
        open(lines, "w", encoding="utf-8") as as_lines,
    ):
        as_package.write('{"uri": "bench", "version": "1.1", "releases": [\n')
        for number in range(1, count + 1):
            text = json.dumps(make_release(number, rng), ensure_ascii=False)
            as_package.write(("," if number > 1 else "") + text + "\n")
            as_lines.write(text + "\n")
        as_package.write("]}\n")
    return {"package": package, "jsonl": lines}


def _app(database_url: str, instance: Path):
    from portal.app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PORTAL_INDEX_DIR": str(instance / "index"),
            "PORTAL_OUTBOX_DIR": str(instance / "outbox"),
        }
    )


def child(database_url: str, payload: Path, instance: Path) -> None:
    """One measured run in a fresh process; prints one JSON line for the parent."""
    from portal.db import db
    from portal.migrate import upgrade_database
    from portal.reference.loader import load_reference
    from portal.search.sync import index_status
    from scrapers.fetch import Fetcher, FetchSettings
    from scrapers.models import SourceKind
    from scrapers.pipeline import run_source
    from scrapers.sources import add_source

    app = _app(database_url, instance)
    upgrade_database(app)
    with app.app_context():
        load_reference(db.session)
        source = add_source(db.session, "bench", SourceKind.OCDS, payload.as_uri())
        db.session.commit()
        started = time.perf_counter()
        settings = FetchSettings(user_agent="bench", local_sources_dirs=(payload.parent,))
        with Fetcher(settings) as fetcher:
            run = run_source(db.session, source, datetime.now(UTC), fetcher)
        seconds = time.perf_counter() - started
        result = {
            "status": run.status.value,
            "error": run.error,
            "new": run.new,
            "failed": run.failed,
            "seconds": seconds,
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        print(json.dumps(result), flush=True)  # the parent stops measuring memory here
        status = index_status(db.session, app.config["PORTAL_INDEX_DIR"])
    print(json.dumps({"index_equal": status.indexed == status.database}))


def rebuild_child(database_url: str, instance: Path) -> None:
    """`portal index rebuild` over what an ingest run left, measured as a run is."""
    from portal.db import db
    from portal.search.sync import index_status, rebuild

    app = _app(database_url, instance)
    with app.app_context():
        started = time.perf_counter()
        indexed = rebuild(db.session, app.config["PORTAL_INDEX_DIR"])
        seconds = time.perf_counter() - started
        result = {
            "status": "rebuilt",
            "error": None,
            "new": indexed,
            "seconds": seconds,
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        print(json.dumps(result), flush=True)
        status = index_status(db.session, app.config["PORTAL_INDEX_DIR"])
    print(json.dumps({"index_equal": status.indexed == status.database}))


def parse_only(payload: Path) -> None:
    """The parser alone, no database: shows how much of a run is parsing."""
    from scrapers.ocds import parse
    from scrapers.records import OpportunityRecord, ParseContext

    started = time.perf_counter()
    with open(payload, "rb") as stream:
        records = sum(
            isinstance(item, OpportunityRecord) for item in parse(stream, ParseContext("bench"))
        )
    seconds = time.perf_counter() - started
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "status": "parsed",
                "error": None,
                "new": records,
                "seconds": seconds,
                "max_rss_mb": max_rss_mb,
            }
        )
    )


def measure(*arguments: str) -> dict:
    """Run a child; its first line ends the measured part, a later one may add checks."""
    command = [sys.executable, __file__, *arguments]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        peak = PeakTotal(process.pid)
        result = json.loads(process.stdout.readline() or "{}")
        peak.stop()
        for line in process.stdout:
            result |= json.loads(line)
    if process.returncode or "status" not in result:
        raise SystemExit(f"run failed with {process.returncode}")
    return result | {
        "peak_total_mb": peak.total_mb,
        "workers_rss_mb": peak.children_mb,
        "peak_pss_mb": peak.pss_mb,
    }


class PeakTotal:
    """Highest memory sum of a process and its descendants, sampled by a thread.

    RSS every 50 ms (also of the descendants alone); PSS, which splits shared pages between the
    processes sharing them, every second: reading it takes milliseconds per process. ru_maxrss
    of a child says nothing here, since a child forked before its exec counts its parent's
    whole resident set.
    """

    def __init__(self, pid: int) -> None:
        self.pid, self.running = pid, True
        self.total_mb = self.children_mb = self.pss_mb = 0.0
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.running = False
        self.thread.join()

    def _sample(self) -> None:
        samples = 0
        while self.running:
            pids = _tree(self.pid)
            root, *children = map(_rss_mb, pids)
            self.children_mb = max(self.children_mb, sum(children))
            self.total_mb = max(self.total_mb, root + sum(children))
            if samples % 20 == 0:
                self.pss_mb = max(self.pss_mb, sum(map(_pss_mb, pids)))
            samples += 1
            time.sleep(0.05)


def _tree(pid: int) -> list[int]:
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(child) for child in children.read().split())
        except OSError:
            pass
    return pids


def _pss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass  # the process ended between listing and reading
    return 0.0


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES / 2**20
    except OSError:
        return 0.0  # the process ended between listing and reading


def scratch_postgres():
    """Create a throwaway database; returns its URL and a function that drops it."""
    from sqlalchemy import create_engine, text

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"portal_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--formats", default="package,jsonl")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per backend and format; a median line follows"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="after each run, time `portal index rebuild` too"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ocds-") as workdir:
        work = Path(workdir)
        started = time.perf_counter()
        inputs = write_inputs(work, arguments.releases)
        size_mb = inputs["package"].stat().st_size / 1e6
        print(
            f"{arguments.releases} releases, package {size_mb:.0f} MB, "
            f"generated in {time.perf_counter() - started:.0f} s"
        )
        print(
            f"{'run':<11}{'format':<9}{'status':<11}{'new':>8}{'seconds':>9}"
            f"{'opps/s':>9}{'max RSS MB':>12}{'workers RSS MB':>16}{'peak total MB':>15}"
            f"{'total PSS MB':>14}{'index = db':>12}"
        )
        for input_format in arguments.formats.split(","):
            work_dir = work / f"parse-{input_format}"
            work_dir.mkdir()
            child_run = measure("--child", "-", str(inputs[input_format]), str(work_dir))
            report("parse-only", input_format, child_run)
        for backend in arguments.backends.split(","):
            for input_format in arguments.formats.split(","):
                results, rebuilds = [], []
                for number in range(arguments.repeat):
                    instance = work / f"{backend}-{input_format}-{number}"
                    instance.mkdir()
                    ingested, rebuilt = ingest_once(
                        backend, inputs[input_format], instance, arguments.rebuild
                    )
                    results.append(ingested)
                    report(backend, input_format, ingested)
                    if rebuilt:
                        rebuilds.append(rebuilt)
                        report("rebuild", input_format, rebuilt)
                if len(results) > 1:
                    report("median", input_format, median_of(results))
                if len(rebuilds) > 1:
                    report("median", input_format, median_of(rebuilds))


def ingest_once(
    backend: str, payload: Path, instance: Path, then_rebuild: bool
) -> tuple[dict, dict | None]:
    """An ingest run, and the rebuild of what it left if asked; both measured on their own."""
    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{instance / 'portal.sqlite3'}"
    else:
        url, drop = scratch_postgres()
    try:
        ingested = measure("--child", url, str(payload), str(instance))
        rebuilt = measure("--rebuild-child", url, str(instance)) if then_rebuild else None
        return ingested, rebuilt
    finally:
        if drop:
            drop()
        shutil.rmtree(instance, ignore_errors=True)  # a 1M run's database and index are GBs


def median_of(results: list[dict]) -> dict:
    """Median time; memory as the highest of the runs (a target is a ceiling)."""
    memory = ("max_rss_mb", "workers_rss_mb", "peak_total_mb", "peak_pss_mb")
    return {
        "status": "/".join(sorted({r["status"] for r in results})),
        "error": None,
        "new": results[0]["new"],
        "seconds": statistics.median(r["seconds"] for r in results),
        **{key: max(r[key] for r in results) for key in memory},
        "index_equal": all(r.get("index_equal") for r in results),
    }


def report(run: str, input_format: str, result: dict) -> None:
    rate = result["new"] / result["seconds"] if result["seconds"] else 0
    print(
        f"{run:<11}{input_format:<9}{result['status']:<11}{result['new']:>8}"
        f"{result['seconds']:>9.1f}{rate:>9.0f}{result['max_rss_mb']:>12.0f}"
        f"{result['workers_rss_mb']:>16.0f}{result['peak_total_mb']:>15.0f}"
        f"{result['peak_pss_mb']:>14.0f}{str(result.get('index_equal', '-')):>12}",
        flush=True,
    )
    if result["error"]:
        print(f"  error: {result['error']}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child" and sys.argv[2] == "-":
        parse_only(Path(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "--rebuild-child":
        rebuild_child(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
