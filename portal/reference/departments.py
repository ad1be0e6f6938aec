"""Peru's departments in the order a Spanish reader looks for them.

Ordering by the name column sorts by code points, which puts "Áncash" after "Ucayali"; the
25 rows are sorted here instead, by the name without accents (Amazonas, Áncash, Apurímac...).
"""

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.reference.models import Department


def spanish_sort_key(name: str) -> str:
    """ "Áncash" -> "ancash": accents only break ties, as in a Spanish dictionary."""
    decomposed = unicodedata.normalize("NFD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def departments_in_order(session: Session) -> list[Department]:
    departments = session.scalars(select(Department)).all()
    return sorted(departments, key=lambda department: spanish_sort_key(department.name))
