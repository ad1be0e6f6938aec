"""Search parameters from a request, shared by the page, the feeds and the API."""

from collections.abc import Mapping

from portal.search.params import InvalidSearchParams, SearchParams, parse_search_args

MAX_ID = 2**31 - 1  # ids are 32-bit integers; larger ones overflow SQLite's binding


def search_params_from(args: Mapping) -> SearchParams:
    """parse_search_args, after refusing NUL characters, which PostgreSQL cannot compare."""
    for key, value in args.items(multi=True) if hasattr(args, "getlist") else args.items():
        if "\x00" in key or "\x00" in str(value):
            raise InvalidSearchParams(key.replace("\x00", ""), "contiene un carácter no permitido")
    try:
        params = parse_search_args(args)
    except InvalidSearchParams:
        raise
    except ValueError as error:  # int("²"): str.isdigit accepts digits that int() refuses
        raise InvalidSearchParams("query", "contiene un número inválido") from error
    if any(buyer_id > MAX_ID for buyer_id in params.buyer_ids):
        raise InvalidSearchParams("buyer", "identificador demasiado grande")
    return params
