"""Annual procurement plans (PAC) as entities really keep them, checked row by row in Spanish.

The agency upload page and the scraper share this parser. Real files follow the CONSUCODE/SEACE
layout ("Nº", "Tipo de proceso", "Objeto", "Código CUBSO", "Mes previsto", "Ubigeo"…) under a
header block naming the year, entity and RUC once, or nothing at all: the uploader's entity and
the chosen year come in the context. Every problem names its row (as the spreadsheet numbers it)
and the file's own column header, so a clerk can fix the file. A plan is all or nothing: one bad
row and no PlanRecord is produced, only the problems.
"""

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from portal.opportunities.enums import ObjectType
from scrapers import peru
from scrapers.html_listing import currency_code
from scrapers.plan_table import HeaderBlock, header_key, read_header_block, read_plan_table
from scrapers.records import (
    BuyerRecord,
    ItemError,
    ParseContext,
    ParsedItem,
    ParseError,
    PlanLineRecord,
    PlanRecord,
)
from scrapers.text import clean_text, fold, is_digits, parse_amount

PLAN_COLUMNS: dict[str, str] = {
    "numero_referencia": "Número de referencia de la línea del PAC, único en el archivo.",
    "tipo_procedimiento": "Tipo de procedimiento de selección: código o nombre (ver la lista).",
    "objeto": "Objeto de la contratación: Bienes, Servicios, Obras o Consultoría de Obras.",
    "descripcion": "Descripción de los bienes, servicios u obras (obligatorio).",
    "codigo_cubso": "Código CUBSO (16 dígitos) o UNSPSC (8 dígitos).",
    "valor_estimado": "Valor estimado, con coma o punto decimal (1.234,56 o 1,234.56).",
    "moneda": "Moneda: PEN (soles) por defecto, USD o EUR.",
    "unidad_medida": "Unidad de medida.",
    "cantidad": "Cantidad requerida.",
    "fuente_financiamiento": "Fuente de financiamiento (por ejemplo, Recursos Ordinarios).",
    "mes_previsto": "Mes previsto de la convocatoria: 1 a 12, MM/AAAA o su nombre (obligatorio).",
    "departamento": "Ubicación: código UBIGEO (2, 4 o 6 dígitos) o nombre del departamento.",
    "antecedente": "Antecedente (opcional, no se publica).",
    "compra_corporativa": "Compra corporativa o encargada y entidad a cargo (opcional).",
    "observaciones": "Observaciones.",
    "año": "Año fiscal; opcional: por defecto el elegido al subir o el de la cabecera.",
    "ruc": "RUC de la entidad; opcional: por defecto el de la entidad que sube el plan.",
    "entidad": "Nombre de la entidad; opcional, como el RUC.",
}
REQUIRED_COLUMNS = ("numero_referencia", "objeto", "descripcion", "mes_previsto")
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "numero_referencia": (
        "Nº", "N°", "No.", "Nro.", "N", "Número", "Item", "Nº de ítem", "N° de referencia",
        "Número de referencia", "Nro. Ref.", "Nro. de referencia", "N° Ref.", "Ref.",
        "Referencia", "numero_referencia", "n_referencia", "Nº Referencial",
    ),
    "tipo_procedimiento": (
        "Tipo de proceso", "Tipo de procedimiento", "Tipo de procedimiento de selección",
        "Procedimiento de selección", "Procedimiento", "Tipo proceso", "tipo_procedimiento",
    ),
    "objeto": (
        "Objeto", "Objeto de contratación", "Objeto de la contratación", "Objeto del proceso",
        "Tipo de objeto",
    ),
    "descripcion": (
        "Descripción", "Descripción de los bienes, servicios u obras",
        "Descripción del objeto", "Descripción de la contratación", "Sintesis",
        "Síntesis de las especificaciones técnicas",
    ),
    "codigo_cubso": (
        "Código CUBSO", "CUBSO", "Código de catálogo", "Código del catálogo", "Código",
        "Código UNSPSC", "UNSPSC", "Código del ítem", "codigo_cubso",
    ),
    "valor_estimado": (
        "Valor estimado", "Valor estimado (S/)", "Valor estimado total", "Monto estimado",
        "Valor referencial", "Valor", "Monto", "valor_estimado",
    ),
    "moneda": ("Moneda", "Tipo de moneda"),
    "unidad_medida": ("Unidad de medida", "Unidad", "U.M.", "UM", "unidad_medida"),
    "cantidad": ("Cantidad", "Cant.", "Cantidad requerida"),
    "fuente_financiamiento": (
        "Fuente de financiamiento", "Fuente de financiación", "Fte. Fto.", "Fuente",
        "fuente_financiamiento",
    ),
    "mes_previsto": (
        "Mes previsto", "Mes previsto de convocatoria", "Fecha prevista de convocatoria",
        "Fecha prevista", "Mes de convocatoria", "Mes", "Fecha probable de convocatoria",
        "mes_previsto",
    ),
    "departamento": (
        "Ubigeo", "Ubicación geográfica", "Departamento", "Región", "Lugar", "Ubicación",
        "Código ubigeo",
    ),
    "antecedente": ("Antecedente", "Antecedentes"),
    "compra_corporativa": (
        "Compra corporativa", "Compra corporativa o encargada", "Entidad encargada",
        "Compra corporativa / entidad encargada",
    ),
    "observaciones": ("Observaciones", "Observación", "Obs."),
    "año": ("Año", "Año fiscal", "Anio", "Ano fiscal", "Ejercicio", "Periodo"),
    "ruc": ("RUC", "N° RUC", "RUC de la entidad"),
    "entidad": ("Entidad", "Nombre de la entidad", "Nombre o sigla de la entidad"),
}  # fmt: skip
HEADER_ALIASES = {
    header_key(spelling): name
    for name, spellings in _SPELLINGS.items()
    for spelling in (*spellings, name)
}
# Longer headers that start like a known one: "Descripción del ítem", "Cantidad total".
HEADER_PREFIXES = {
    header_key(start): name
    for start, name in (
        ("Descripción", "descripcion"),
        ("Valor estimado", "valor_estimado"),
        ("Cantidad", "cantidad"),
        ("Observaciones", "observaciones"),
        ("Fuente de financiamiento", "fuente_financiamiento"),
        ("Unidad de medida", "unidad_medida"),
        ("Tipo de procedimiento", "tipo_procedimiento"),
        ("Mes previsto", "mes_previsto"),
    )
}
MAX_PROBLEMS = 5_000
ProblemSink = Callable[[int, str, str], None]  # (row, column, message)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("enero", "ene"),
            ("febrero", "feb"),
            ("marzo", "mar"),
            ("abril", "abr"),
            ("mayo", "may"),
            ("junio", "jun"),
            ("julio", "jul"),
            ("agosto", "ago"),
            ("setiembre", "septiembre", "set", "sep", "sept"),
            ("octubre", "oct"),
            ("noviembre", "nov"),
            ("diciembre", "dic"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*\d{1,2})?(?:[ t].*)?$")
