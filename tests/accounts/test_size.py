from decimal import Decimal

import pytest

from portal.accounts.size import size_class_for_sales, uit_for_year


@pytest.mark.parametrize(
    ("sales", "expected"),
    [
        (Decimal("0"), "micro"),
        (Decimal("825000"), "micro"),  # exactly 150 UIT of 5,500 in 2026
        (Decimal("825000.01"), "small"),
        (Decimal("9350000"), "small"),  # 1,700 UIT
        (Decimal("9350001"), "medium"),
        (Decimal("12650000"), "medium"),  # 2,300 UIT
        (Decimal("12650001"), None),  # large: no MYPE class
    ],
)
def test_size_class_follows_sales_in_uit_of_the_year(session, sales, expected):
    assert size_class_for_sales(session, sales, 2026) == expected


def test_the_same_sales_fall_in_a_smaller_class_when_the_uit_rises(session):
    sales = Decimal("790000")  # 153.4 UIT in 2024 (5,150), 147.7 UIT in 2025 (5,350)
    assert size_class_for_sales(session, sales, 2024) == "small"
    assert size_class_for_sales(session, sales, 2025) == "micro"


def test_a_year_without_uit_uses_the_latest_known(session):
    assert uit_for_year(session, 2031) == Decimal("5500")
    with pytest.raises(LookupError):
        uit_for_year(session, 1990)
