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


def parse_version(field: str, text: str | None) -> int | None:
    """A plan version number as typed in a URL: positive ASCII digits, within the integer."""
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 2147483647:
        raise InvalidSearchParams(field, "debe ser un número de versión (1, 2, 3...)")
    return int(text)


EXPORT_FORMATS = ("csv", "xlsx")


def parse_export_format(text: str | None) -> str:
    """CSV unless XLSX is asked for by name; anything else is refused, not guessed."""
    if text is None or text == "":
        return "csv"
    if text not in EXPORT_FORMATS:
        raise InvalidSearchParams("formato", "debe ser csv o xlsx")
    return text


def parse_page(text: str | None) -> int:
    """A page number as typed in a URL; absent means the first."""
    if text is None or text == "":
        return 1
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 1_000_000:
        raise InvalidSearchParams("pagina", "debe ser un número de página (1, 2, 3...)")
    return int(text)
