"""Writes the demo's source files: the same formats the scrapers read from real publishers.

The demo goes through the real pipeline (OCDS release package, RSS feed, PAC CSV files read
from the instance folder), so what a newcomer sees is what production code produced.

Calls are published and close in office hours in Lima, on business days. Every date is drawn
from the Lima day of `now`, never from its hour, and each call from its own seeded generator:
running the demo twice on one day writes the same files, so the second run finds nothing new,
changed or to match again.
"""

import csv
import io
import json
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from portal.deadlines.business_days import weekday_holidays
from portal.demo.catalogue import (
    BUYERS,
    MINING_COMPANY,
    MUNICIPALITY,
    REGIONAL_GOVERNMENT,
    SUPPLIERS,
    DemoBuyer,
    DemoPurchase,
    purchases_for,
)

LIMA = ZoneInfo("America/Lima")  # the files carry Lima times with their offset, as SEACE does
MONTHS_AHEAD = 6
# Minimum calendar days from call to bids per procedure, rounded up from business days.
CALENDAR_FLOOR = {"LP": 31, "CP": 31, "AS": 9, "SIE": 9, "CDP": 5}
EVALUATION_PERIOD = timedelta(days=10)  # the demo assumes evaluation takes this long
OFFICE_HOURS = (time(9, 0), time(17, 30))  # Lima: when calls are published, close and award
PUBLISHED_DAYS_BACK = 50
MONTH_NAMES = (
    *("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio"),
    *("agosto", "setiembre", "octubre", "noviembre", "diciembre"),
)


def lima_day(moment: datetime) -> date:
    return moment.astimezone(LIMA).date()


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in weekday_holidays(day.year)


def business_day_from(day: date, step: int) -> date:
    """`day` if it is a business day, else the nearest one going `step` days (1 or -1)."""
    while not is_business_day(day):
        day += timedelta(days=step)
    return day


