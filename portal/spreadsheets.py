"""Every CSV and XLSX the portal hands out, with cells that cannot run as formulas.

Text from scraped notices and uploaded plans reaches users' spreadsheets; a cell that starts
with = + - @ (or a tab or carriage return, even after spaces) is a formula to Excel and
LibreOffice (CSV injection), so such text gets a leading apostrophe. Numbers and dates stay
numbers and dates, so sums and filters keep working.
"""

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIMETYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8" to text types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_SHEET_TITLE_LENGTH = 31  # Excel's limit


def safe_cell(value: object) -> object:
    """Text a spreadsheet would read as a formula gets a leading "'"; anything else unchanged."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with BOM (so Excel reads the accents), comma-separated, every cell made safe."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]]) -> bytes:
    """One sheet per (title, header, rows), written streaming (write-only), every cell safe."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:_SHEET_TITLE_LENGTH])
        sheet.append([_bold_cell(sheet, name, bold) for name in header])
        for row in rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(payload: bytes, filename: str, kind: str) -> Response:
    """The file as an attachment; `kind` is "csv" or "xlsx" and sets the media type."""
    response = Response(payload, mimetype=MIMETYPES[kind])
    response.headers.set("Content-Disposition", "attachment", **_filename_options(filename))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _filename_options(filename: str) -> dict[str, str]:
    """An ASCII name for old clients and the exact UTF-8 one (RFC 6266), as Flask's send_file."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    if ascii_name == filename:
        return {"filename": filename}
    return {"filename": ascii_name, "filename*": "UTF-8''" + quote(filename, safe="!#$&+^`|~")}


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return safe_cell(value)


def _xlsx_cell(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no zones: callers pass local wall time
    if isinstance(value, str):
        return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return safe_cell(value)


def _bold_cell(sheet, value: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_xlsx_cell(value))
    cell.font = font
    return cell
