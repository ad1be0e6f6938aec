"""What a visitor types into the filters: Peruvian amounts, and errors named as labelled."""

from decimal import Decimal

import pytest

from portal.search.params import InvalidSearchParams, parse_search_args


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("50000", Decimal("50000")),
        ("50,000", Decimal("50000")),  # Peru groups thousands with commas
        ("50.000", Decimal("50000")),  # as Spain does, and as pages used to show amounts
        ("S/ 1,500.50", Decimal("1500.50")),
        ("1.500,50", Decimal("1500.50")),
        ("1500.5", Decimal("1500.5")),
    ],
)
def test_amounts_are_read_in_either_convention(typed, amount):
    assert parse_search_args({"value_min": typed}).value_min == amount


@pytest.mark.parametrize("typed", ["1e30", "12abc34", "-5", "S/", "cincuenta mil"])
def test_anything_but_an_amount_is_refused(typed):
    with pytest.raises(InvalidSearchParams) as refused:
        parse_search_args({"value_max": typed})
    assert refused.value.field == "value_max"


def test_an_error_names_the_field_as_the_form_labels_it(client):
    response = client.get("/buscar?value_min=abc")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "«Valor desde (S/)» debe ser un monto" in page
    assert "value_min" not in page.split('role="alert"')[1].split("</p>")[0]


def test_a_reversed_range_names_both_fields_in_words(client):
    page = client.get("/buscar?value_min=90,000&value_max=5,000").get_data(as_text=True)

    assert "«Valor hasta (S/)» debe ser mayor o igual que «Valor desde (S/)»" in page
