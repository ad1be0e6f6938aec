"""Loads reference facts (departments, sectors, procedures, size classes, UIT) idempotently.

The tables ship with the package in `data/`; a fuller UNSPSC taxonomy (families) can be
loaded from a CSV with columns code, level, title_es, title_en, segment.
"""

import csv
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from portal.reference import DATA_DIR
from portal.reference.models import Department, ProcedureType, Sector, SizeClass, UITValue


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference(session: Session) -> dict[str, int]:
    """Insert or update every reference row; returns how many rows each table holds now."""
    counts = {
        "departments": _merge_all(
            session,
            (
                Department(code=row["ubigeo_code"], name=row["name"])
                for row in _rows("departments.csv")
            ),
        ),
        "sectors": _merge_all(
            session,
            (
                Sector(
                    code=row["code"],
                    level="segment",
                    name_es=row["name_es"],
                    name_en=row["name_en"],
                )
                for row in _rows("sector_segments.csv")
            ),
        ),
        "procedure_types": _merge_all(session, map(_procedure_type, _rows("procedure_types.csv"))),
        "size_classes": _merge_all(
            session,
            (
                SizeClass(
                    code=row["size_class"],
                    name_es=row["name_es"],
                    max_annual_sales_uit=int(row["max_annual_sales_uit"]),
                    law=row["law"],
                )
                for row in _rows("size_classes.csv")
            ),
        ),
        "uit_values": _merge_all(
            session,
            (
                UITValue(
                    year=int(row["year"]), value_pen=Decimal(row["uit_pen"]), decree=row["decree"]
                )
                for row in _rows("uit.csv")
            ),
        ),
    }
    session.flush()
    return counts


def load_unspsc_families(session: Session, path: Path) -> int:
    """Add UNSPSC families (4-digit level) under the shipped segments from a taxonomy CSV."""
    count = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["level"] != "family" or session.get(Sector, row["segment"]) is None:
                continue
            session.merge(
                Sector(
                    code=row["code"],
                    level="family",
                    parent_code=row["segment"],
                    name_es=row["title_es"],
                    name_en=row["title_en"],
                )
            )
            count += 1
    session.flush()
    return count


def _procedure_type(row: dict[str, str]) -> ProcedureType:
    days = row["min_days_call_to_bids"]
    return ProcedureType(
        code=row["code"],
        name_es=row["name_es"],
        name_en=row["name_en"],
        applies_to=row["applies_to"],
        law=row["law"],
        min_days_call_to_bids=int(days) if days else None,
        day_kind=row["day_kind"] or None,
        notes=row["notes"],
    )


def _merge_all(session: Session, objects) -> int:
    count = 0
    for instance in objects:
        session.merge(instance)
        count += 1
    return count
