"""parse_search_args: query strings in, validated SearchParams out, canonical links back."""

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from portal.search.params import (
    MAX_QUERY_LENGTH,
    InvalidSearchParams,
    SearchParams,
    parse_search_args,
)


def test_empty_query_string_gives_the_defaults():
    assert parse_search_args({}) == SearchParams()


def test_repeatable_parameters_are_collected_from_a_multidict():
    args = MultiDict(
        [
            ("q", " uniformes "),
            ("region", "15"),
            ("region", "04"),
            ("sector", "53000000"),
            ("buyer", "7"),
            ("status", "open"),
            ("status", "closed"),
            ("kind", "plan_line"),
            ("value_min", "1000.50"),
            ("size", "micro"),
            ("sort", "closing"),
            ("page", "3"),
        ]
    )
    params = parse_search_args(args)
    assert params.q == "uniformes"
    assert params.regions == ("04", "15")
    assert params.sectors == ("53000000",)
    assert params.buyer_ids == (7,)
    assert params.statuses == ("closed", "open")
    assert params.kinds == ("plan_line",)
    assert params.value_min == Decimal("1000.50")
    assert (params.size_class, params.sort, params.page) == ("micro", "closing", 3)


def test_status_all_means_any_status():
    assert parse_search_args({"status": "all"}).statuses == ()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"value_min": "mil"}, "value_min"),
        ({"value_max": "-5"}, "value_max"),
        ({"value_min": "10", "value_max": "5"}, "value_max"),
        ({"page": "0"}, "page"),
        ({"page": "dos"}, "page"),
        ({"per_page": "101"}, "per_page"),
        ({"sort": "random"}, "sort"),
        ({"status": "pending"}, "status"),
        ({"kind": "tender"}, "kind"),
        ({"size": "large"}, "size"),
        ({"buyer": "x1"}, "buyer"),
        ({"sector": "53"}, "sector"),
        ({"region": "15;drop"}, "region"),
        ({"published_within": "-1"}, "published_within"),
        ({"closing_within": "-1"}, "closing_within"),  # 0 is today (test_closing_today.py)
        ({"q": ["a", "b"]}, "q"),
        ({"region": "\u0661\u0665"}, "region"),  # Arabic-Indic "15": digits, not ASCII
        ({"page": "\u0662"}, "page"),
        ({"buyer": "0"}, "buyer"),
        ({"procedure": "ÑA"}, "procedure"),
    ],
)
def test_bad_input_is_rejected_naming_the_parameter(args, field):
    with pytest.raises(InvalidSearchParams) as error:
        parse_search_args(args)
    assert error.value.field == field
    assert isinstance(error.value, ValueError)


def test_query_args_are_canonical_and_round_trip():
    first = parse_search_args(MultiDict([("region", "15"), ("region", "04"), ("q", "agua")]))
    second = parse_search_args(MultiDict([("q", "agua"), ("region", "04"), ("region", "15")]))
    assert (
        first.to_query_args()
        == second.to_query_args()
        == [("q", "agua"), ("region", "04"), ("region", "15")]
    )
    args = MultiDict(first.to_query_args())
    assert parse_search_args(args) == first


def test_query_args_keep_any_status_and_non_default_paging():
    params = SearchParams(statuses=(), page=2, per_page=50, value_max=Decimal("900"))
    assert params.to_query_args() == [
        ("status", "all"),
        ("value_max", "900"),
        ("page", "2"),
        ("per_page", "50"),
    ]
    assert parse_search_args(MultiDict(params.to_query_args())) == params


def test_query_longer_than_the_limit_is_refused_even_when_padded_with_blanks():
    with pytest.raises(InvalidSearchParams) as refused:
        parse_search_args({"q": "uniformes" + "\t" * MAX_QUERY_LENGTH})
    assert refused.value.field == "q"
    assert parse_search_args({"q": "  uniformes  "}).q == "uniformes"
