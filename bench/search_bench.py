"""Search benchmark: this Whoosh index against SQLite FTS5 on the same synthetic corpus.

    python bench/search_bench.py --docs 100000 [--docs 1000000] [--workdir /tmp/search-bench]

A "search page" is what /buscar shows: top 20 + total + facet counts + highlighted snippets.
Prints build time, index size, and median/p95 latency per engine for open-only and all statuses.
"""

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from portal import create_app
from portal.search.documents import make_document
from portal.search.params import SearchParams
from portal.search.query import search
from portal.search.store import BulkWriter

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
OPEN_SHARE = 0.05
ACTIONS = [
    "Adquisición de",
    "Servicio de",
    "Contratación del servicio de",
    "Suministro de",
    "Ejecución de la obra",
    "Mantenimiento de",
    "Consultoría para",
    "Alquiler de",
    "Elaboración del expediente técnico de",
    "Compra de",
]
OBJECTS = [
    "uniformes",
    "computadoras",
    "impresoras",
    "medicamentos",
    "combustible",
    "cemento",
    "vehículos",
    "mobiliario escolar",
    "útiles de escritorio",
    "equipos médicos",
    "alimentos",
    "raciones",
    "insumos de limpieza",
    "papel bond",
    "llantas",
    "repuestos",
    "agua potable",
    "saneamiento",
    "pistas y veredas",
    "carreteras",
    "puentes",
    "seguridad y vigilancia",
    "limpieza",
    "mantenimiento preventivo",
    "software",
    "licencias",
    "servidores",
    "cámaras de videovigilancia",
    "ambulancias",
    "camionetas",
    "fertilizantes",
    "semillas",
    "ganado",
    "instrumental quirúrgico",
    "oxígeno medicinal",
    "mascarillas",
    "guantes",
    "tuberías",
    "válvulas",
    "transformadores",
    "paneles solares",
]
PLACES = [
    "para la Municipalidad Provincial",
    "del Gobierno Regional",
    "de la Red de Salud",
    "para el Hospital Regional",
    "de la Unidad Ejecutora",
    "para las instituciones educativas",
    "del distrito de",
    "de la provincia de",
    "para el personal",
    "del centro poblado",
]
TOWNS = [
    "Arequipa",
    "Cusco",
    "Puno",
    "Piura",
    "Chiclayo",
    "Huancayo",
    "Iquitos",
    "Tacna",
    "Ayacucho",
    "Cajamarca",
    "Huánuco",
    "Tumbes",
    "Moquegua",
    "Pucallpa",
    "Abancay",
]
FILLER = (
    "el la los las de del para con por según conforme bases integradas términos de "
    "referencia especificaciones técnicas plazo de ejecución días calendario entrega "
    "almacén central proveedor garantía conformidad valor referencial soles incluido IGV "
    "procedimiento de selección requerimiento área usuaria sistema de contratación suma "
    "alzada precios unitarios postor adjudicado contrato penalidades supervisión obra "
    "servicio bienes consultoría expediente técnico calidad normativa vigente personal "
    "clave experiencia mínima capacitación instalación transporte distribución lote ítem "
    "unidad de medida cantidad presentación certificado registro sanitario"
).split()
RARE = ["helicóptero", "liofilizador", "espectrofotómetro", "teleférico", "sismógrafo"]
REGIONS = [f"{code:02d}" for code in range(1, 26)]
OBJECT_TYPES = ["goods", "services", "works", "consulting"]
PROCEDURES = ["LP", "CP", "LPA", "CPA", "AS", "SIE", "CD", "COMP"]
STATUSES = ["closed", "awarded", "cancelled", "deserted"]
SEGMENTS = [
    10,
    12,
    15,
    24,
    25,
    26,
    27,
    30,
    39,
    40,
    42,
    43,
    44,
    46,
    47,
    50,
    51,
    53,
    72,
    78,
    80,
    81,
    85,
    86,
    90,
    92,
    93,
    95,
]


def synthetic_document(number: int, rng: random.Random) -> dict:
    words = rng.randint(8, 20)
    title = " ".join(
        [rng.choice(ACTIONS), rng.choice(OBJECTS), rng.choice(PLACES), rng.choice(TOWNS)]
    )
    extra = rng.sample(FILLER + OBJECTS, k=max(0, words - len(title.split())))
    title = " ".join([title, *extra])
    body_words = [rng.choice(FILLER) for _ in range(rng.randint(50, 400))]
    if number % 997 == 0:
        body_words.append(rng.choice(RARE))
    body = " ".join(body_words)
    is_open = rng.random() < OPEN_SHARE
    published = NOW - timedelta(days=rng.randint(0 if is_open else 20, 30 if is_open else 1500))
    segment = rng.choice(SEGMENTS)
    family = f"{segment}{rng.randint(10, 19)}"
    return make_document(
        kind="opportunity",
        db_id=number,
        title=title,
        description=body,
        status="open" if is_open else rng.choice(STATUSES),
        region=rng.choice(REGIONS),
        object_type=rng.choice(OBJECT_TYPES),
        procedure_type=rng.choice(PROCEDURES),
        buyer_id=rng.randint(1, 2000),
        sectors={f"{segment}000000", f"{family}0000"},
        value=round(rng.lognormvariate(11, 1.6), 2),
        published=published,
        deadline=published + timedelta(days=rng.randint(5, 40)),
        stamp=0.0,
    )


