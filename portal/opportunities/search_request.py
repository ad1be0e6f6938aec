"""Search parameters from a request, shared by the page, the feeds and the API."""

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from portal.feeds.text import INVALID_CHARACTERS
from portal.search.params import InvalidSearchParams, SearchParams, parse_search_args

MAX_ID = 2**31 - 1  # ids are 32-bit integers; larger ones overflow SQLite's binding


def refuse_control_characters(args: Mapping) -> None:
    """NUL cannot reach PostgreSQL and no control character can go into an XML feed (the query
    becomes the feed's title): refusing them names the parameter instead of failing later."""
    pairs = args.items(multi=True) if hasattr(args, "getlist") else args.items()
    for key, value in pairs:
        if INVALID_CHARACTERS.search(key) or INVALID_CHARACTERS.search(str(value)):
            field = INVALID_CHARACTERS.sub("", key)
            raise InvalidSearchParams(field, _l("contiene un carácter no permitido"))


def search_params_from(args: Mapping) -> SearchParams:
    """parse_search_args, after refusing control characters."""
    refuse_control_characters(args)
    try:
        params = parse_search_args(args)
    except InvalidSearchParams:
        raise
    except ValueError as error:  # int("²"): str.isdigit accepts digits that int() refuses
        message = _l("contiene un número que no podemos leer")
        raise InvalidSearchParams("query", message, label=_l("Búsqueda")) from error
    if any(buyer_id > MAX_ID for buyer_id in params.buyer_ids):
        raise InvalidSearchParams("buyer", _l("no es una entidad que conozcamos"))
    return params
