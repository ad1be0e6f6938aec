"""Numbered pages of a long list (users, the audit log, plan lines, compliance rows), and the
one navigation every such page shows (`templates/_pagination.html`)."""

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

PER_PAGE = 50

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    items: list[Row]
    total: int
    number: int
    per_page: int = PER_PAGE

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def paginate(
    session: Session, query: Select, number: int, per_page: int = PER_PAGE, clamp: bool = False
) -> Page:
    """Page `number` of the query's rows; with `clamp`, a number past the end gives the last
    page (a shared link to page 9 of a list that shrank still shows something)."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if clamp:
        number = min(max(number, 1), max(1, -(-total // per_page)))
    items = session.scalars(query.limit(per_page).offset((number - 1) * per_page)).unique()
    return Page(list(items), total, number, per_page)
