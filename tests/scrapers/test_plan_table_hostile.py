"""Hostile and broken files: caps checked while reading, zip bombs, renamed files, broken XML,
formulas read as their stored values. Every one is a ParseError in Spanish, never a crash."""

import io
import re
import zipfile

import openpyxl
import pytest

from scrapers import plan_table
from scrapers.plan_file import PlanFileContext, read_plan_file
from scrapers.records import BuyerRecord, ParseError

UPLOAD = PlanFileContext(2026, BuyerRecord("Seguro Social de Salud", "20131312955"))
HEADER = "Nº,Tipo de proceso,Objeto,Descripción,Valor estimado,Mes previsto\n"


def data_row(number: int) -> str:
    return f"{number},AS,Bienes,Útiles de escritorio lote {number},1500.00,03/2026\n"


class CountingStream(io.RawIOBase):
    """A file read in chunks that remembers how much of it was read."""

    def __init__(self, payload: bytes):
        self.inner, self.read_bytes = io.BytesIO(payload), 0

    def readable(self):
        return True

    def read(self, size=-1):
        data = self.inner.read(size)
        self.read_bytes += len(data)
        return data


def read(payload: bytes):
    return read_plan_file(io.BytesIO(payload), UPLOAD)


def workbook_bytes(rows, title="Plan") -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = title
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewritten(payload: bytes, name: str, change) -> bytes:
    """The same zip with one member's bytes changed (or removed when change gives None)."""
    source = zipfile.ZipFile(io.BytesIO(payload))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == name:
                data = change(data)
            if data is not None:
                target.writestr(info.filename, data)
    return buffer.getvalue()


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"


def handmade_xlsx(sheet_data: bytes, shared: bytes | None = None) -> bytes:
    """A workbook as Excel writes it (shared strings table included), from its XML parts."""
    types = (
        f'<Types xmlns="{PACKAGE}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    root_rels = (
        f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{OFFICE}"><sheets>'
        '<sheet name="PAC" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        f'<Relationships xmlns="{PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
            + sheet_data
            + b"</sheetData></worksheet>",
        )
        archive.writestr(
            "xl/sharedStrings.xml", shared or f'<sst xmlns="{MAIN_NS}"></sst>'.encode()
        )
    return buffer.getvalue()


def shared_table(*texts: bytes) -> bytes:
    return f'<sst xmlns="{MAIN_NS}">'.encode() + b"".join(texts) + b"</sst>"


HEADER_STRINGS = [b"<si><t>N\xc2\xba</t></si>", b"<si><t>Objeto</t></si>"]
HEADER_STRINGS += [b"<si><t>Descripci\xc3\xb3n</t></si>", b"<si><t>Mes previsto</t></si>"]
HEADER_ROW = (
    b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    b'<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>'
)


GOOD_XLSX_ROWS = [
    ["Nº", "Tipo de proceso", "Objeto", "Descripción", "Valor estimado", "Mes previsto"],
    ["1", "AS", "Bienes", "Papel bond", 999, "03/2026"],
]


# Caps, while reading ---------------------------------------------------------------------------


def test_row_cap_refuses_at_row_50001_without_reading_the_rest():
    payload = (HEADER + "".join(data_row(number) for number in range(1, 80_001))).encode()
    stream = CountingStream(payload)
    with pytest.raises(ParseError, match=r"más de 50\.000 filas de datos \(fila 50002\)"):
        read_plan_file(stream, UPLOAD)
    assert stream.read_bytes < len(payload) * 0.7


def test_exactly_50000_rows_are_accepted():
    payload = (HEADER + "".join(data_row(number) for number in range(1, 50_001))).encode()
    reading = read(payload)
    assert (reading.rows, len(reading.plans[0].lines), reading.problems) == (50_000, 50_000, [])


def test_byte_cap_refuses_while_reading(monkeypatch):
    monkeypatch.setattr(plan_table, "MAX_FILE_BYTES", 200_000)
    payload = (HEADER + "".join(data_row(number) for number in range(1, 10_000))).encode()
    stream = CountingStream(payload)
    with pytest.raises(ParseError, match="supera el máximo"):
        read_plan_file(stream, UPLOAD)
    assert stream.read_bytes <= 200_000 + 64 * 1024


def test_xlsx_over_the_byte_cap_is_refused(monkeypatch):
    monkeypatch.setattr(plan_table, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ParseError, match="supera el máximo"):
        read(workbook_bytes(GOOD_XLSX_ROWS))