_DAY_MONTH_YEAR = re.compile(r"^\d{1,2}\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})(?:\s.*)?$")
_NAME_YEAR = re.compile(r"^([a-z]+)\.?(?:\s*(?:de|del|[/\-])?\s*(\d{4}|\d{2}))?$")
_NUMBER = re.compile(r"^-?[\d\s.,]+$")
_CURRENCY_PREFIX = re.compile(r"^(S/\.?|US\$|\$|€|PEN|USD|EUR)\s*", re.IGNORECASE)
_CODE_NOISE = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class PlanFileContext:
    """What the reader knows besides the file: on upload, the year chosen and the entity."""

    fiscal_year: int | None = None
    buyer: BuyerRecord | None = None
    default_currency: str = "PEN"


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


@dataclass
class PlanReading:
    plans: list[PlanRecord]  # one per (buyer, year); empty when there are problems
    problems: list[RowProblem]  # the first MAX_PROBLEMS, in file order
    rows: int  # data rows read
    approving_instrument: str | None = None
    problem_count: int = 0  # all of them, kept or not


@dataclass(frozen=True)
class _Scope:
    """Who and which year the whole file is about, when the context or its header say so."""

    fiscal_year: int | None
    buyer: BuyerRecord | None
    default_currency: str


def read_plan_file(stream: BinaryIO, context: PlanFileContext) -> PlanReading:
    """Read, check and group a plan file; raises ParseError when the file itself is unusable."""
    table = read_plan_table(stream, HEADER_ALIASES, REQUIRED_COLUMNS, HEADER_PREFIXES)
    block = read_header_block(table.above)
    reading = PlanReading(plans=[], problems=[], rows=0, approving_instrument=block.instrument)
    add_problem = _collector(reading)
    scope = _scope(context, block, table.columns, add_problem)
    lines: list[tuple[BuyerRecord, int, PlanLineRecord]] = []
    seen_references: dict[str, int] = {}
    for number, row in table.rows:
        if _is_total_row(row):
            continue
        reading.rows += 1
        checker = _RowChecker(number, row, table.header_texts, scope, add_problem)
        line = checker.line()
        checker.unique(seen_references)
        if reading.problem_count:
            lines.clear()  # all or nothing: no plan will be produced, keep memory flat
        elif line is not None:
            lines.append(line)
    if reading.rows == 0:
        raise ParseError("el archivo no tiene filas de plan bajo la cabecera")
    if not reading.problem_count:
        reading.plans = _plans(lines, block.instrument)
    return reading