def office_time(day: date, rng: random.Random) -> datetime:
    """A quarter hour from opening to closing time of that Lima day."""
    opens, closes = (moment.hour * 60 + moment.minute for moment in OFFICE_HOURS)
    minutes = opens + 15 * rng.randint(0, (closes - opens) // 15)
    return datetime.combine(day, time(minutes // 60, minutes % 60), LIMA)


def procedure_for(purchase: DemoPurchase, value: int) -> str:
    """A plausible procedure type for the value, after Peru's budget-law thresholds."""
    if purchase.object_type == "works":
        return "LP" if value > 5_000_000 else "AS"
    if value > 485_000:
        return "CP" if purchase.object_type == "services" else "LP"
    if purchase.object_type == "goods" and value < 40_000:
        return "CDP"
    return "AS"


def _iso(moment: datetime) -> str:
    """The same instant in Lima time, so a deadline written as past is read back as past."""
    return moment.astimezone(LIMA).isoformat(timespec="seconds")


def _release(number: int, seed: int, today: date) -> dict:
    """Call `number`: a buyer and something such a buyer buys, published on a business day
    before `today` and closing on one; its state as of `today`, whatever the hour."""
    rng = random.Random(f"{seed}-{number}")
    buyer = rng.choice(BUYERS)
    purchase = rng.choice(purchases_for(buyer.kind))
    value = rng.randrange(*purchase.value_range, 100)
    procedure = procedure_for(purchase, value)
    days_back = timedelta(days=rng.randint(1, PUBLISHED_DAYS_BACK))
    published_day = business_day_from(today - days_back, -1)
    published = office_time(published_day, rng)
    days_given = timedelta(days=CALENDAR_FLOOR[procedure] + rng.randint(0, 12))
    deadline_day = business_day_from(published_day + days_given, 1)
    deadline = office_time(deadline_day, rng)
    nomenclature = f"{procedure}-SM-{number}-{published_day.year}-{buyer.acronym}-1"
    closed = deadline_day < today  # one closing today stays open all day in the file
    status = "active"
    awards, suppliers = [], []
    award_day = business_day_from(deadline_day + EVALUATION_PERIOD, 1)
    if closed:
        status = rng.choice(("complete", "complete", "unsuccessful", "cancelled"))
        # Bids closed lately are still being evaluated: closed, with no award published yet.
        if status == "complete" and award_day < today:
            winner = SUPPLIERS[number % len(SUPPLIERS)]  # not drawn: the rest stays as it was
            suppliers = [_supplier_party(winner.name, winner.ruc)]
            awards = [
                {
                    "id": f"{nomenclature}-A1",
                    "status": "active",
                    "date": _iso(office_time(award_day, rng)),
                    "value": {"amount": value * 47 // 50, "currency": "PEN"},  # won 6% below
                    "suppliers": [{"id": f"PE-RUC-{winner.ruc}", "name": winner.name}],
                }
            ]
    ocid = f"ocds-dgv273-demo-{number:06d}"
    place = _place(buyer, purchase)
    return {
        "ocid": ocid,
        "id": f"{ocid}-tender-1",
        "date": _iso(published),
        "tag": ["tender"] if not closed else ["tender", "award"] if awards else ["tender"],
        "initiationType": "tender",
        "language": "es",
        "buyer": {"id": f"PE-RUC-{buyer.ruc}", "name": buyer.name},
        "parties": [
            {
                "id": f"PE-RUC-{buyer.ruc}",
                "name": buyer.name,
                "identifier": {"scheme": "PE-RUC", "id": buyer.ruc, "legalName": buyer.name},
                "address": {"region": buyer.department, "countryName": "Perú"},
                "roles": ["buyer", "procuringEntity"],
            },
            *suppliers,
        ],
        "tender": {
            "id": nomenclature,
            "title": f"{purchase.title}{place}",
            "description": purchase.description,
            "status": status,
            "procurementMethod": "open" if procedure in ("LP", "CP") else "selective",
            "procurementMethodDetails": nomenclature,
            "mainProcurementCategory": purchase.object_type,
            "value": {"amount": value, "currency": "PEN"},
            "tenderPeriod": {"startDate": _iso(published), "endDate": _iso(deadline)},
            "items": [
                {
                    "id": "1",
                    "description": purchase.title,
                    "classification": {"scheme": "UNSPSC", "id": purchase.unspsc},
                }
            ],
            "documents": [
                {
                    "id": "bases",
                    "documentType": "tenderNotice",
                    "url": f"https://prod2.seace.gob.pe/seacebus-uiwd-pub/demo/{ocid}",
                }
            ],
        },
        "awards": awards,
    }


def _place(buyer: DemoBuyer, purchase: DemoPurchase) -> str:
    """Where a local or regional government's works are, as their titles say."""
    if purchase.object_type != "works":
        return ""
    if buyer.kind == MUNICIPALITY:
        return " del distrito" if "Distrital" in buyer.name else " de la provincia"
    return " de la región" if buyer.kind == REGIONAL_GOVERNMENT else ""


def _supplier_party(name: str, ruc: str) -> dict:
    return {
        "id": f"PE-RUC-{ruc}",
        "name": name,
        "identifier": {"scheme": "PE-RUC", "id": ruc, "legalName": name},
        "roles": ["supplier"],
    }


def write_ocds_package(path: Path, count: int, now: datetime, seed: int = 2026) -> None:
    """An OCDS 1.1 release package of `count` calls spread over buyers, regions and sectors."""
    today = lima_day(now)
    releases = [_release(number, seed, today) for number in range(1, count + 1)]
    package = {
        "uri": path.as_uri(),
        "version": "1.1",
        "publishedDate": _iso(now),
        "publisher": {"name": "Compras MYPE (datos de demostración)"},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "releases": releases,
    }
    path.write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")


PLAN_HEADER = (
    "año",
    "ruc",
    "entidad",
    "numero_referencia",
    "tipo_procedimiento",
    "objeto",
    "descripcion",
    "codigo_cubso",
    "valor_estimado",
    "moneda",
    "mes_previsto",
    "departamento",
)
OBJECT_NAMES = {"goods": "Bienes", "services": "Servicios", "works": "Obras"}


def write_plan_csv(path: Path, buyer: DemoBuyer, year: int, now: datetime, seed: int) -> None:
    """A PAC the way Peruvian spreadsheets come: semicolons, decimal comma, Windows-1252."""
    rng = random.Random(seed)
    rows = []
    for number, purchase in enumerate(rng.sample(purchases_for(buyer.kind), 8), start=1):
        value = rng.randrange(*purchase.value_range, 100)
        month = min(12, lima_day(now).month + rng.randint(0, MONTHS_AHEAD))
        object_name = (
            "Consultoría de Obras" if purchase.consulting else OBJECT_NAMES[purchase.object_type]
        )
        rows.append(
            (
                year,
                buyer.ruc,
                buyer.name,
                f"{number:03d}",
                procedure_for(purchase, value),
                object_name,
                purchase.title,
                purchase.unspsc + "00000001",
                f"{Decimal(value):.2f}".replace(".", ","),
                "PEN",
                month,
                buyer.region_code,
            )
        )
    with open(path, "w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(PLAN_HEADER)
        writer.writerows(rows)


def write_private_feed(path: Path, now: datetime, seed: int = 7) -> None:
    """An RSS 2.0 feed of local-supplier calls from a mining company, the private-buyer case:
    the deadline only in the prose, as such feeds state it."""
    rng = random.Random(seed)
    today = lima_day(now)
    purchases = purchases_for(MINING_COMPANY.kind)
    company = MINING_COMPANY
    items = []
    for number, purchase in enumerate(rng.sample(purchases, len(purchases)), start=1):
        published_day = business_day_from(today - timedelta(days=rng.randint(1, 20)), -1)
        published = office_time(published_day, rng)
        closing = business_day_from(published_day + timedelta(days=rng.randint(10, 20)), 1)
        deadline = office_time(closing, rng)
        text = (
            f"<p>Entidad: {company.name} (RUC {company.ruc})</p>"
            f"<p>{purchase.description}</p><p>Presentación de propuestas hasta el "
            f"{deadline.day} de {MONTH_NAMES[deadline.month - 1]} de {deadline.year} "
            f"a las {deadline:%H:%M}.</p>"
        )
        items.append(
            "<item>"
            f"<title>{escape(purchase.title)} — proveedores locales</title>"
            f"<link>https://proveedores.minera-demo.pe/convocatorias/{number}</link>"
            f'<guid isPermaLink="false">minera-demo-{number}</guid>'
            f"<description>{escape(text)}</description>"
            f"<pubDate>{format_datetime(published)}</pubDate>"
            "</item>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Compras locales — Minera Andina del Sur (demostración)</title>"
        "<link>https://proveedores.minera-demo.pe/</link>"
        "<description>Oportunidades para proveedores de las comunidades vecinas</description>"
        + "".join(items)
        + "</channel></rss>",
        encoding="utf-8",
    )


UPLOADED_PAC_HEADER = (
    "Nº",
    "Tipo de proceso",
    "Objeto",
    "Descripción",
    "Código CUBSO",
    "Valor estimado (S/)",
    "Moneda",
    "Unidad de medida",
    "Cantidad",
    "Fuente de financiamiento",
    "Mes previsto",
    "Ubigeo",
    "Observaciones",
)
FUNDING = ("Recursos Ordinarios", "Recursos Directamente Recaudados", "Recursos Determinados")


def uploaded_pac_xlsx(buyer: DemoBuyer, year: int, now: datetime, amendment: int) -> bytes:
    """A PAC as an entity's logistics office keeps it: the CONSUCODE column layout under a
    header block (entity, RUC, approving resolution), months as MM/YYYY, a UBIGEO per line.
    Amendment 1 drops one line, adds two and changes a value, as a real modification does."""
    rng = random.Random(f"pac-{buyer.ruc}")
    purchases = rng.sample(purchases_for(buyer.kind), 12)
    kept = purchases[:10] if amendment == 0 else [*purchases[:4], *purchases[5:12]]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "PAC"
    resolution = ("012", "087")[min(amendment, 1)]
    for row in (
        (f"PLAN ANUAL DE CONTRATACIONES {year}",),
        ("Entidad:", buyer.name.upper()),
        ("RUC:", buyer.ruc),
        ("Sigla:", buyer.acronym),
        ("Instrumento de aprobación:", f"Resolución de Alcaldía N° {resolution}-{year}-ALC"),
        (),
        UPLOADED_PAC_HEADER,
    ):
        sheet.append(row)
    for purchase in kept:
        number = purchases.index(purchase) + 1
        value = Decimal(rng.randrange(*purchase.value_range, 100))
        if amendment and number == 2:
            value = (value * Decimal("1.15")).quantize(Decimal("1"))
        month = min(12, lima_day(now).month + rng.randint(0, MONTHS_AHEAD))
        object_name = (
            "Consultoría de Obras" if purchase.consulting else OBJECT_NAMES[purchase.object_type]
        )
        sheet.append(
            (
                number,
                procedure_for(purchase, int(value)),
                object_name,
                purchase.title,
                purchase.unspsc + "00000001",
                float(value),
                "Soles",
                "Unidad" if purchase.object_type == "goods" else "Servicio",
                rng.randint(1, 400) if purchase.object_type == "goods" else 1,
                rng.choice(FUNDING),
                f"{month:02d}/{year}",
                buyer.region_code + "0142",
                "Incluido en la modificación" if amendment and number > 10 else None,
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pac_draft_with_errors_csv(buyer: DemoBuyer, year: int) -> bytes:
    """A second modification still being prepared, with three mistakes the preview points out."""
    lines = [
        f"PLAN ANUAL DE CONTRATACIONES {year};;;;;;",
        f"Entidad:;{buyer.name};;;;;",
        "Nº;Tipo de proceso;Objeto;Descripción;Código CUBSO;Valor estimado;Mes previsto",
        f"13;AS;Bienes;Adquisición de extintores PQS de 6 kg;4619160100000001;18.500,00;07/{year}",
        f"14;Subasta;Servicios;Servicio de fumigación de mercados;7610;veinte mil;08/{year}",
        f"15;AS;Bienes;Adquisición de conos de seguridad;46161509;12.000,00;13/{year}",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")
