"""Peru's taxpayer number (RUC): 11 digits, the last a modulo-11 check digit."""

RUC_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# shared/reference/peru.md, "Identifiers and codes": 10 persons with business, 15 and 17 other
# persons, 20 legal entities. No other prefix is listed there, so none is accepted.
VALID_PREFIXES = ("10", "15", "17", "20")


def ruc_check_digit(first_ten: str) -> int:
    """SUNAT's rule: weighted sum mod 11, check = 11 - remainder, with 10 -> 0 and 11 -> 1."""
    total = sum(int(digit) * weight for digit, weight in zip(first_ten, RUC_WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid_ruc(ruc: str) -> bool:
    return (
        len(ruc) == 11
        and ruc.isascii()
        and ruc.isdigit()
        and ruc.startswith(VALID_PREFIXES)
        and ruc_check_digit(ruc[:10]) == int(ruc[10])
    )
