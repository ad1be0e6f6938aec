"""Country names as publishers write them ("Reino Unido", " United Kingdom", "GBR") to ISO codes.

The names come from the CLDR territory tables that Babel ships (a Flask-Babel dependency), in
the languages of the publishers the portal reads, so no hand-written list falls behind.
"""

from functools import cache

from babel.core import Locale, get_global

from scrapers.text import fold

# Languages whose country names are recognised: Spanish and English first (on a clash the first
# wins), then those of other open-contracting publishers.
LANGUAGES = ("es", "en", "pt", "fr", "de", "it", "nl", "ca", "uk", "ru")
# CLDR territories that are groupings or placeholders, not countries.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


def country_code(text: str | None) -> str | None:
    """The ISO 3166 alpha-2 code for a country's name in any listed language, or an alpha-2 or
    alpha-3 code; None when the text names no country."""
    folded = fold(text).strip(" .")
    if folded.upper() in _alpha2():
        return folded.upper()
    return _by_name().get(folded)


@cache
def _alpha2() -> frozenset[str]:
    territories = Locale("en").territories
    return frozenset(
        code
        for code in territories
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


@cache
def _by_name() -> dict[str, str]:
    """Folded name, alpha-3 code or old code ("uk") -> alpha-2 code, built once per process."""
    countries = _alpha2()
    names: dict[str, str] = {}
    for alias, targets in get_global("territory_aliases").items():
        if alias.isalpha() and len(targets) == 1 and targets[0] in countries:
            names[alias.lower()] = targets[0]
    for language in LANGUAGES:
        for code, name in Locale(language).territories.items():
            if code in countries:
                names.setdefault(fold(name), code)
    return names