def corpus(count: int):
    rng = random.Random(2026)
    for number in range(1, count + 1):
        yield synthetic_document(number, rng)


QUERIES = [
    ("servicio", {}),
    ("adquisición", {}),
    ("adquisicion", {}),
    ("mantenimiento", {}),
    ("uniformes", {}),
    ("medicamentos", {}),
    ("combustible", {}),
    ("helicóptero", {}),
    ("espectrofotómetro", {}),
    ("teleférico", {}),
    ("liofilizador", {}),
    ("adquisición de uniformes", {}),
    ("servicio de limpieza", {}),
    ("mantenimiento de carreteras", {}),
    ("equipos médicos hospital", {}),
    ("agua potable saneamiento", {}),
    ("compra de llantas", {}),
    ("servicio", {"regions": ("04",)}),
    ("adquisición", {"object_types": ("goods",)}),
    ("uniformes", {"regions": ("15", "08")}),
    ("medicamentos", {"sectors": ("51000000",)}),
    ("obra", {"value_min": 100_000, "value_max": 2_000_000}),
    ("servicio de vigilancia", {"procedure_types": ("AS", "CP")}),
    ("", {}),
    ("", {"regions": ("04",)}),
    ("", {"published_within_days": 7}),
    ("computadoras", {"closing_within_days": 15}),
    ("cemento", {"buyer_ids": (17, 23, 99)}),
]


def whoosh_build(docs: int, index_dir: Path) -> float:
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    writer = BulkWriter(index_dir, procs=2, limitmb=384)
    for number, document in enumerate(corpus(docs), 1):
        writer.add(document)
        if number % 50_000 == 0:
            print(f"  whoosh: {number} documentos", file=sys.stderr)
    writer.commit()
    return time.perf_counter() - started


def whoosh_search(app, text: str, filters: dict, all_statuses: bool) -> float:
    params = SearchParams(q=text, statuses=() if all_statuses else ("open",), **filters)
    started = time.perf_counter()
    with app.app_context():
        search(params, NOW)
    return (time.perf_counter() - started) * 1000


FTS_SCHEMA = """
CREATE TABLE docs (id INTEGER PRIMARY KEY, kind TEXT, status TEXT, region TEXT,
  object_type TEXT, procedure_type TEXT, buyer INTEGER, value REAL, published REAL,
  deadline REAL);
CREATE TABLE sectors (doc INTEGER, code TEXT);
CREATE INDEX sectors_doc ON sectors(doc);
CREATE INDEX docs_status ON docs(status, deadline);
CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='unicode61 remove_diacritics 2');
"""


def fts_build(docs: int, path: Path) -> float:
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.executescript(FTS_SCHEMA)
    batch_docs, batch_sectors, batch_text = [], [], []

    def flush() -> None:
        connection.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?)", batch_docs)
        connection.executemany("INSERT INTO sectors VALUES (?,?)", batch_sectors)
        connection.executemany("INSERT INTO fts(rowid, title, body) VALUES (?,?,?)", batch_text)
        batch_docs.clear(), batch_sectors.clear(), batch_text.clear()

    for d in corpus(docs):
        batch_docs.append(
            (
                d["db_id"],
                d["kind"].decode(),
                d["status"].decode(),
                d["region"].decode(),
                d["object_type"].decode(),
                d["procedure_type"].decode(),
                d["buyer"],
                d["value"],
                d["published"],
                d["deadline"],
            )
        )
        batch_sectors.extend((d["db_id"], code) for code in d["sectors"].decode().split())
        batch_text.append((d["db_id"], d["title"], d["body"]))
        if len(batch_docs) >= 10_000:
            flush()
    flush()
    connection.commit()
    connection.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def _fts_filters(filters: dict, all_statuses: bool) -> tuple[str, list]:
    clauses, args = [], []
    if not all_statuses:
        clauses.append("d.status = 'open' AND d.deadline > ?")
        args.append(NOW.timestamp())
    for key, column in (
        ("regions", "region"),
        ("object_types", "object_type"),
        ("procedure_types", "procedure_type"),
        ("buyer_ids", "buyer"),
    ):
        if key in filters:
            clauses.append(f"d.{column} IN ({','.join('?' * len(filters[key]))})")
            args.extend(filters[key])
    if "sectors" in filters:
        clauses.append(
            "d.id IN (SELECT doc FROM sectors WHERE code IN "
            f"({','.join('?' * len(filters['sectors']))}))"
        )
        args.extend(filters["sectors"])
    if "value_min" in filters:
        clauses.append("d.value >= ?")
        args.append(filters["value_min"])
    if "value_max" in filters:
        clauses.append("d.value <= ?")
        args.append(filters["value_max"])
    if "published_within_days" in filters:
        clauses.append("d.published >= ?")
        args.append(NOW.timestamp() - filters["published_within_days"] * 86400)
    if "closing_within_days" in filters:
        clauses.append("d.deadline BETWEEN ? AND ?")
        args.extend([NOW.timestamp(), NOW.timestamp() + filters["closing_within_days"] * 86400])
    return " AND ".join(clauses) or "1", args


