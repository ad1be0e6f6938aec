"""Tables from uploaded files: CSV (UTF-8 or Windows-1252, comma or semicolon) or XLSX.

XLSX is opened only after its zip directory is checked (a zip bomb declares absurd sizes), with
openpyxl in read-only, values-only mode: formulas are read as their cached values, never run.
"""

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Mapping, Sequence

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from scrapers.records import ParseError
from scrapers.text import fold

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 50_000
_HEADER_SEPARATORS = re.compile(r"[\s\-./]+")
_ALIASES = {"ano_fiscal": "ano", "anio": "ano", "n_referencia": "numero_referencia"}


def read_csv_rows(payload: bytes) -> list[list[str]]:
    """Rows of a CSV in UTF-8 (BOM or not) or Windows-1252, separated by commas or semicolons."""
    text = decode(payload)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ParseError(f"CSV ilegible: {error}") from error


def decode(payload: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel on Windows writes it."""
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")


def read_plan_table(
    payload: bytes, columns: Mapping[str, str], required: Sequence[str]
) -> list[dict[str, object]]:
    """Data rows keyed by canonical column names; a header missing required columns fails."""
    if not payload.strip():
        raise ParseError("el archivo está vacío")
    rows = _xlsx_rows(payload) if payload.startswith(b"PK") else read_csv_rows(payload)
    rows = [row for row in rows if any(_filled(cell) for cell in row)]
    if not rows:
        raise ParseError("el archivo no tiene cabecera ni filas")
    if len(rows) > MAX_ROWS:
        raise ParseError(f"el archivo tiene más de {MAX_ROWS} filas")
    canonical = {fold(name): name for name in columns}
    header = [canonical.get(_header_key(cell)) for cell in rows[0]]
    missing = [name for name in required if name not in header]
    if "ruc" not in header and "entidad" not in header:
        missing.append("ruc o entidad")
    if missing:
        raise ParseError(
            "no es un plan anual reconocible: faltan las columnas " + ", ".join(missing)
        )
    return [
        {name: cell for name, cell in zip(header, row, strict=False) if name is not None}
        for row in rows[1:]
    ]


def _filled(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


def _header_key(cell: object) -> str:
    key = _HEADER_SEPARATORS.sub("_", fold(str(cell or ""))).strip("_").replace("_de_", "_")
    return _ALIASES.get(key, key)


def _xlsx_rows(payload: bytes) -> list[list[object]]:
    _check_zip(payload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_ROWS + 1:
                    break
            return rows
        finally:
            workbook.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
        raise ParseError(f"no es una hoja de cálculo XLSX válida: {error}") from error
    except (IndexError, AttributeError, OSError, EOFError) as error:
        raise ParseError(f"no es una hoja de cálculo XLSX válida: {error}") from error


def _check_zip(payload: bytes) -> None:
    """Refuse before decompressing: declared sizes past the limit or no workbook inside."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise ParseError(f"no es una hoja de cálculo XLSX válida: {error}") from error
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise ParseError("la hoja de cálculo descomprimida es demasiado grande")
    if not any(member.filename == "xl/workbook.xml" for member in members):
        raise ParseError("no es una hoja de cálculo XLSX: falta xl/workbook.xml")
