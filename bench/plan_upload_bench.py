"""Plan upload benchmark: a 50,000-row PAC stored as a draft and published as a plan version
through portal.plan_upload.operations, on SQLite or PostgreSQL, with each step's seconds and
peak memory.

    python bench/plan_upload_bench.py [--rows 50000] [--kind csv|xlsx]
                                      [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/pub]

The file is bench/plan_file_bench.py's realistic PAC (CONSUCODE layout under a header block,
SEACE descriptions when ../shared/fixtures is here). Without --database-url a fresh SQLite file
in a temporary folder is used; a PostgreSQL URL is migrated and used as it is (a new plan
version is added to what is there). Each step runs in a child process of its own, which
reports its VmHWM (peak resident set), so neither the generated file nor the other steps count:

1. upload: read and check the file, store the draft (file, problems, preview), commit;
2. publish: re-read the stored file, insert the version and its lines, link calls, commit,
   as a web worker does it (PORTAL_INDEX_WRITER=false: no index writing in the request);
3. index: the scheduler's repair job putting the new lines into the search index.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from plan_file_bench import write_csv, write_xlsx
from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.accounts.operations import create_user
from portal.app import create_app
from portal.buyers.models import Buyer
from portal.db import db
from portal.migrate import upgrade_database
from portal.plan_upload.operations import publish_draft, store_draft
from portal.plans.models import PlanLine, PlanUpload
from portal.reference.loader import load_reference
from portal.search.jobs import repair_index

FISCAL_YEAR = 2026  # the year plan_file_bench's rows and header block are written for
ENTITY = ("SEGURO SOCIAL DE SALUD", "20131312955")  # as in plan_file_bench's header block
CLERK = "logistica.bench@essalud.gob.pe"


def make_app(database_url: str, instance: str, index_writer: bool):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PORTAL_INDEX_WRITER": index_writer,
            "SECRET_KEY": "bench",
        },
        instance_path=instance,
    )


def prepare(database_url: str, instance: str) -> None:
    """Migrate, load reference data, and make sure the entity and its clerk exist."""
    app = make_app(database_url, instance, index_writer=True)
    upgrade_database(app)
    with app.app_context():
        load_reference(db.session)
        buyer = db.session.scalar(select(Buyer).where(Buyer.ruc == ENTITY[1]))
        if buyer is None:
            buyer = Buyer(name=ENTITY[0], ruc=ENTITY[1])
            db.session.add(buyer)
            db.session.flush()
        if db.session.scalar(select(User).where(User.email == CLERK)) is None:
            clerk = create_user(
                db.session, CLERK, "clave-de-bench-segura-1", Role.AGENCY_STAFF, buyer
            )
            clerk.staff_approved_at = datetime.now(UTC)
        db.session.commit()
        db.engine.dispose()


def step(name: str, database_url: str, instance: str, argument: str) -> dict:
    """Runs in its own process: one step, its figures as one JSON line."""
    app = make_app(database_url, instance, index_writer=name == "index")
    figures: dict = {}
    with app.app_context():
        session = db.session
        clerk = session.scalar(select(User).where(User.email == CLERK))
        started = time.perf_counter()
        if name == "upload":
            payload = Path(argument).read_bytes()
            draft = store_draft(
                session,
                buyer=session.scalar(select(Buyer).where(Buyer.ruc == ENTITY[1])),
                fiscal_year=FISCAL_YEAR,
                user=clerk,
                filename=Path(argument).name,
                payload=payload,
                now=datetime.now(UTC),
            )
            figures["work"] = time.perf_counter() - started
            session.commit()
            figures |= {
                "draft": draft.id,
                "lines": draft.line_count,
                "problems": draft.problem_count,
            }
        elif name == "publish":
            plan = publish_draft(
                session, session.get(PlanUpload, int(argument)), clerk, datetime.now(UTC)
            )
            figures["work"] = time.perf_counter() - started
            session.commit()
            count = select(func.count()).select_from(PlanLine).where(PlanLine.plan_id == plan.id)
            figures |= {"version": plan.version, "lines": session.scalar(count)}
        else:
            db.engine.dispose()
            report = repair_index(app)
            figures["lines"] = report.missing
        figures["seconds"] = time.perf_counter() - started
        db.engine.dispose()
    figures["peak_mb"] = vm_hwm_mb()
    return figures


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_step(name: str, database_url: str, instance: str, argument: str) -> dict:
    command = [sys.executable, __file__, "--child", name, database_url, instance, argument]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"step {name} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--kind", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--database-url")
    parser.add_argument("--child", nargs=4, metavar=("STEP", "URL", "INSTANCE", "ARGUMENT"))
    options = parser.parse_args()
    if options.child:
        print(json.dumps(step(*options.child)))
        return
    with tempfile.TemporaryDirectory() as folder:
        instance = str(Path(folder) / "instance")
        database_url = options.database_url or f"sqlite:///{folder}/bench.sqlite3"
        backend = database_url.split(":", 1)[0].split("+", 1)[0]
        path = Path(folder) / f"pac-{options.rows}.{options.kind}"
        (write_csv if options.kind == "csv" else write_xlsx)(path, options.rows)
        prepare(database_url, instance)
        upload = run_step("upload", database_url, instance, str(path))
        publish = run_step("publish", database_url, instance, str(upload["draft"]))
        index = run_step("index", database_url, instance, "-")
        size_mb = path.stat().st_size / 2**20
    print(f"{backend}, {options.rows:,} rows, {options.kind} ({size_mb:.1f} MB)")
    print("| step | outcome | seconds | of which commit | peak MB |")
    print("| --- | --- | ---: | ---: | ---: |")
    table_row(
        "upload: read, store draft",
        f"{upload['lines']:,} lines, {upload['problems']} problems",
        upload,
    )
    table_row(
        "publish: re-read, insert, link",
        f"version {publish['version']}, {publish['lines']:,} lines",
        publish,
    )
    table_row("index: scheduler's repair", f"{index['lines']:,} documents added", index)


def table_row(name: str, outcome: str, figures: dict) -> None:
    seconds, peak = figures["seconds"], figures["peak_mb"]
    commit = seconds - figures.get("work", seconds)
    print(f"| {name} | {outcome} | {seconds:.2f} | {commit:.2f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
