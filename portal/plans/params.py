"""The fiscal-year filter shared by the plan browser and the plans API."""

from portal.search.params import InvalidSearchParams


def parse_year(text: str | None) -> int | None:
    """Only ASCII digits in a plausible range: larger numbers overflow the database integer."""
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit()) or not 1990 <= int(text) <= 2100:
        raise InvalidSearchParams("year", "debe ser un año entre 1990 y 2100")
    return int(text)
