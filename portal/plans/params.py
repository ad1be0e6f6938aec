"""The fiscal-year and region filters shared by the plan browser and the plans API."""

from flask_babel import lazy_gettext as _l

from portal.search.params import InvalidSearchParams


def parse_year(text: str | None) -> int | None:
    """Only ASCII digits in a plausible range: larger numbers overflow the database integer."""
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit()) or not 1990 <= int(text) <= 2100:
        raise InvalidSearchParams("year", _l("debe ser un año entre 1990 y 2100"), _l("Año"))
    return int(text)


def parse_region(text: str | None) -> str | None:
    """A UBIGEO department code (two ASCII digits), as the search's region filter takes.

    Anything else is refused here: a NUL byte would otherwise reach PostgreSQL, which fails.
    """
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit() and len(text) == 2):
        message = _l("debe ser un código de departamento de dos dígitos")
        raise InvalidSearchParams("region", message)
    return text


def parse_version(field: str, text: str | None) -> int | None:
    """A plan version number as typed in a URL: positive ASCII digits, within the integer."""
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 2147483647:
        message = _l("debe ser un número de versión (1, 2, 3...)")
        raise InvalidSearchParams(field, message, _l("Versión"))
    return int(text)


EXPORT_FORMATS = ("csv", "xlsx")


def parse_export_format(text: str | None) -> str:
    """CSV unless XLSX is asked for by name; anything else is refused, not guessed."""
    if text is None or text == "":
        return "csv"
    if text not in EXPORT_FORMATS:
        raise InvalidSearchParams("formato", _l("debe ser csv o xlsx"), _l("Formato"))
    return text


def parse_page(text: str | None) -> int:
    """A page number as typed in a URL; absent means the first."""
    if text is None or text == "":
        return 1
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 1_000_000:
        message = _l("debe ser un número de página (1, 2, 3...)")
        raise InvalidSearchParams("pagina", message, _l("Página"))
    return int(text)