def test_endless_line_is_refused():
    with pytest.raises(ParseError, match="supera 1 MB"):
        read(HEADER.encode() + b"x" * (2 * 1024 * 1024))


def test_huge_cell_is_refused():
    with pytest.raises(ParseError, match="CSV ilegible en la fila 2"):
        read(HEADER.encode() + b'1,AS,Bienes,"' + b"x" * 200_000 + b'",1,3\n')


# Zip bombs and wrong files -----------------------------------------------------------------------


def test_zip_bomb_is_refused_from_its_declared_sizes(monkeypatch):
    monkeypatch.setattr(plan_table, "MAX_SHEET_BYTES", 10 * 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(ParseError, match="descomprimida es demasiado grande"):
        read(buffer.getvalue())


def test_sheet_larger_than_the_cap_is_refused_while_streaming(monkeypatch):
    """Declared sizes pass the first check here: the count while parsing stops it."""
    rows = GOOD_XLSX_ROWS + [[str(n), "AS", "Bienes", "x" * 50, 1, "3"] for n in range(2, 400)]
    payload = workbook_bytes(rows)
    sheet_size = zipfile.ZipFile(io.BytesIO(payload)).getinfo("xl/worksheets/sheet1.xml").file_size
    monkeypatch.setattr(plan_table, "MAX_SHEET_BYTES", sheet_size // 2)
    monkeypatch.setattr(plan_table, "_checked_zip", lambda data: zipfile.ZipFile(io.BytesIO(data)))
    with pytest.raises(ParseError, match="descomprimida es demasiado grande"):
        read(payload)


def test_word_document_renamed_to_xlsx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ParseError, match="no es una hoja de cálculo XLSX.*documento de Word"):
        read(buffer.getvalue())


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\x00\x00", "codificación no admitida"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, r"Excel 97-2003 \(\.xls\)"),
        (b"PK\x03\x04garbage", "no es una hoja de cálculo XLSX válida"),
        (b"PK\x05\x06" + b"\0" * 18, "falta xl/workbook.xml"),
        (b"", "vacío"),
        (b"   \r\n  ", "vacío"),
    ],
    ids=["pdf", "xls", "broken-zip", "empty-zip", "empty", "blank"],
)
def test_other_files_are_refused_clearly(payload, message):
    with pytest.raises(ParseError, match=message):
        read(payload)


def test_xml_error_inside_the_sheet_is_a_parse_error():
    payload = rewritten(
        workbook_bytes(GOOD_XLSX_ROWS),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</sheetData>", b"<row><c></sheetData>"),
    )
    with pytest.raises(ParseError, match="no es una hoja de cálculo XLSX válida o está dañada"):
        read(payload)


def test_truncated_sheet_xml_is_a_parse_error():
    payload = rewritten(
        workbook_bytes(GOOD_XLSX_ROWS), "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2]
    )
    with pytest.raises(ParseError, match="dañada"):
        read(payload)


@pytest.mark.parametrize(
    "member", ["xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]
)
def test_missing_parts_are_a_parse_error(member):
    payload = rewritten(workbook_bytes(GOOD_XLSX_ROWS), member, lambda xml: None)
    with pytest.raises(ParseError, match="no es una hoja de cálculo XLSX"):
        read(payload)


def test_billion_laughs_in_shared_strings_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (level, b"".join([b"&lol%d;" % (level - 1)] * 10))
            for level in range(2, 10)
        ).replace(b"&lol1;", b"&lol;")
        + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"".join(HEADER_STRINGS)
        + b"<si><t>&lol9;</t></si></sst>"
    )
    row = (
        b'<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>Bienes</t></is></c>'
        b'<c r="C2" t="s"><v>4</v></c><c r="D2"><v>3</v></c></row>'
    )
    with pytest.raises(ParseError, match="dañada: Maximum entity amplification"):
        read(handmade_xlsx(HEADER_ROW + row, laughs))


def test_crafted_dimension_does_not_blow_up_rows():
    payload = rewritten(
        workbook_bytes(GOOD_XLSX_ROWS),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml),
    )
    reading = read(payload)
    assert (reading.rows, reading.problems) == (1, [])


# Formulas ----------------------------------------------------------------------------------------


def with_formula(cached: bytes | None) -> bytes:
    """The value cell (999) turned into a formula, with or without the value Excel stored."""
    stored = b"<v>" + cached + b"</v>" if cached is not None else b""
    return rewritten(
        workbook_bytes(GOOD_XLSX_ROWS),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(
            rb"<v>999</v>", b"<f>WEBSERVICE(&quot;http://x&quot;)*0+45000</f>" + stored, xml
        ),
    )


