"""Peru's vocabularies as sources write them: procedure types, objects, departments, RUC.

Shared by every parser so "AS-SM-35-2024-ELSE-1", "Adjudicación Simplificada" and a PAC's
"AS" all become the same procedure code, and "Lima Metropolitana" the same UBIGEO 15.
"""

import csv
import re
from functools import cache

from portal.buyers.ruc import is_valid_ruc
from portal.opportunities.enums import ObjectType
from portal.reference import DATA_DIR
from scrapers.text import fold, is_digits

PROCEDURE_CODES = ("LP", "CP", "LPA", "CPA", "AS", "SCI", "SIE", "CDP", "CD")

# Nomenclatura prefixes SEACE uses that are not the code itself (Ley 32069 "ABR" is abbreviated).
_NOMENCLATURA_ALIASES = {
    "COMPRE": "CDP",
    "DIRECTA": "CD",
    "SUBASTA": "SIE",
    "ADS": "AS",
    "AMC": None,
}
_NOMENCLATURA = re.compile(r"^(?P<kind>[A-Z]+)(?:[ -](?P<modality>[A-Z]+))?-")
# A process code (nomenclatura) written anywhere in a text: "AS-SM-219-2026-MVES-1",
# "CP SER-SM-1-2026-MDCC-1"; read by scrapers.text_facts and indexed as an exact code.
NOMENCLATURA_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9-])[A-Za-z]{2,8}(?:[ -][A-Za-z]{2,8})?-(?:[A-Za-z]{2,8}-)*"
    r"\d{1,6}-(?:19|20)\d{2}(?:-[A-Za-z0-9/.()]+)*"
)
_PROCEDURE_NAMES = {
    "licitacion publica abreviada": "LPA",
    "concurso publico abreviado": "CPA",
    "licitacion publica": "LP",
    "concurso publico": "CP",
    "adjudicacion simplificada": "AS",
    "seleccion de consultores individuales": "SCI",
    "subasta inversa electronica": "SIE",
    "subasta inversa": "SIE",
    "comparacion de precios": "CDP",
    "contratacion directa": "CD",
}
_OBJECT_WORDS = (
    ("consultoria", ObjectType.CONSULTING),
    ("bien", ObjectType.GOODS),
    ("servicio", ObjectType.SERVICES),
    ("obra", ObjectType.WORKS),
    ("goods", ObjectType.GOODS),
    ("works", ObjectType.WORKS),
    ("consultingservices", ObjectType.CONSULTING),
    ("services", ObjectType.SERVICES),
)
_DEPARTMENT_ALIASES = {
    "lima metropolitana": "15",
    "lima provincias": "15",
    "provincia constitucional del callao": "07",
    "ancash": "02",
}


def procedure_from_nomenclatura(nomenclatura: str | None) -> str | None:
    """The type is the nomenclatura's prefix: "LP-ABR-3-2026-MDCC-1" is an abbreviated LP."""
    match = _NOMENCLATURA.match((nomenclatura or "").strip().upper())
    if not match:
        return None
    kind, modality = match["kind"], match["modality"]
    if kind in _NOMENCLATURA_ALIASES:
        return _NOMENCLATURA_ALIASES[kind]
    if kind in {"LP", "CP"} and modality == "ABR":
        return kind + "A"
    return kind if kind in PROCEDURE_CODES else None


def procedure_from_text(text: str | None) -> str | None:
    """A code from a procedure's Spanish name, or from a bare code such as "LPA"."""
    folded = fold(text)
    if folded.upper() in PROCEDURE_CODES:
        return folded.upper()
    for name, code in _PROCEDURE_NAMES.items():
        if name in folded:
            return code
    return None


def object_type_from_text(text: str | None) -> ObjectType | None:
    """Bien/Servicio/Obra/Consultoría de Obra (any case, singular or plural) or OCDS categories."""
    folded = fold(text).replace(" ", "")
    for word, object_type in _OBJECT_WORDS:
        if folded.startswith(word):
            return object_type
    return None


@cache
def _departments() -> dict[str, str]:
    with open(DATA_DIR / "departments.csv", encoding="utf-8-sig", newline="") as handle:
        names = {fold(row["name"]): row["ubigeo_code"] for row in csv.DictReader(handle)}
    return names | _DEPARTMENT_ALIASES


def department_code(value: str | None) -> str | None:
    """UBIGEO department code from a code ("4", "04", "040101") or a name in any case/accents."""
    folded = fold(value)
    if is_digits(folded) and len(folded) in (1, 2, 4, 6):
        code = folded[:2].zfill(2)
        return code if code in _departments().values() else None
    folded = folded.removeprefix("departamento de ").removeprefix("region ").strip()
    return _departments().get(folded)


def ruc_or_none(value: str | None) -> str | None:
    digits = (value or "").strip()
    return digits if is_valid_ruc(digits) else None