def parse(stream: BinaryIO, context: ParseContext) -> Iterator[ParsedItem]:
    """The scraper's entry: one PlanRecord per (buyer, year) when every row is valid, else one
    error per row. The source's config may name the plan's fiscal_year, ruc and entity."""
    config = context.config
    name, ruc = config.get("entity"), config.get("ruc")
    buyer = BuyerRecord(name=str(name or ruc)[:300], ruc=ruc or None) if name or ruc else None
    year = int(config["fiscal_year"]) if config.get("fiscal_year") else None
    reading = read_plan_file(stream, PlanFileContext(year, buyer, context.default_currency))
    if reading.problems:
        for row, messages in _by_row(reading.problems).items():
            yield ItemError(f"fila {row}", "; ".join(messages))
        return
    for plan in reading.plans:
        yield replace(plan, source_ref=config.get("source_ref"))


def validate_plan_rows(
    rows: Iterable[Mapping[str, object]], context: PlanFileContext = PlanFileContext()
) -> tuple[list[PlanLineRecord], list[RowProblem]]:
    """Check rows keyed by PLAN_COLUMNS names; row numbers count the header as row 1."""
    reading = PlanReading(plans=[], problems=[], rows=0)
    add_problem = _collector(reading)
    scope = _Scope(context.fiscal_year, context.buyer, context.default_currency)
    records: list[PlanLineRecord] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        checker = _RowChecker(number, row, {}, scope, add_problem)
        line = checker.line()
        checker.unique(seen)
        if line is not None:
            records.append(line[2])
    return (records if not reading.problems else []), reading.problems


def _collector(reading: PlanReading) -> ProblemSink:
    def add_problem(row: int, column: str, message: str) -> None:
        reading.problem_count += 1
        if len(reading.problems) < MAX_PROBLEMS:
            reading.problems.append(RowProblem(row, column, message))

    return add_problem


def _scope(
    context: PlanFileContext,
    block: HeaderBlock,
    columns: Mapping[str, int],
    add_problem: ProblemSink,
) -> _Scope:
    """The context wins; a header block naming another RUC or year is a problem, not a switch."""
    year, buyer = context.fiscal_year, context.buyer
    if block.year is not None:
        if year is not None and block.year.value != year:
            add_problem(
                block.year.row,
                block.year.label,
                f"el archivo es del año {block.year.value} y el año fiscal elegido es {year}",
            )
        year = year or block.year.value
    if block.ruc is not None and peru.ruc_or_none(block.ruc.value) is None:
        add_problem(block.ruc.row, block.ruc.label, f"RUC inválido: '{block.ruc.value}'")
    elif block.ruc is not None and buyer is not None and buyer.ruc not in (None, block.ruc.value):
        add_problem(
            block.ruc.row,
            block.ruc.label,
            f"el archivo es del RUC {block.ruc.value}, no de {buyer.name} (RUC {buyer.ruc})",
        )
    if buyer is None and (block.ruc is not None or block.entity is not None):
        ruc = block.ruc.value if block.ruc else None
        name = block.entity.value if block.entity else ruc
        buyer = BuyerRecord(name=str(name)[:300], ruc=peru.ruc_or_none(ruc))
    if year is None and "año" not in columns:
        raise ParseError(
            "no se sabe el año fiscal del plan: elíjalo al subir el archivo o escriba "
            "«Año: 2026» sobre la tabla"
        )
    if buyer is None and "ruc" not in columns and "entidad" not in columns:
        raise ParseError(
            "no se sabe de qué entidad es el plan: escriba «RUC: …» o «Entidad: …» sobre la "
            "tabla, o añada las columnas RUC o Entidad"
        )
    return _Scope(year, buyer, context.default_currency)