def test_formula_is_read_as_its_cached_value_never_evaluated():
    [plan] = read(with_formula(b"45000.5")).plans
    assert str(plan.lines[0].estimated_value) == "45000.5"


def test_formula_without_a_cached_value_is_empty():
    [plan] = read(with_formula(None)).plans
    assert plan.lines[0].estimated_value is None


def test_text_that_looks_like_a_formula_stays_text():
    rows = [GOOD_XLSX_ROWS[0], ["1", "AS", "Bienes", '=HYPERLINK("http://x")', 1, "3"]]
    buffer = io.BytesIO(workbook_bytes([rows[0]]))
    workbook = openpyxl.load_workbook(buffer)
    cell = workbook.active.cell(row=2, column=4, value="=1+1")
    cell.data_type = "s"
    for column, value in enumerate(rows[1], start=1):
        if column != 4:
            workbook.active.cell(row=2, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    [plan] = read(out.getvalue()).plans
    assert plan.lines[0].description == "=1+1"


def test_second_sheet_is_used_when_the_first_is_a_cover():
    workbook = openpyxl.Workbook()
    workbook.active.title = "Carátula"
    workbook.active.append(["Plan Anual de Contrataciones 2026"])
    plan = workbook.create_sheet("PAC")
    for row in GOOD_XLSX_ROWS:
        plan.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    reading = read(buffer.getvalue())
    assert len(reading.plans[0].lines) == 1


def test_xlsx_row_cap_refuses_while_streaming(monkeypatch):
    monkeypatch.setattr(plan_table, "MAX_ROWS", 100)
    rows = [GOOD_XLSX_ROWS[0]]
    rows += [[str(n), "AS", "Bienes", "Papel", 1, "3"] for n in range(1, 150)]
    with pytest.raises(ParseError, match=r"más de 100 filas de datos \(fila 102\)"):
        read(workbook_bytes(rows))


def test_too_many_shared_strings_are_refused(monkeypatch):
    monkeypatch.setattr(plan_table, "MAX_SHARED_STRINGS", 5)
    table = shared_table(*HEADER_STRINGS, *[b"<si><t>%d</t></si>" % n for n in range(10)])
    with pytest.raises(ParseError, match="^la hoja de cálculo tiene demasiados textos distintos"):
        read(handmade_xlsx(HEADER_ROW, table))


def test_rich_text_shared_strings_are_joined_without_phonetic_runs():
    rich = b"<si><r><rPr><b/></rPr><t>Papel </t></r><r><t>bond</t></r><rPh><t>x</t></rPh></si>"
    table = shared_table(*HEADER_STRINGS, b"<si><t>Bienes</t></si>", rich)
    row = (
        b'<row r="3"><c r="A3"><v>7</v></c><c r="B3" t="s"><v>4</v></c><c r="C3" t="s">'
        b'<v>5</v></c><c r="D3" t="inlineStr"><is><t>03/2026</t></is></c></row>'
    )
    reading = read(handmade_xlsx(HEADER_ROW + row, table))
    [line] = reading.plans[0].lines
    assert (line.reference_number, line.description, line.planned_month) == ("7", "Papel bond", 3)


def test_shared_string_index_out_of_range_is_a_parse_error():
    row = b'<row r="2"><c r="A2" t="s"><v>99</v></c></row>'
    with pytest.raises(ParseError, match="dañada"):
        read(handmade_xlsx(HEADER_ROW + row, shared_table(*HEADER_STRINGS)))


def test_external_entities_in_the_sheet_are_never_read(tmp_path):
    secret = tmp_path / "secreto.txt"
    secret.write_text("CLAVE-SECRETA")
    doctype = f'<!DOCTYPE w [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    row = (
        b'<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>Bienes</t></is></c>'
        b'<c r="C2" t="inlineStr"><is><t>Papel &xxe;</t></is></c><c r="D2"><v>3</v></c></row>'
    )
    payload = rewritten(
        handmade_xlsx(HEADER_ROW + row, shared_table(*HEADER_STRINGS)),
        "xl/worksheets/sheet1.xml",
        lambda xml: doctype + xml,
    )
    try:
        reading = read(payload)
    except ParseError:
        return
    assert "CLAVE" not in reading.plans[0].lines[0].description
