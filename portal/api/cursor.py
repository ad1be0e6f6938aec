"""Keyset pagination: a signed cursor holds the last row's sort key and id, so pages never skip
or repeat rows when new notices arrive between requests."""

from itsdangerous import BadSignature, URLSafeSerializer


class InvalidCursor(ValueError):
    """The cursor was not made by this server for this sort order."""


def encode_cursor(secret: str, sort: str, key, last_id: int) -> str:
    return URLSafeSerializer(secret, salt="api-cursor").dumps([sort, str(key), last_id])


def decode_cursor(secret: str, cursor: str, sort: str, decode: type) -> tuple[object, int]:
    try:
        cursor_sort, text, last_id = URLSafeSerializer(secret, salt="api-cursor").loads(cursor)
        key = decode(text)
    except (BadSignature, ValueError, TypeError, ArithmeticError) as error:
        raise InvalidCursor("cursor inválido") from error
    if cursor_sort != sort or not isinstance(last_id, int):
        raise InvalidCursor("el cursor pertenece a otro orden")
    return key, last_id
