"""What a draft's preview page shows, computed once when the file is read and kept as JSON:
the first lines and the totals, so the page never re-reads a 50,000-row file."""

from collections.abc import Sequence
from decimal import Decimal

from scrapers.records import PlanLineRecord

PREVIEW_LINES = 50
MAX_PROBLEMS_KEPT = 1000


def preview_of(lines: Sequence[PlanLineRecord]) -> dict:
    return {
        "lines": [_line(line) for line in lines[:PREVIEW_LINES]],
        "totals": totals_of(lines),
    }


def totals_of(lines: Sequence[PlanLineRecord]) -> dict:
    """Line count, estimated value in soles and lines per planned month (January first).
    Lines in another currency are counted apart rather than converted at a guessed rate."""
    value_pen = Decimal(0)
    per_month = [0] * 12
    other_currency = 0
    for line in lines:
        per_month[line.planned_month - 1] += 1
        if line.estimated_value is None:
            continue
        if line.currency == "PEN":
            value_pen += line.estimated_value
        else:
            other_currency += 1
    return {
        "line_count": len(lines),
        "value_pen": str(value_pen),
        "other_currency_lines": other_currency,
        "per_month": per_month,
    }


def problems_of(problems: Sequence) -> list[list]:
    """[row, column, message] for the first problems; the count says how many there were."""
    return [
        [problem.row, problem.column, problem.message] for problem in problems[:MAX_PROBLEMS_KEPT]
    ]


def _line(line: PlanLineRecord) -> dict:
    return {
        "reference_number": line.reference_number,
        "description": line.description,
        "object_type": line.object_type.value,
        "procedure_type_code": line.procedure_type_code,
        "classification_code": line.classification_code,
        "estimated_value": None if line.estimated_value is None else str(line.estimated_value),
        "currency": line.currency,
        "planned_month": line.planned_month,
        "region_code": line.region_code,
    }
