"""Keyset pagination: a signed cursor holds the last row's sort key and id, so pages never skip
or repeat rows when new notices arrive between requests."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import BigInteger, Select, and_, case, cast, extract, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.opportunities.filters import NO_PUBLICATION
from portal.opportunities.models import Opportunity

CLOSING_SHIFT_SECONDS = 10**12  # far beyond any timestamp, so the deadline tiers never mix
NO_VALUE_ASC = Decimal(-(10**17))  # below any negated amount (18 digits, 2 decimals)


class InvalidCursor(ValueError):
    """The cursor was not made by this server for this sort order."""


@dataclass(frozen=True)
class SortOrder:
    """A column expression, its direction and how its values travel inside a cursor."""

    key: object
    descending: bool
    decode: type


class EpochSeconds(FunctionElement):
    """Whole seconds since 1970 of a naive-UTC timestamp column, in SQLite and PostgreSQL."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(EpochSeconds, "sqlite")
def _epoch_seconds_sqlite(element, compiler, **kw) -> str:
    (column,) = element.clauses
    return compiler.process(cast(func.strftime("%s", column), BigInteger), **kw)


@compiles(EpochSeconds, "postgresql")
def _epoch_seconds_postgresql(element, compiler, **kw) -> str:
    (column,) = element.clauses
    return compiler.process(cast(func.floor(extract("epoch", column)), BigInteger), **kw)


def closing_key(now: datetime):
    """The search index's closing order in SQL (portal.search.query._closing_key), bigger
    first: deadlines still ahead, soonest first; then those passed, latest first; then none.

    A plain ascending deadline put every notice that closed years ago before the open ones
    once `status=all`. Each tier is a fixed shift of the deadline in whole seconds (ties go
    by id), so a cursor's key stays comparable between pages.
    """
    seconds = EpochSeconds(Opportunity.deadline_at)
    return case(
        (Opportunity.deadline_at.is_(None), -2 * CLOSING_SHIFT_SECONDS),
        (Opportunity.deadline_at >= now, CLOSING_SHIFT_SECONDS - seconds),
        else_=seconds - CLOSING_SHIFT_SECONDS,
    )


def sort_order(sort: str, now: datetime) -> SortOrder:
    """`relevance` has no stable SQL key: the API lists newest first instead."""
    if sort == "closing":
        return SortOrder(closing_key(now), True, int)
    if sort == "value":
        return SortOrder(func.coalesce(Opportunity.estimated_value, -1), True, Decimal)
    if sort == "value_asc":  # the negated amount, largest first: unknown values still last
        return SortOrder(func.coalesce(-Opportunity.estimated_value, NO_VALUE_ASC), True, Decimal)
    return SortOrder(func.coalesce(Opportunity.published_at, NO_PUBLICATION), True, datetime)


def ordered(query: Select, order: SortOrder, id_column=Opportunity.id) -> Select:
    if order.descending:
        return query.order_by(order.key.desc(), id_column.desc())
    return query.order_by(order.key.asc(), id_column.asc())


def after(query: Select, order: SortOrder, key, last_id: int, id_column=Opportunity.id) -> Select:
    """Rows strictly after (key, id) in the order's direction."""
    if order.descending:
        beyond = or_(order.key < key, and_(order.key == key, id_column < last_id))
    else:
        beyond = or_(order.key > key, and_(order.key == key, id_column > last_id))
    return query.where(beyond)


def encode_cursor(secret: str, sort: str, key, last_id: int) -> str:
    text = key.isoformat() if isinstance(key, datetime) else str(key)
    return URLSafeSerializer(secret, salt="api-cursor").dumps([sort, text, last_id])


def decode_cursor(secret: str, cursor: str, sort: str, decode: type) -> tuple[object, int]:
    try:
        cursor_sort, text, last_id = URLSafeSerializer(secret, salt="api-cursor").loads(cursor)
        key = datetime.fromisoformat(text) if decode is datetime else decode(text)
    except (BadSignature, ValueError, TypeError, ArithmeticError) as error:
        raise InvalidCursor("cursor inválido") from error
    if cursor_sort != sort or not isinstance(last_id, int):
        raise InvalidCursor("el cursor pertenece a otro orden")
    return key, last_id
