"""The fiscal-year and region filters shared by the plan browser and the plans API."""

from portal.search.params import InvalidSearchParams


def parse_year(text: str | None) -> int | None:
    """Only ASCII digits in a plausible range: larger numbers overflow the database integer."""
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit()) or not 1990 <= int(text) <= 2100:
        raise InvalidSearchParams("year", "debe ser un año entre 1990 y 2100")
    return int(text)


def parse_region(text: str | None) -> str | None:
    """A UBIGEO department code (two ASCII digits), as the search's region filter takes.

    Anything else is refused here: a NUL byte would otherwise reach PostgreSQL, which fails.
    """
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit() and len(text) == 2):
        raise InvalidSearchParams("region", "debe ser un código de departamento de dos dígitos")
    return text
