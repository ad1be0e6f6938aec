"""The Spanish (or English) name of a UNSPSC or CUBSO code, from the sectors table.

The portal ships the 55 UNSPSC segments; families come only where an operator loaded the full
taxonomy (`load_unspsc_families`). A code is named by the deepest level the table knows, so the
same page says "Prendas de vestir" with families loaded and "Ropa, maletas…" without them.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.reference.models import Sector

NAMED_SCHEMES = ("UNSPSC", "CUBSO")  # CUBSO codes begin with their UNSPSC commodity


def _levels(code: str) -> tuple[str, str] | None:
    """The family and segment codes above an 8- or 16-digit code, deepest first."""
    if len(code) < 4 or not (code.isascii() and code.isdigit()):
        return None
    return code[:4] + "0000", code[:2] + "000000"


def deepest_sector_names(
    session: Session, codes: Iterable[tuple[str, str]], english: bool = False
) -> dict[tuple[str, str], str]:
    """(scheme, code) -> the name of its family, else of its segment; codes of other schemes,
    and codes whose segment the table lacks, are left out."""
    wanted = {
        (scheme, code): levels
        for scheme, code in codes
        if scheme in NAMED_SCHEMES and (levels := _levels(code))
    }
    sector_codes = {level for levels in wanted.values() for level in levels}
    if not sector_codes:
        return {}
    name = Sector.name_en if english else Sector.name_es
    rows = session.execute(select(Sector.code, name).where(Sector.code.in_(sector_codes)))
    known = {code: found for code, found in rows}
    names = {}
    for key, (family, segment) in wanted.items():
        found = known.get(family) or known.get(segment)
        if found:
            names[key] = found
    return names
