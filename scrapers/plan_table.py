"""Tables from uploaded files, read row by row: CSV (UTF-8, UTF-16 with BOM, Windows-1252;
comma, semicolon or tab) or XLSX, with every cap checked while reading.

Nothing holds the whole file's rows: a CSV is decoded in chunks and split into records as it
goes; an XLSX is opened after its zip directory is checked (a zip bomb declares absurd sizes)
and its sheet XML is parsed as a stream whose decompressed bytes are counted. Formulas are
read as the values Excel stored, never evaluated. Row numbers are those the user sees in the
spreadsheet (1-based, counting title rows and blank rows).
"""

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import chain, islice
from typing import BinaryIO

from lxml import etree
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS

from scrapers.records import ParseError
from scrapers.text import fold

MAX_FILE_BYTES = 25 * 1024 * 1024
# The sheet is streamed, so its size does not cost memory: the cap only bounds the work (an
# openpyxl-written 50,000-row plan of 13 columns has a 47 MB sheet). The shared text table is
# held in memory and keeps the lower cap.
MAX_SHEET_BYTES = 150 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_SHARED_STRINGS = 400_000  # 50,000 rows of 8 distinct texts: more is a crafted file
HEADER_SEARCH_ROWS = 30
MIN_KNOWN_COLUMNS = 3
UNSUPPORTED_ENCODING = "codificación no admitida: guarde el archivo como CSV UTF-8 o XLSX"
_CHUNK = 64 * 1024
_MAX_LINE = 1024 * 1024
_DELIMITERS = (";", ",", "\t")
_NOT_WORDS = re.compile(r"[^a-z0-9]+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_STOP_WORDS = frozenset({"de", "del", "la", "las", "el", "los", "y", "u", "o", "en", "a", "al"})
_OLD_EXCEL = b"\xd0\xcf\x11\xe0"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _TEXT, _SHARED, _PHONETIC = (
    _MAIN + name for name in ("row", "c", "v", "t", "si", "rPh")
)

Row = tuple[int, Sequence[object]]


@dataclass
class PlanTable:
    """A located table: header cells by canonical name, the rows above it, the data rows."""

    columns: dict[str, int]  # canonical name -> cell index
    header_texts: dict[str, str]  # canonical name -> the file's own header text
    header_row: int
    above: list[Row]  # non-empty rows above the header (title, year, entity, RUC…)
    rows: Iterator[tuple[int, dict[str, object]]] = field(repr=False)


def header_key(text: object) -> str:
    """A header cell reduced to plain words: "N° de Referencia" and "Nro. Ref." compare."""
    folded = fold(str(text or "")).replace("°", " ").replace("º", "o").replace("_", " ")
    words = _NOT_WORDS.sub(" ", _BRACKETS.sub(" ", folded)).split()
    return " ".join(word for word in words if word not in _STOP_WORDS)


def read_plan_table(
    stream: BinaryIO,
    aliases: Mapping[str, str],
    required: Sequence[str],
    prefixes: Mapping[str, str] = {},
) -> PlanTable:
    """The first sheet holding a header row; `aliases` maps header_key() to canonical names.

    A header row is the first of the first 30 rows naming at least three known columns;
    `prefixes` map keys that may be followed by more words ("Descripción del ítem").
    """
    for rows in sheets(stream):
        head = list(islice(rows, HEADER_SEARCH_ROWS))
        for position, (number, cells) in enumerate(head):
            columns = _known_columns(cells, aliases, prefixes)
            if len(columns) < MIN_KNOWN_COLUMNS:
                continue
            missing = [name for name in required if name not in columns]
            if missing:
                raise ParseError(
                    "no es un plan anual reconocible: faltan las columnas "
                    + ", ".join(name.replace("_", " ") for name in missing)
                )
            texts = {name: str(cells[index]).strip() for name, index in columns.items()}
            data = chain(head[position + 1 :], rows)
            return PlanTable(columns, texts, number, head[:position], _records(data, columns))
    raise ParseError(
        "no es un plan anual reconocible: no se encontró la fila de cabecera (Nº, Objeto, "
        f"Descripción, Mes previsto…) en las primeras {HEADER_SEARCH_ROWS} filas"
    )


def _known_columns(
    cells: Sequence[object], aliases: Mapping[str, str], prefixes: Mapping[str, str]
) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = header_key(cell)
        name = aliases.get(key) or next(
            (name for start, name in prefixes.items() if key.startswith(start + " ")), None
        )
        if name is not None and name not in columns:
            columns[name] = index
    return columns


def _records(rows: Iterable[Row], columns: dict[str, int]) -> Iterator[tuple[int, dict]]:
    """Data rows keyed by canonical name; the 50,001st refuses the file there and then."""
    for count, (number, cells) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            limit = f"{MAX_ROWS:,}".replace(",", ".")  # Spanish thousands: 50.000
            raise ParseError(f"el archivo tiene más de {limit} filas de datos (fila {number})")
        yield (
            number,
            {name: cells[index] if index < len(cells) else None for name, index in columns.items()},
        )


def sheets(stream: BinaryIO) -> Iterator[Iterator[Row]]:
    """Each sheet's non-empty rows with their spreadsheet numbers; a CSV is one sheet."""
    head = stream.read(_CHUNK)
    if not head.strip():
        raise ParseError("el archivo está vacío")
    if head.startswith(b"PK"):
        yield from _xlsx_sheets(head + _read_capped(stream, MAX_FILE_BYTES - len(head)))
    elif head.startswith(_OLD_EXCEL):
        raise ParseError(
            "formato Excel 97-2003 (.xls) no admitido: guarde el archivo como XLSX o CSV UTF-8"
        )
    else:
        yield _csv_rows(head, stream)


def read_csv_rows(payload: bytes) -> list[list[str]]:
    """All rows of a small CSV (a source's export), blank rows kept, same decoding as uploads."""
    return [list(cells) for _, cells in _csv_rows(payload, io.BytesIO(), keep_blank=True)]


def _read_capped(stream: BinaryIO, limit: int) -> bytes:
    payload = stream.read(limit + 1)
    if len(payload) > limit:
        raise _too_big()
    return payload


def _too_big() -> ParseError:
    return ParseError(f"el archivo supera el máximo de {MAX_FILE_BYTES // (1024 * 1024)} MB")


def _filled(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


# CSV ------------------------------------------------------------------------------------------


def _csv_rows(head: bytes, stream: BinaryIO, keep_blank: bool = False) -> Iterator[Row]:
    lines = _lines(_text_chunks(head, stream))
    first_lines = list(islice(lines, HEADER_SEARCH_ROWS))
    reader = csv.reader(chain(first_lines, lines), delimiter=_delimiter(first_lines))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):  # noqa: B007  (read in the except)
            if keep_blank or any(_filled(cell) for cell in cells):
                yield number, cells[:MAX_COLUMNS]
    except csv.Error as error:
        raise ParseError(f"CSV ilegible en la fila {number + 1}: {error}") from error


def _delimiter(lines: Sequence[str]) -> str:
    """The separator the header row uses most: title rows above it may have none."""
    return max(_DELIMITERS, key=lambda mark: max((line.count(mark) for line in lines), default=0))


def _lines(chunks: Iterable[str]) -> Iterator[str]:
    """Lines with their "\\n" (csv joins a quoted cell's lines back together)."""
    carry = ""
    for text in chunks:
        pieces = (carry + text).split("\n")
        carry = pieces.pop()
        if len(carry) > _MAX_LINE:
            raise ParseError("CSV ilegible: una línea supera 1 MB sin salto de línea")
        yield from (piece + "\n" for piece in pieces)
    if carry:
        yield carry


def _text_chunks(head: bytes, stream: BinaryIO) -> Iterator[str]:
    decoder = _Decoder(head)
    total = len(head)
    yield decoder.decode(head)
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise _too_big()
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


class _Decoder:
    """UTF-16 only with its BOM; else UTF-8 (BOM or not) until a byte proves it Windows-1252.

    Falling back is safe while everything read was ASCII (the same in both); a file that
    mixes valid UTF-8 accents with other bytes, or holds NUL characters (UTF-16 without BOM,
    UTF-32, binary data), is refused.
    """

    def __init__(self, head: bytes):
        if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            raise ParseError(UNSUPPORTED_ENCODING)
        self.may_fall_back = not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        encoding = "utf-8-sig" if self.may_fall_back else "utf-16"
        self.decoder = codecs.getincrementaldecoder(encoding)()
        self.seen_non_ascii = False

    def decode(self, chunk: bytes, final: bool = False) -> str:
        try:
            text = self._decode(chunk, final)
        except UnicodeDecodeError as error:
            raise ParseError(UNSUPPORTED_ENCODING) from error
        if "\0" in text:
            raise ParseError(UNSUPPORTED_ENCODING)
        return text

    def _decode(self, chunk: bytes, final: bool) -> str:
        if not self.may_fall_back:
            return self.decoder.decode(chunk, final)
        pending = self.decoder.getstate()[0]
        try:
            text = self.decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            if self.seen_non_ascii or not (pending + chunk)[: error.start].isascii():
                raise
            self.may_fall_back = False
            self.decoder = codecs.getincrementaldecoder("cp1252")(errors="replace")
            return self.decoder.decode(pending + chunk, final)
        self.seen_non_ascii = self.seen_non_ascii or not text.isascii()
        return text


# XLSX -----------------------------------------------------------------------------------------


def _xlsx_sheets(payload: bytes) -> Iterator[Iterator[Row]]:
    """Each worksheet in order; nothing to close: the archives are over bytes in memory."""
    archive = _checked_zip(payload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cells, paths = _workbook_parts(payload)
    except ParseError:
        raise
    except Exception as error:  # noqa: BLE001  (any failure of a hostile file is the user's)
        raise _not_xlsx(error) from error
    if not paths:
        raise _not_xlsx(ValueError("no tiene hojas de datos"))
    for path in paths:
        yield _sheet_rows(cells, archive, path)


def _workbook_parts(payload: bytes) -> tuple["_CellReader", list[str]]:
    """Shared strings, date styles and the worksheets' paths: openpyxl's load_workbook minus
    its worksheet step, which in read-only mode parses each sheet once more for its size."""
    reader = ExcelReader(io.BytesIO(payload), read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    paths = [
        relation.target
        for _, relation in reader.parser.find_sheets()
        if "worksheet" in relation.Type and relation.target in reader.valid_files
    ]
    part = reader.package.find(SHARED_STRINGS)
    shared = _shared_strings(reader.archive, part.PartName[1:]) if part is not None else []
    workbook = reader.wb
    return _CellReader(shared, workbook._date_formats, workbook.epoch), paths


def _shared_strings(archive: zipfile.ZipFile, path: str) -> list[str]:
    """The workbook's text table, counted as it streams: past MAX_SHARED_STRINGS entries
    (a crafted file of tiny strings) it would cost more memory than any real plan."""
    strings: list[str] = []
    with _CountedStream(archive.open(path), MAX_UNCOMPRESSED_BYTES) as source:
        for _, element in etree.iterparse(
            source, tag=_SHARED, resolve_entities=False, no_network=True, huge_tree=False
        ):
            texts = element.iter(_TEXT)
            strings.append("".join(t.text or "" for t in texts if t.getparent().tag != _PHONETIC))
            if len(strings) > MAX_SHARED_STRINGS:
                raise ParseError("la hoja de cálculo tiene demasiados textos distintos")
            _drop(element)
    return strings


def _sheet_rows(cells: "_CellReader", archive: zipfile.ZipFile, path: str) -> Iterator[Row]:
    """Rows straight from the sheet XML with lxml, about five times openpyxl's own pace;
    openpyxl's iter_rows also trusts the declared dimension, which a crafted file sets to
    16,384 columns, and cannot count the bytes it decompresses. Cells are read and dropped
    one by one, so a crafted row of millions of cells never stands in memory."""
    try:
        with _CountedStream(archive.open(path), MAX_SHEET_BYTES) as source:
            number, values = 0, []
            for _, element in etree.iterparse(
                source, tag=(_ROW, _CELL), resolve_entities=False, no_network=True, huge_tree=False
            ):
                if element.tag == _CELL:
                    cells.add(values, element)
                    _drop(element)
                    continue
                number = int(element.get("r") or number + 1)
                _drop(element)
                if any(_filled(cell) for cell in values):
                    yield number, values
                values = []
    except ParseError:
        raise
    except Exception as error:  # noqa: BLE001  (XML errors, broken parts: the file's fault)
        raise _not_xlsx(error) from error


def _drop(element) -> None:
    """Free a parsed element and its earlier siblings: the tree stays a few nodes deep."""
    element.clear()
    while element.getprevious() is not None:
        del element.getparent()[0]


class _CellReader:
    """Cell values as Excel stored them: shared or inline text, numbers, dates by their style,
    and for formulas the cached value (never the formula, never evaluated)."""

    def __init__(self, shared: Sequence[str], date_styles: Container[int], epoch: datetime):
        self.shared, self.date_styles, self.epoch = shared, date_styles, epoch

    def add(self, values: list[object], cell) -> None:
        """Put the cell at its column ("C7" is the third); past MAX_COLUMNS it is ignored."""
        reference = cell.get("r")
        column = _column_index(reference) if reference else len(values) + 1
        if len(values) < column <= MAX_COLUMNS:
            values.extend(None for _ in range(column - 1 - len(values)))
            values.append(self.value(cell))

    def value(self, cell) -> object:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            return "".join(text.text or "" for text in cell.iter(_TEXT))
        raw = cell.findtext(_VALUE)
        if raw is None or raw == "":
            return None
        if kind == "s":
            return self.shared[int(raw)]
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return from_ISO8601(raw)
        if kind != "n":
            return raw  # "str" (a formula's text result) and "e" (#N/A…) as written
        number = int(raw) if raw.isdigit() else float(raw)
        if int(cell.get("s") or 0) in self.date_styles:
            try:
                return from_excel(number, self.epoch)
            except (OverflowError, ValueError):
                return raw
        return number


def _column_index(reference: str) -> int:
    """Column number of a cell reference: "AB12" is 28."""
    index = 0
    for char in reference:
        if not char.isalpha():
            break
        index = index * 26 + (ord(char.upper()) - 64)
    return index


class _CountedStream(io.RawIOBase):
    """The sheet's XML as it decompresses, refused once it passes the uncompressed cap."""

    def __init__(self, source: BinaryIO, limit: int):
        self.source, self.limit, self.count = source, limit, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.count += len(data)
        if self.count > self.limit:
            raise ParseError("la hoja de cálculo descomprimida es demasiado grande")
        return data

    def close(self) -> None:
        self.source.close()
        super().close()


def _checked_zip(payload: bytes) -> zipfile.ZipFile:
    """Refuse before decompressing: declared sizes past the limit, or no workbook inside."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
        members = archive.infolist()
    except Exception as error:  # noqa: BLE001  (BadZipFile, ValueError, OSError…)
        raise _not_xlsx(error) from error
    names = {member.filename for member in members}
    if sum(member.file_size for member in members) > MAX_SHEET_BYTES + MAX_UNCOMPRESSED_BYTES:
        raise ParseError("la hoja de cálculo descomprimida es demasiado grande")
    if "xl/workbook.xml" not in names:
        kind = (
            "un documento de Word"
            if "word/document.xml" in names
            else "una presentación"
            if "ppt/presentation.xml" in names
            else "un archivo ZIP"
        )
        raise ParseError(f"no es una hoja de cálculo XLSX (falta xl/workbook.xml): es {kind}")
    return archive


def _not_xlsx(error: Exception) -> ParseError:
    detail = str(error).strip()[:200] or type(error).__name__
    return ParseError(f"no es una hoja de cálculo XLSX válida o está dañada: {detail}")


# Header block ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One labelled value above the table ("Año: 2026"), with where it was written."""

    value: str | int
    row: int
    label: str


@dataclass(frozen=True)
class HeaderBlock:
    year: Fact | None = None
    ruc: Fact | None = None
    entity: Fact | None = None
    instrument: str | None = None


_FACT_LABELS = {
    "year": ("ano", "ano fiscal", "anio", "ejercicio", "ejercicio fiscal", "periodo"),
    "ruc": ("ruc", "n ruc", "no ruc", "nro ruc", "numero ruc", "ruc entidad"),
    "entity": ("entidad", "nombre entidad", "entidad publica", "razon social", "nombre"),
    "instrument": (
        "instrumento aprobacion",
        "instrumento",
        "documento aprobacion",
        "resolucion aprobacion",
        "aprobado con",
        "aprobado por",
        "aprobacion",
    ),
}
_LABEL_KINDS = {label: kind for kind, labels in _FACT_LABELS.items() for label in labels}
_YEAR = re.compile(r"\b(20\d{2})\b")
_PLAN_TITLE = re.compile(r"\b(plan anual|pac|ano fiscal|ejercicio)\b")  # not "Fecha: 15/12/2025"


def read_header_block(rows: Sequence[Row]) -> HeaderBlock:
    """Year, RUC, entity and approving instrument from the rows above the table, if written:
    "Año: 2026" in one cell or "Año" and "2026" in two; a title "PAC 2026" gives the year,
    other dated lines ("Elaborado el 15/12/2025") do not."""
    facts: dict[str, Fact] = {}
    title_year: Fact | None = None
    for number, cells in rows:
        texts = [_plain(cell) for cell in cells if _filled(cell)]
        label, _, value = texts[0].partition(":")
        value = value.strip() or (texts[1] if len(texts) > 1 else "")
        kind = _LABEL_KINDS.get(header_key(label))
        if kind and value and kind not in facts:
            facts[kind] = Fact(_fact_value(kind, value), number, label.strip())
        elif not kind and title_year is None and _PLAN_TITLE.search(fold(" ".join(texts))):
            if year := _YEAR.search(" ".join(texts)):
                title_year = Fact(year[1], number, texts[0][:60])
    year = facts.get("year")
    if year is not None and not _YEAR.fullmatch(year.value):
        year = None
    instrument = facts.get("instrument")
    return HeaderBlock(
        year=_as_int_fact(year or title_year),
        ruc=facts.get("ruc"),
        entity=facts.get("entity"),
        instrument=instrument.value[:300] if instrument else None,
    )


def _fact_value(kind: str, value: str) -> str:
    if kind == "year":
        found = _YEAR.search(value)
        return found[1] if found else value
    if kind == "ruc":
        return re.sub(r"\D", "", value)
    return value


def _as_int_fact(fact: Fact | None):
    return replace(fact, value=int(fact.value)) if fact else None


def _plain(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())