def fts_search(connection, text: str, filters: dict, all_statuses: bool) -> float:
    """Hit set into a temp table, GROUP BY per facet, top 20 by bm25 with highlights."""
    started = time.perf_counter()
    where, args = _fts_filters(filters, all_statuses)
    words = [w for w in text.replace(",", " ").split() if len(w) > 2]
    match = " AND ".join(f'"{w}"' for w in words)
    connection.execute("DROP TABLE IF EXISTS temp.hits")
    if match:
        connection.execute(
            "CREATE TEMP TABLE hits AS SELECT d.*, bm25(fts, 2.5, 1.0) AS rank FROM fts CROSS "
            f"JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ? AND {where}",
            [match, *args],
        )
    else:
        connection.execute(
            f"CREATE TEMP TABLE hits AS SELECT d.*, -d.published AS rank FROM docs d WHERE {where}",
            args,
        )
    connection.execute("SELECT count(*) FROM hits").fetchone()
    for column in ("region", "object_type", "procedure_type", "status", "kind", "buyer"):
        connection.execute(f"SELECT {column}, count(*) FROM hits GROUP BY {column}").fetchall()
    connection.execute(
        "SELECT s.code, count(*) FROM hits h JOIN sectors s ON s.doc = h.id "
        "WHERE s.code LIKE '%000000' GROUP BY s.code"
    ).fetchall()
    top = connection.execute("SELECT id FROM hits ORDER BY rank LIMIT 20").fetchall()
    ids = [row[0] for row in top]
    if match and ids:
        connection.execute(
            "SELECT highlight(fts, 0, '<mark>', '</mark>'), "
            "snippet(fts, 1, '<mark>', '</mark>', '…', 30) FROM fts "
            f"WHERE fts MATCH ? AND rowid IN ({','.join('?' * len(ids))})",
            [match, *ids],
        ).fetchall()
    return (time.perf_counter() - started) * 1000


def _size(path: Path) -> float:
    files = [path] if path.is_file() else list(path.rglob("*"))
    return sum(f.stat().st_size for f in files if f.is_file()) / 1e6


def _stats(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def run(docs: int, workdir: Path, rounds: int, profile: bool, reuse: bool) -> list[tuple]:
    index_dir, fts_path = workdir / f"whoosh-{docs}", workdir / f"fts-{docs}.sqlite3"
    if reuse and index_dir.is_dir() and fts_path.is_file():
        whoosh_seconds = fts_seconds = float("nan")  # built by an earlier run
    else:
        print(f"Construyendo {docs} documentos…", file=sys.stderr)
        whoosh_seconds = whoosh_build(docs, index_dir)
        fts_seconds = fts_build(docs, fts_path)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "PORTAL_INDEX_DIR": str(index_dir),
            "PORTAL_INDEX_WRITER": False,
        }
    )
    connection = sqlite3.connect(fts_path)
    rows = []
    for all_statuses in (False, True):
        label = "todas" if all_statuses else "abiertas"
        for engine, run_one, build, size in (
            (
                "whoosh",
                lambda t, f, every=all_statuses: whoosh_search(app, t, f, every),
                whoosh_seconds,
                _size(index_dir),
            ),
            (
                "fts5",
                lambda t, f, every=all_statuses: fts_search(connection, t, f, every),
                fts_seconds,
                _size(fts_path),
            ),
        ):
            for text, filters in QUERIES:  # warm-up: first open loads arrays / page cache
                run_one(text, filters)
            timings = [run_one(t, f) for _ in range(rounds) for t, f in QUERIES]
            median, p95 = _stats(timings)
            rows.append((docs, engine, label, median, p95, build, docs / build, size))
    if profile:
        _profile(app)
    return rows


def _profile(app) -> None:
    from pyinstrument import Profiler

    profiler = Profiler()
    profiler.start()
    for all_statuses in (False, True):
        for text, filters in QUERIES:
            whoosh_search(app, text, filters, all_statuses)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, action="append", help="corpus size (repeatable)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/search-bench"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="pyinstrument the Whoosh runs")
    parser.add_argument("--reuse", action="store_true", help="keep indexes built by a past run")
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for docs in options.docs or [100_000]:
        rows.extend(run(docs, options.workdir, options.rounds, options.profile, options.reuse))
    print("| docs | engine | statuses | median ms | p95 ms | build s | docs/s | size MB |")
    print("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for docs, engine, label, median, p95, build, rate, size in rows:
        print(
            f"| {docs:,} | {engine} | {label} | {median:.1f} | {p95:.1f} | {build:.0f} | "
            f"{rate:,.0f} | {size:.0f} |"
        )


if __name__ == "__main__":
    main()
