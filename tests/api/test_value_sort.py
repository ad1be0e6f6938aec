"""Sorting by value both ways, on the page and in the API with and without words."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

AMOUNTS = (Decimal("500.00"), None, Decimal("90000.00"), Decimal("12000.50"))


@pytest.fixture
def priced(make_opportunity):
    return [
        make_opportunity(title=f"Compra de cemento lote {index}", estimated_value=amount)
        for index, amount in enumerate(AMOUNTS)
    ]


def _titles(page: str) -> list[str]:
    return re.findall(r"Compra de (?:<mark>)?cemento(?:</mark>)? lote (\d)", page)


@pytest.mark.parametrize("query", ["", "q=cemento&"])
def test_the_api_sorts_by_value_both_ways_unknown_values_last(client, priced, query):
    down = client.get(f"/api/v1/opportunities?{query}sort=value").json["data"]
    up = client.get(f"/api/v1/opportunities?{query}sort=value_asc").json["data"]

    by_id = {opportunity.id: opportunity.estimated_value for opportunity in priced}
    assert [by_id[item["id"]] for item in down] == [
        Decimal("90000.00"),
        Decimal("12000.50"),
        Decimal("500.00"),
        None,
    ]
    assert [by_id[item["id"]] for item in up] == [
        Decimal("500.00"),
        Decimal("12000.50"),
        Decimal("90000.00"),
        None,
    ]


def test_the_api_pages_the_ascending_order_with_its_cursor(client, priced):
    first = client.get("/api/v1/opportunities?sort=value_asc&per_page=2").json
    following = urlsplit(first["next"])
    second = client.get(f"{following.path}?{following.query}").json

    by_id = {opportunity.id: opportunity.estimated_value for opportunity in priced}
    values = [by_id[item["id"]] for item in first["data"] + second["data"]]
    assert values == [Decimal("500.00"), Decimal("12000.50"), Decimal("90000.00"), None]


def test_the_search_page_offers_and_applies_both_value_orders(client, priced):
    page = client.get("/buscar?q=cemento&sort=value_asc").get_data(as_text=True)

    assert '<option value="value_asc" selected>Valor: de menor a mayor</option>' in page
    assert _titles(page) == ["0", "3", "2", "1"]
    down = client.get("/buscar?q=cemento&sort=value").get_data(as_text=True)
    assert _titles(down) == ["2", "3", "0", "1"]
