"""What an amendment changed: two versions of a plan compared line by line.

Lines are keyed by reference number, the entity's own number for a planned purchase, which an
amendment keeps when it edits a line; database ids differ in every version.
"""

from dataclasses import dataclass

from portal.plans.models import AnnualPlan, PlanLine

COMPARED_FIELDS = (
    "description",
    "object_type",
    "procedure_type_code",
    "classification_code",
    "estimated_value",
    "currency",
    "planned_month",
    "region_code",
    "quantity",
    "unit_of_measure",
    "funding_source",
    "notes",
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class LineChange:
    old: PlanLine
    new: PlanLine
    fields: tuple[FieldChange, ...]

    @property
    def reference_number(self) -> str:
        return self.new.reference_number


@dataclass(frozen=True)
class PlanDiff:
    added: tuple[PlanLine, ...]  # in the new version's order
    removed: tuple[PlanLine, ...]  # in the old version's order
    changed: tuple[LineChange, ...]  # in the new version's order

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def plan_diff(old: AnnualPlan, new: AnnualPlan) -> PlanDiff:
    """Lines added, removed and changed from `old` to `new`; unchanged lines are left out."""
    old_lines = {line.reference_number: line for line in old.lines}
    new_lines = {line.reference_number: line for line in new.lines}
    changed = []
    for reference, line in new_lines.items():
        before = old_lines.get(reference)
        if before is not None and (fields := line_changes(before, line)):
            changed.append(LineChange(before, line, fields))
    return PlanDiff(
        added=tuple(line for ref, line in new_lines.items() if ref not in old_lines),
        removed=tuple(line for ref, line in old_lines.items() if ref not in new_lines),
        changed=tuple(changed),
    )


def line_changes(old: PlanLine, new: PlanLine) -> tuple[FieldChange, ...]:
    """Fields whose values differ: Decimals compare as numbers (1000 equals 1000.00), and an
    empty text equals a missing one, since files write an empty cell either way."""
    changes = []
    for field in COMPARED_FIELDS:
        before, after = getattr(old, field), getattr(new, field)
        if _comparable(before) != _comparable(after):
            changes.append(FieldChange(field, before, after))
    return tuple(changes)


def _comparable(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    return value
