"""The PAC template agencies download: the CONSUCODE column layout the reader knows best, one
example row, and (in the XLSX) a sheet that explains every column and its allowed codes.

Codes come from the reference tables shipped in portal/reference/data, the same ones the
parser validates against, so the instructions cannot drift from what is accepted.
"""

import csv
from functools import cache

from portal.reference import DATA_DIR
from portal.spreadsheets import csv_bytes, xlsx_bytes
from scrapers.plan_file import PLAN_COLUMNS

TEMPLATE_HEADERS = {
    "numero_referencia": "N° de referencia",
    "tipo_procedimiento": "Tipo de procedimiento de selección",
    "objeto": "Objeto de contratación",
    "descripcion": "Descripción de los bienes, servicios u obras",
    "codigo_cubso": "Código CUBSO",
    "valor_estimado": "Valor estimado",
    "moneda": "Moneda",
    "unidad_medida": "Unidad de medida",
    "cantidad": "Cantidad",
    "fuente_financiamiento": "Fuente de financiamiento",
    "mes_previsto": "Mes previsto",
    "departamento": "Ubigeo",
    "observaciones": "Observaciones",
}
EXAMPLE_ROW = {
    "numero_referencia": "1",
    "tipo_procedimiento": "AS",
    "objeto": "Bienes",
    "descripcion": "Adquisición de útiles de escritorio para las oficinas administrativas",
    "codigo_cubso": "4412170100000001",
    "valor_estimado": 45000.50,
    "moneda": "PEN",
    "unidad_medida": "Unidad",
    "cantidad": 1200,
    "fuente_financiamiento": "Recursos Ordinarios",
    "mes_previsto": "Marzo",
    "departamento": "15",
    "observaciones": "",
}
OBJECT_TYPES = ("Bienes", "Servicios", "Obras", "Consultoría de Obras")
MONTHS = (
    "Enero",
    "Febrero",
    "Marzo",
    "Abril",
    "Mayo",
    "Junio",
    "Julio",
    "Agosto",
    "Setiembre",
    "Octubre",
    "Noviembre",
    "Diciembre",
)
CURRENCIES = (("PEN", "Soles"), ("USD", "Dólares americanos"), ("EUR", "Euros"))
HEADER_BLOCK_NOTE = (
    "Opcional: sobre la tabla puede escribir filas como «Año: 2026», «Entidad: …», «RUC: …» e "
    "«Instrumento de aprobación: Resolución N° …». El año y la entidad elegidos al subir el "
    "archivo mandan; si la cabecera dice otros, se muestra como problema."
)


def template_csv() -> bytes:
    """Header and one example row, UTF-8 with BOM so Excel opens it with its accents."""
    return csv_bytes(list(TEMPLATE_HEADERS.values()), [_example_cells(as_text=True)])


def template_xlsx() -> bytes:
    """Sheet "Plan" to fill in, sheet "Instrucciones" with each column and its codes."""
    return xlsx_bytes(
        [
            ("Plan", list(TEMPLATE_HEADERS.values()), [_example_cells(as_text=False)]),
            ("Instrucciones", ["Columna", "Explicación", "Valores admitidos"], _instructions()),
        ]
    )


def _example_cells(as_text: bool) -> list[object]:
    cells = [EXAMPLE_ROW[name] for name in TEMPLATE_HEADERS]
    return [f"{cell:.2f}" if as_text and isinstance(cell, float) else cell for cell in cells]


def _instructions() -> list[list[str]]:
    allowed = {
        "tipo_procedimiento": "Código o nombre; ver «Tipos de procedimiento» abajo.",
        "objeto": ", ".join(OBJECT_TYPES),
        "moneda": ", ".join(code for code, _ in CURRENCIES),
        "mes_previsto": "1 a 12, 03/2026, o el nombre del mes",
        "departamento": "01 a 25 (o UBIGEO de 4 o 6 dígitos), o el nombre; ver abajo.",
        "codigo_cubso": "16 dígitos (CUBSO) u 8 dígitos (UNSPSC)",
    }
    rows = [
        [header, PLAN_COLUMNS[name], allowed.get(name, "")]
        for name, header in TEMPLATE_HEADERS.items()
    ]
    rows += [["", "", ""], ["Cabecera", HEADER_BLOCK_NOTE, ""], ["", "", ""]]
    rows += [["Tipos de procedimiento", code, name] for code, name in _reference("procedure")]
    rows += [["Objetos", name, ""] for name in OBJECT_TYPES]
    rows += [["Meses", str(number), name] for number, name in enumerate(MONTHS, start=1)]
    rows += [["Departamentos (UBIGEO)", code, name] for code, name in _reference("department")]
    rows += [["Monedas", code, name] for code, name in CURRENCIES]
    return rows


@cache
def _reference(kind: str) -> tuple[tuple[str, str], ...]:
    """(code, Spanish name) from the shipped reference tables."""
    name, code_column, name_column = {
        "procedure": ("procedure_types.csv", "code", "name_es"),
        "department": ("departments.csv", "ubigeo_code", "name"),
    }[kind]
    with open(DATA_DIR / name, encoding="utf-8-sig", newline="") as handle:
        return tuple((row[code_column], row[name_column]) for row in csv.DictReader(handle))
