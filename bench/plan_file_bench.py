"""Plan file reading benchmark: a 50,000-row PAC read and validated (CSV and XLSX), and files
of 200,000 and 600,000 rows refused, each with its time and peak memory.

    python bench/plan_file_bench.py [--rows 50000] [--refused 200000,600000]
                                    [--xlsx-refused 60000,600000]

Rows look like a real PAC in the CONSUCODE layout under a header block (year, entity, RUC,
approving instrument): descriptions from the SEACE calls in ../shared/fixtures/seace-html
when present, else composed from Spanish procurement vocabulary, with procedure types,
CUBSO codes, amounts with a decimal comma, MM/AAAA months and UBIGEO codes. Each reading runs
in a child process of its own (`--child`), which reports its VmHWM (peak resident set): the
parent's memory, with the generated files, does not count. Target: under 150 MB for any file.
"""

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "shared/fixtures/seace-html/procesos_seace.csv"
SEED = 17
TARGET_MB = 150
HEADER = [
    "N° de referencia",
    "Tipo de procedimiento de selección",
    "Objeto de contratación",
    "Descripción de los bienes, servicios u obras",
    "Código CUBSO",
    "Valor estimado (S/)",
    "Moneda",
    "Unidad de medida",
    "Cantidad",
    "Fuente de financiamiento",
    "Mes previsto",
    "Ubigeo",
    "Observaciones",
]
HEADER_BLOCK = [
    ["PLAN ANUAL DE CONTRATACIONES DEL AÑO FISCAL 2026"],
    ["Entidad:", "SEGURO SOCIAL DE SALUD"],
    ["Sigla:", "ESSALUD"],
    ["RUC:", "20131312955"],
    ["Instrumento de aprobación:", "Resolución de Gerencia General N° 012-2026-GG"],
    [],
]
COMPOSED = {
    "Bienes": (
        "Adquisición de útiles de escritorio para las oficinas administrativas",
        "Adquisición de cemento portland tipo I para obras por administración directa",
        "Adquisición de combustible diésel B5 para la flota vehicular",
        "Adquisición de medicamentos e insumos médicos para el centro de salud",
        "Adquisición de equipos de cómputo y periféricos",
        "Adquisición de uniformes para el personal de serenazgo",
        "Adquisición de alimentos para el programa de vaso de leche",
    ),
    "Servicios": (
        "Servicio de limpieza y mantenimiento de locales institucionales",
        "Servicio de seguridad y vigilancia privada",
        "Servicio de mantenimiento preventivo y correctivo de vehículos",
        "Servicio de recojo y disposición final de residuos sólidos",
        "Servicio de internet dedicado y telefonía",
    ),
    "Obras": (
        "Mejoramiento de pistas y veredas en el centro poblado",
        "Creación del sistema de agua potable y saneamiento básico",
        "Rehabilitación de la institución educativa inicial",
        "Construcción de muro de contención en la margen del río",
    ),
    "Consultoría de Obras": (
        "Supervisión de la obra de mejoramiento de la infraestructura vial",
        "Elaboración del expediente técnico de saneamiento",
    ),
}
PLACES = ("Cerro Colorado", "Paucarpata", "Yanahuara", "Cayma", "Socabaya", "Sachaca")
PROCEDURES = ("AS", "LP", "CP", "SIE", "CDP", "Adjudicación Simplificada", "Licitación Pública")
CUBSO = ("4412170100000001", "3011150100000002", "1510150500000001", "72141101", "81101501")
FUNDING = (
    "Recursos Ordinarios",
    "Recursos Directamente Recaudados",
    "Recursos Determinados",
    "Donaciones y Transferencias",
)
UNITS = ("Unidad", "Servicio", "Global", "Kilogramo", "Galón", "Bolsa")
UBIGEO = ("04", "040101", "040103", "15", "0401", "08")


def descriptions() -> dict[str, list[str]]:
    """Object -> descriptions: SEACE's real calls when the fixture is here, plus composed ones."""
    found = {name: list(texts) for name, texts in COMPOSED.items()}
    if FIXTURE.exists():
        with open(FIXTURE, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                kind = row["Objeto de Contratación"]
                name = {"Bien": "Bienes", "Servicio": "Servicios", "Obra": "Obras"}.get(
                    kind, "Consultoría de Obras"
                )
                found[name].append(row["Descripción de Objeto"].capitalize())
    return found


def plan_rows(count: int):
    rng = random.Random(SEED)
    texts = descriptions()
    objects = list(texts)
    for number in range(1, count + 1):
        kind = rng.choice(objects)
        value = rng.randrange(5_000_00, 9_000_000_00) / 100
        amount = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
        yield [
            str(number),
            rng.choice(PROCEDURES),
            kind,
            f"{rng.choice(texts[kind])} - {rng.choice(PLACES)}, ítem {number}",
            rng.choice(CUBSO),
            amount,
            "PEN",
            rng.choice(UNITS),
            str(rng.randint(1, 5_000)),
            rng.choice(FUNDING),
            f"{rng.randint(1, 12):02d}/2026",
            rng.choice(UBIGEO),
            "" if rng.random() < 0.8 else "Compra corporativa",
        ]


def write_csv(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerows(HEADER_BLOCK)
        writer.writerow(HEADER)
        writer.writerows(plan_rows(rows))


def write_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("PAC 2026")
    for row in HEADER_BLOCK:
        sheet.append(row)
    sheet.append(HEADER)
    for row in plan_rows(rows):
        sheet.append(row)
    workbook.save(path)


def child(path: str) -> None:
    """Runs in its own process: read the file as an upload would, print one JSON line."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from scrapers.plan_file import PlanFileContext, read_plan_file
    from scrapers.records import BuyerRecord, ParseError

    context = PlanFileContext(2026, BuyerRecord("SEGURO SOCIAL DE SALUD", "20131312955"))
    started = time.perf_counter()
    outcome: dict = {}
    try:
        with open(path, "rb") as stream:
            reading = read_plan_file(stream, context)
        lines = sum(len(plan.lines) for plan in reading.plans)
        outcome = {"rows": reading.rows, "lines": lines, "problems": reading.problem_count}
    except ParseError as error:
        outcome = {"refused": str(error)}
    outcome["seconds"] = time.perf_counter() - started
    outcome["peak_mb"] = vm_hwm_mb()
    print(json.dumps(outcome))


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--refused", default="200000,600000")
    parser.add_argument("--xlsx-refused", default="60000,600000")
    parser.add_argument("--child")
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return
    cases = [("csv", options.rows), ("xlsx", options.rows)]
    cases += [("csv", int(count)) for count in options.refused.split(",") if count]
    cases += [("xlsx", int(count)) for count in options.xlsx_refused.split(",") if count]
    print(f"| file | rows | MB on disk | outcome | seconds | peak MB (target < {TARGET_MB}) |")
    print("| --- | ---: | ---: | --- | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for kind, rows in cases:
            path = Path(folder) / f"pac-{rows}.{kind}"
            (write_csv if kind == "csv" else write_xlsx)(path, rows)
            size = path.stat().st_size / 1024 / 1024
            found = measure(path)
            outcome = (
                f"refused: {found['refused']}"
                if "refused" in found
                else f"{found['lines']:,} lines, {found['problems']} problems"
            )
            print(
                f"| {kind} | {rows:,} | {size:.1f} | {outcome} | {found['seconds']:.2f} "
                f"| {found['peak_mb']:.0f} |",
                flush=True,
            )
            path.unlink()


if __name__ == "__main__":
    main()