def _plans(lines: list[tuple[BuyerRecord, int, PlanLineRecord]], instrument: str | None):
    grouped: dict[tuple[str, int], list[tuple[BuyerRecord, int, PlanLineRecord]]] = {}
    for line in lines:
        buyer, year, _ = line
        grouped.setdefault((buyer.ruc or fold(buyer.name), year), []).append(line)
    return [
        PlanRecord(
            buyer=group[0][0],
            fiscal_year=group[0][1],
            lines=tuple(record for _, _, record in group),
            approving_instrument=instrument,
        )
        for group in grouped.values()
    ]


def _is_total_row(row: Mapping[str, object]) -> bool:
    """A "TOTAL" line under the table (sums only): not a plan line, not a problem."""
    required = (row.get(name) for name in ("objeto", "mes_previsto", "descripcion"))
    if any(cell_text(cell) for cell in required):
        return False
    return any(fold(cell_text(cell)).startswith("total") for cell in row.values())


def _by_row(problems: list[RowProblem]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.row, []).append(f"{problem.column}: {problem.message}")
    return grouped


def _shown(value: str) -> str:
    return f"'{value[:60]}…'" if len(value) > 60 else f"'{value}'"


@dataclass
class _RowChecker:
    """Reads one row's cells, collecting every problem instead of stopping at the first."""

    number: int
    row: Mapping[str, object]
    header_texts: Mapping[str, str]
    scope: _Scope
    add_problem: ProblemSink
    failed: bool = False

    def problem(self, column: str, message: str) -> None:
        self.failed = True
        self.add_problem(self.number, self.header_texts.get(column, column), message)

    def text(self, column: str) -> str:
        return cell_text(self.row.get(column))

    def line(self) -> tuple[BuyerRecord, int, PlanLineRecord] | None:
        buyer = self._buyer()
        fiscal_year = self._fiscal_year()
        reference = self._required("numero_referencia")
        description = self._required("descripcion")
        object_type = self._object_type()
        month = self._month(fiscal_year)
        fields = dict(
            procedure_type_code=_shared(self._procedure()),
            classification_code=_shared(self._classification()),
            estimated_value=self._number("valor_estimado"),
            currency=_shared(self._currency()),
            region_code=_shared(self._department()),
            quantity=self._number("cantidad"),
            unit_of_measure=_shared(self.text("unidad_medida")[:60] or None),
            funding_source=_shared(self.text("fuente_financiamiento")[:200] or None),
            notes=self.text("observaciones") or None,
        )
        if self.failed or None in (buyer, fiscal_year, reference, description, object_type):
            return None
        record = PlanLineRecord(
            reference_number=reference[:40],
            description=description,
            object_type=object_type,
            planned_month=month,
            **fields,
        )
        return buyer, fiscal_year, record

    def unique(self, seen: dict[str, int]) -> None:
        reference = self.text("numero_referencia")
        if reference in seen:
            self.problem(
                "numero_referencia",
                f"número de referencia repetido: {_shown(reference)} ya aparece en la fila "
                f"{seen[reference]}",
            )
        elif reference:
            seen[reference] = self.number

    def _required(self, column: str) -> str | None:
        value = self.text(column)
        if not value:
            self.problem(column, "dato obligatorio vacío")
        return value or None

    def _buyer(self) -> BuyerRecord | None:
        ruc, name = self.text("ruc"), self.text("entidad")
        if ruc and peru.ruc_or_none(ruc) is None:
            self.problem("ruc", f"RUC inválido: {_shown(ruc)} (11 dígitos con dígito verificador)")
            return None
        scoped = self.scope.buyer
        if scoped is not None:
            if ruc and scoped.ruc and ruc != scoped.ruc:
                self.problem("ruc", f"el RUC {ruc} no es el de {scoped.name} ({scoped.ruc})")
            return scoped
        if not ruc and not name:
            self.problem("entidad", "indique el RUC o el nombre de la entidad")
            return None
        return BuyerRecord(name=(name or ruc)[:300], ruc=ruc or None)

    def _fiscal_year(self) -> int | None:
        value = self.text("año")
        year = int(value) if is_digits(value) and 2000 <= int(value) <= 2100 else None
        if value and year is None:
            self.problem("año", f"año fiscal inválido: {_shown(value)} (por ejemplo 2026)")
            return None
        scoped = self.scope.fiscal_year
        if year is not None and scoped is not None and year != scoped:
            self.problem("año", f"año {year} distinto del año fiscal del plan ({scoped})")
        if year is None and scoped is None:
            self.problem("año", "dato obligatorio vacío: año fiscal (por ejemplo 2026)")
        return scoped or year

    def _object_type(self) -> ObjectType | None:
        value = self.text("objeto")
        object_type = peru.object_type_from_text(value)
        if value and object_type is None:
            self.problem(
                "objeto",
                f"objeto desconocido: {_shown(value)} (Bienes, Servicios, Obras o "
                "Consultoría de Obras)",
            )
        elif not value:
            self.problem("objeto", "dato obligatorio vacío")
        return object_type

    def _month(self, fiscal_year: int | None) -> int | None:
        raw = self.row.get("mes_previsto")
        value = self.text("mes_previsto")
        if not value:
            self.problem("mes_previsto", "dato obligatorio vacío")
            return None
        month, year = _month_and_year(raw, value)
        if month is None or not 1 <= month <= 12:
            self.problem(
                "mes_previsto", f"mes no válido: {_shown(value)} (1 a 12, MM/AAAA o nombre)"
            )
            return None
        if year is not None and fiscal_year is not None and year != fiscal_year:
            self.problem("mes_previsto", f"mes fuera del año fiscal {fiscal_year}: {_shown(value)}")
            return None
        return month

    def _procedure(self) -> str | None:
        value = self.text("tipo_procedimiento")
        if not value:
            return None
        code = peru.procedure_from_text(value) or peru.procedure_from_nomenclatura(value + "-")
        if code is None:
            self.problem(
                "tipo_procedimiento",
                f"tipo de procedimiento desconocido: {_shown(value)} "
                f"(use {', '.join(peru.PROCEDURE_CODES)} o su nombre)",
            )
        return code

    def _classification(self) -> str | None:
        value = _CODE_NOISE.sub("", self.text("codigo_cubso"))
        if value and not (is_digits(value) and len(value) in (8, 16)):
            self.problem(
                "codigo_cubso",
                f"código CUBSO/UNSPSC inválido: {_shown(value)} (16 dígitos CUBSO u 8 UNSPSC)",
            )
            return None
        return value or None

    def _number(self, column: str) -> Decimal | None:
        raw = self.row.get(column)
        if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
            amount = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
            return self._non_negative(column, amount, self.text(column))
        value = _CURRENCY_PREFIX.sub("", self.text(column))
        if not value:
            return None
        amount = parse_amount(value) if _NUMBER.match(value) else None
        return self._non_negative(column, amount, value)

    def _non_negative(self, column: str, amount: Decimal | None, value: str) -> Decimal | None:
        if amount is None or amount < 0 or not amount.is_finite():
            self.problem(column, f"no es un número válido: {_shown(value)}")
            return None
        return amount

    def _currency(self) -> str:
        value = self.text("moneda")
        code = currency_code(value) if value else self.scope.default_currency
        if code is None:
            self.problem("moneda", f"moneda desconocida: {_shown(value)} (PEN, USD o EUR)")
            return self.scope.default_currency
        return code

    def _department(self) -> str | None:
        value = self.text("departamento")
        if not value:
            return None
        code = peru.department_code(value)
        if code is None:
            self.problem(
                "departamento",
                f"ubicación desconocida: {_shown(value)} (UBIGEO de 01 a 25 o nombre del "
                "departamento)",
            )
        return code


def _shared(value: str | None) -> str | None:
    """One copy of values that repeat down a 50,000-row plan (codes, units, funding)."""
    return sys.intern(value) if value else None


def _month_and_year(raw: object, value: str) -> tuple[int | None, int | None]:
    """Month and, when written, year: 3, "03", "03/2026", "2026-03", "15/03/2026", "Marzo",
    "mar. 2026", or a date cell."""
    if isinstance(raw, datetime | date):
        return raw.month, raw.year
    folded = fold(value)
    if is_digits(folded):
        return int(folded), None
    for pattern, month_group, year_group in (
        (_MONTH_YEAR, 1, 2),
        (_YEAR_MONTH, 2, 1),
        (_DAY_MONTH_YEAR, 1, 2),
    ):
        match = pattern.match(folded)
        if match:
            return int(match[month_group]), int(match[year_group])
    match = _NAME_YEAR.match(folded)
    if match and match[1] in _MONTHS:
        year = match[2]
        return _MONTHS[match[1]], (int(year) + 2000 if year and len(year) == 2 else _int(year))
    return None, None


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def cell_text(value: object) -> str:
    """A cell as text: spreadsheets give numbers (2026.0) where a CSV gives "2026"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return clean_text(str(value))
