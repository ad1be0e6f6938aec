"""plan_diff: what an amendment added, removed and changed, line by line by reference number."""

from decimal import Decimal

import pytest
from plan_factories import plan_line

from portal.opportunities.models import ObjectType
from portal.plans.diff import COMPARED_FIELDS, FieldChange, plan_diff
from portal.plans.models import AnnualPlan


def version(*lines) -> AnnualPlan:
    return AnnualPlan(buyer_id=1, fiscal_year=2026, version=1, lines=list(lines))


def test_added_and_removed_lines_are_keyed_by_reference_number():
    old = version(plan_line("1"), plan_line("2"))
    new = version(plan_line("2"), plan_line("3"), plan_line("4"))

    diff = plan_diff(old, new)

    assert [line.reference_number for line in diff.added] == ["3", "4"]
    assert [line.reference_number for line in diff.removed] == ["1"]
    assert diff.changed == ()


def test_unchanged_lines_are_not_listed():
    diff = plan_diff(version(plan_line("1"), plan_line("2")), version(plan_line("1")))

    assert diff.changed == () and diff.added == ()
    assert plan_diff(version(plan_line("1")), version(plan_line("1"))).is_empty


@pytest.mark.parametrize(
    ("field", "old_value", "new_value"),
    [
        ("description", "Papel bond A4", "Papel bond A3"),
        ("object_type", ObjectType.GOODS, ObjectType.SERVICES),
        ("procedure_type_code", "AS", "LP"),
        ("classification_code", "1411150700000001", "1411150700000002"),
        ("estimated_value", Decimal("1000.00"), Decimal("1500.50")),
        ("estimated_value", Decimal("1000.00"), None),
        ("currency", "PEN", "USD"),
        ("planned_month", 3, 7),
        ("region_code", "15", "08"),
        ("quantity", Decimal("10"), Decimal("12.5")),
        ("unit_of_measure", "Millar", "Caja"),
        ("funding_source", "Recursos Ordinarios", "Donaciones y Transferencias"),
        ("notes", None, "Compra corporativa"),
    ],
)
def test_each_changed_field_is_listed_with_its_old_and_new_value(field, old_value, new_value):
    old = version(plan_line("7", **{field: old_value}), plan_line("8"))
    new = version(plan_line("7", **{field: new_value}), plan_line("8"))

    diff = plan_diff(old, new)

    assert len(diff.changed) == 1 and not diff.added and not diff.removed
    assert diff.changed[0].reference_number == "7"
    assert diff.changed[0].fields == (FieldChange(field, old_value, new_value),)


def test_every_field_of_a_line_is_compared():
    assert len(COMPARED_FIELDS) == 12


def test_several_changed_fields_of_one_line_are_listed_together():
    old = version(plan_line("1", planned_month=3, estimated_value=Decimal("1000")))
    new = version(plan_line("1", planned_month=5, estimated_value=Decimal("2000")))

    (change,) = plan_diff(old, new).changed

    assert [field.field for field in change.fields] == ["estimated_value", "planned_month"]


def test_decimals_compare_as_values_and_empty_text_as_missing():
    old = version(plan_line("1", estimated_value=Decimal("1000"), quantity=Decimal("2"), notes=""))
    new = version(
        plan_line("1", estimated_value=Decimal("1000.00"), quantity=Decimal("2.000"), notes=None)
    )

    assert plan_diff(old, new).is_empty
