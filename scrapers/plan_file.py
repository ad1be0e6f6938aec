"""Annual procurement plans (PAC) uploaded as CSV or XLSX, checked row by row in Spanish.

The agency upload page and the scraper share this parser: every problem names its row and
column so a clerk can fix the file. A plan is all or nothing: one bad row and no PlanRecord
is produced, only the errors.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from portal.opportunities.enums import ObjectType
from scrapers import peru
from scrapers.html_listing import currency_code
from scrapers.plan_table import read_plan_table
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
    "año": "Año fiscal del plan, por ejemplo 2026 (obligatorio).",
    "ruc": "RUC de la entidad, 11 dígitos (obligatorio si no se indica la entidad).",
    "entidad": "Nombre de la entidad (obligatorio si no se indica el RUC).",
    "numero_referencia": "Número de referencia de la línea del PAC, único en el archivo.",
    "tipo_procedimiento": "Tipo de procedimiento: LP, CP, LPA, CPA, AS, SCI, SIE, CDP o CD.",
    "objeto": "Bienes, Servicios, Obras o Consultoría de Obras (obligatorio).",
    "descripcion": "Descripción de la contratación (obligatorio).",
    "codigo_cubso": "Código CUBSO (16 dígitos) o UNSPSC (8 dígitos).",
    "valor_estimado": "Valor estimado, con coma o punto decimal.",
    "moneda": "Moneda: PEN (soles) por defecto, USD o EUR.",
    "mes_previsto": "Mes previsto de la convocatoria: 1 a 12 o su nombre (obligatorio).",
    "departamento": "Departamento: código UBIGEO (01 a 25) o nombre.",
    "cantidad": "Cantidad requerida.",
    "unidad_medida": "Unidad de medida.",
    "fuente_financiamiento": "Fuente de financiamiento (por ejemplo, Recursos Ordinarios).",
    "observaciones": "Observaciones.",
}
REQUIRED_COLUMNS = ("año", "numero_referencia", "objeto", "descripcion", "mes_previsto")
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
            ("setiembre", "septiembre", "set", "sep"),
            ("octubre", "oct"),
            ("noviembre", "nov"),
            ("diciembre", "dic"),
        ),
        start=1,
    )
    for name in names
}
_NUMBER = re.compile(r"^-?[\d\s.,]+$")
_CURRENCY_PREFIX = re.compile(r"^(S/\.?|US\$|\$|€)\s*", re.IGNORECASE)
_DAY_FIRST = re.compile(r"^\d{1,2}/(\d{1,2})/\d{4}")


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class _Line:
    buyer: BuyerRecord
    fiscal_year: int
    record: PlanLineRecord


def parse(stream: BinaryIO, context: ParseContext) -> Iterator[ParsedItem]:
    """One PlanRecord per (buyer, fiscal year) when every row is valid, else one error per row."""
    rows = read_plan_table(stream.read(), PLAN_COLUMNS, REQUIRED_COLUMNS)
    lines, problems = _validate(rows, context.default_currency)
    if problems:
        for row, messages in _by_row(problems).items():
            yield ItemError(f"fila {row}", "; ".join(messages))
        return
    plans: dict[tuple[str, int], list[_Line]] = {}
    for line in lines:
        buyer_key = line.buyer.ruc or fold(line.buyer.name)
        plans.setdefault((buyer_key, line.fiscal_year), []).append(line)
    for grouped in plans.values():
        yield PlanRecord(
            buyer=grouped[0].buyer,
            fiscal_year=grouped[0].fiscal_year,
            lines=tuple(line.record for line in grouped),
            source_ref=context.config.get("source_ref"),
        )


def validate_plan_rows(
    rows: Iterable[Mapping[str, object]], default_currency: str = "PEN"
) -> tuple[list[PlanLineRecord], list[RowProblem]]:
    """Check rows keyed by PLAN_COLUMNS names; row numbers count the header as row 1."""
    lines, problems = _validate(rows, default_currency)
    return [line.record for line in lines], problems


def _by_row(problems: list[RowProblem]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.row, []).append(f"{problem.column}: {problem.message}")
    return grouped


def _validate(
    rows: Iterable[Mapping[str, object]], default_currency: str
) -> tuple[list[_Line], list[RowProblem]]:
    lines: list[_Line] = []
    problems: list[RowProblem] = []
    seen_references: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        checker = _RowChecker(number, row)
        line = checker.line(default_currency)
        reference = checker.text("numero_referencia")
        if reference and reference in seen_references:
            checker.problem(
                "numero_referencia",
                f"repetido: ya aparece en la fila {seen_references[reference]}",
            )
        elif reference:
            seen_references[reference] = number
        problems.extend(checker.problems)
        if line is not None and not checker.problems:
            lines.append(line)
    if not lines and not problems:
        raise ParseError("el archivo no tiene filas de plan bajo la cabecera")
    return lines, problems


class _RowChecker:
    """Reads one row's cells, collecting every problem instead of stopping at the first."""

    def __init__(self, number: int, row: Mapping[str, object]):
        self.number = number
        self.row = row
        self.problems: list[RowProblem] = []

    def problem(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.number, column, message))

    def text(self, column: str) -> str:
        return cell_text(self.row.get(column))

    def line(self, default_currency: str) -> _Line | None:
        buyer = self._buyer()
        fiscal_year = self._fiscal_year()
        reference = self._required("numero_referencia")
        description = self._required("descripcion")
        object_type = self._object_type()
        month = self._month()
        record_fields = dict(
            procedure_type_code=self._procedure(),
            classification_code=self._classification(),
            estimated_value=self._number("valor_estimado"),
            currency=self._currency(default_currency),
            region_code=self._department(),
            quantity=self._number("cantidad"),
            unit_of_measure=self.text("unidad_medida")[:60] or None,
            funding_source=self.text("fuente_financiamiento")[:200] or None,
            notes=self.text("observaciones") or None,
        )
        if self.problems or None in (buyer, fiscal_year, reference, description, object_type):
            return None
        record = PlanLineRecord(
            reference_number=reference[:40],
            description=description,
            object_type=object_type,
            planned_month=month,
            **record_fields,
        )
        return _Line(buyer, fiscal_year, record)

    def _required(self, column: str) -> str | None:
        value = self.text(column)
        if not value:
            self.problem(column, "es obligatorio")
        return value or None

    def _buyer(self) -> BuyerRecord | None:
        ruc, name = self.text("ruc"), self.text("entidad")
        if ruc and peru.ruc_or_none(ruc) is None:
            self.problem("ruc", f"RUC inválido: {ruc!r} (11 dígitos con dígito verificador)")
            return None
        if not ruc and not name:
            self.problem("entidad", "indique el RUC o el nombre de la entidad")
            return None
        return BuyerRecord(name=(name or ruc)[:300], ruc=ruc or None)

    def _fiscal_year(self) -> int | None:
        value = self.text("año")
        if not is_digits(value) or not 2000 <= int(value) <= 2100:
            self.problem("año", f"año fiscal inválido: {value!r} (por ejemplo 2026)")
            return None
        return int(value)

    def _object_type(self) -> ObjectType | None:
        value = self.text("objeto")
        object_type = peru.object_type_from_text(value)
        if object_type is None:
            self.problem("objeto", f"objeto desconocido: {value!r} (Bienes, Servicios, Obras…)")
        return object_type

    def _month(self) -> int | None:
        raw = self.row.get("mes_previsto")
        if isinstance(raw, datetime | date):
            return raw.month
        value = self.text("mes_previsto")
        day_first = _DAY_FIRST.match(value)
        folded = fold(value)
        month = (
            int(day_first[1])
            if day_first
            else int(folded)
            if is_digits(folded)
            else _MONTHS.get(folded)
        )
        if month is None or not 1 <= month <= 12:
            self.problem("mes_previsto", f"mes fuera de 1 a 12: {value!r}")
            return None
        return month

    def _procedure(self) -> str | None:
        value = self.text("tipo_procedimiento")
        if not value:
            return None
        code = peru.procedure_from_text(value) or peru.procedure_from_nomenclatura(value + "-")
        if code is None:
            self.problem("tipo_procedimiento", f"tipo de procedimiento desconocido: {value!r}")
        return code

    def _classification(self) -> str | None:
        value = self.text("codigo_cubso").replace(" ", "").replace("-", "")
        if value and not (is_digits(value) and len(value) in (8, 16)):
            self.problem(
                "codigo_cubso", f"código inválido: {value!r} (8 dígitos UNSPSC o 16 CUBSO)"
            )
            return None
        return value or None

    def _number(self, column: str) -> Decimal | None:
        value = _CURRENCY_PREFIX.sub("", self.text(column))
        if not value:
            return None
        amount = parse_amount(value) if _NUMBER.match(value) else None
        if amount is None or amount < 0:
            self.problem(column, f"no es un número válido: {value!r}")
            return None
        return amount

    def _currency(self, default_currency: str) -> str:
        value = self.text("moneda")
        code = currency_code(value) if value else default_currency
        if code is None:
            self.problem("moneda", f"moneda desconocida: {value!r} (PEN, USD o EUR)")
            return default_currency
        return code

    def _department(self) -> str | None:
        value = self.text("departamento")
        if not value:
            return None
        code = peru.department_code(value)
        if code is None:
            self.problem("departamento", f"departamento desconocido: {value!r}")
        return code


def cell_text(value: object) -> str:
    """A cell as text: spreadsheets give numbers (2026.0) where a CSV gives "2026"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return clean_text(str(value))
