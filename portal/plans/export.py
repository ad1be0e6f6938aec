"""A plan version as a spreadsheet, in the column names the upload page reads, so an entity can
download its plan, amend it and upload it again. Built only with portal.spreadsheets, which
neutralises text that a spreadsheet would run as a formula."""

from collections.abc import Iterator
from decimal import Decimal

from portal import spreadsheets
from portal.labels import object_type_label
from portal.plans.models import AnnualPlan

EXPORT_HEADER = (
    "N°",
    "Tipo de proceso",
    "Objeto",
    "Descripción",
    "Código CUBSO",
    "Valor estimado",
    "Moneda",
    "Mes previsto",
    "Ubigeo",
    "Cantidad",
    "Unidad de medida",
    "Fuente de financiamiento",
    "Observaciones",
)


def export_rows(plan: AnnualPlan) -> Iterator[tuple[object, ...]]:
    """One row per line; months as MM/YYYY and regions as UBIGEO codes, as files write them."""
    for line in plan.lines:
        yield (
            line.reference_number,
            line.procedure_type_code,
            object_type_label(line.object_type),
            line.description,
            line.classification_code,
            line.estimated_value,
            line.currency,
            f"{line.planned_month:02d}/{plan.fiscal_year}",
            line.region_code,
            _without_trailing_zeros(line.quantity),
            line.unit_of_measure,
            line.funding_source,
            line.notes,
        )


def _without_trailing_zeros(value: Decimal | None) -> Decimal | None:
    """12.5, not 12.500 as stored: readers take three digits after a point for thousands."""
    return None if value is None else Decimal(format(value.normalize(), "f"))


def export_filename(plan: AnnualPlan, kind: str) -> str:
    return f"pac-{plan.fiscal_year}-entidad-{plan.buyer_id}-v{plan.version}.{kind}"


def export_plan(plan: AnnualPlan, kind: str) -> bytes:
    """The lines of one version as CSV or XLSX bytes."""
    if kind == "xlsx":
        title = f"PAC {plan.fiscal_year} v{plan.version}"
        return spreadsheets.xlsx_bytes([(title, EXPORT_HEADER, export_rows(plan))])
    return spreadsheets.csv_bytes(EXPORT_HEADER, export_rows(plan))
