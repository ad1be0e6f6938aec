"""The list of buyers at /entidades/: every entity, found by name, acronym or RUC whatever the
accents, with how many calls it has open.

Names are folded in SQL (PostgreSQL's `translate`; on SQLite `portal_fold`, the Python `fold`
each connection registers), so a search for "ancash" finds "Áncash" without a stored copy of
the name.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from portal.buyers.models import Buyer
from portal.opportunities.models import Opportunity
from portal.opportunities.queries import open_at
from portal.pagination import Page
from scrapers.text import fold

PER_PAGE = 30
MAX_WORDS = 8  # a longer text adds nothing a name can match, only work for the database
# Accented letters of the languages buyers write in (Spanish, Portuguese, Catalan, French),
# both cases, each with the letter `fold` turns it into: PostgreSQL's folding.
ACCENTED = "áàâäãåéèêëíìîïóòôöõúùûüñçýÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇÝ"
PLAIN = "aaaaaaeeeeiiiiooooouuuuncyaaaaaaeeeeiiiiooooouuuuncy"


@dataclass(frozen=True)
class DirectoryEntry:
    buyer: Buyer
    open_calls: int


def folded(session: Session, column) -> ColumnElement:
    """The column in lower case without accents, as `scrapers.text.fold` writes the query."""
    if session.get_bind().dialect.name == "postgresql":
        return func.lower(func.translate(column, ACCENTED, PLAIN))
    return func.portal_fold(column)


def _matches(session: Session, text: str) -> ColumnElement | None:
    """Every word of the text in the name, the acronym, the RUC or the foreign identifier."""
    words = fold(text).split()[:MAX_WORDS]
    if not words:
        return None
    name, acronym = folded(session, Buyer.name), folded(session, Buyer.acronym)
    return and_(
        *(
            or_(
                name.contains(word, autoescape=True),
                acronym.contains(word, autoescape=True),
                Buyer.ruc.contains(word, autoescape=True),
                func.lower(Buyer.identifier).contains(word, autoescape=True),
            )
            for word in words
        )
    )


def buyer_directory(
    session: Session, text: str, number: int, now: datetime, only_open: bool = False
) -> Page[DirectoryEntry]:
    """Page `number` (past the end: the last) of the buyers matching `text`, in the order of
    their names as a Spanish reader sorts them, each with its calls open at `now`."""
    open_calls = (
        select(Opportunity.buyer_id, func.count().label("calls"))
        .where(open_at(now), Opportunity.buyer_id.is_not(None))
        .group_by(Opportunity.buyer_id)
        .subquery()
    )
    calls = func.coalesce(open_calls.c.calls, 0)
    query = select(Buyer, calls).outerjoin(open_calls, open_calls.c.buyer_id == Buyer.id)
    condition = _matches(session, text)
    if condition is not None:
        query = query.where(condition)
    if only_open:
        query = query.where(open_calls.c.calls > 0)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    number = min(max(number, 1), max(1, -(-total // PER_PAGE)))
    rows = session.execute(
        query.options(joinedload(Buyer.region))
        .order_by(folded(session, Buyer.name), Buyer.id)
        .limit(PER_PAGE)
        .offset((number - 1) * PER_PAGE)
    )
    entries = [DirectoryEntry(buyer, count) for buyer, count in rows]
    return Page(entries, total, number, PER_PAGE)
