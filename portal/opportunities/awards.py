"""A process's awards as readers see them: stored one row per supplier, shown one per award.

`opportunity_awards` keeps a row per supplier, each with its award's amount, so a consortium
listed as three suppliers is three rows of one award (same source award id, amount, date and
status): `awards_of` joins them back, and pages, the API, the OCDS export and change alerts
all read awards through it, so a joint award shows its amount once, never once per member
nor summed. The change history keeps awards as compact JSON (`awards_json`).
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from notifications.formatting import money

STATUS_LABELS = {
    "pending": _l("pendiente"),
    "active": _l("vigente"),
    "cancelled": _l("cancelada"),
    "unsuccessful": _l("sin éxito"),
}


class AwardLine(NamedTuple):
    """One supplier of one award, with the attribute names of OpportunityAward."""

    supplier_name: str
    supplier_ruc: str | None = None
    supplier_identifier: str | None = None
    amount: Decimal | None = None
    currency: str = "PEN"
    awarded_at: datetime | None = None
    status: str = "active"
    source_award_id: str | None = None


@dataclass(frozen=True)
class Winner:
    name: str
    ruc: str | None = None
    identifier: str | None = None


@dataclass(frozen=True)
class Award:
    winners: tuple[Winner, ...]
    amount: Decimal | None
    currency: str
    status: str
    awarded_at: datetime | None = None
    source_award_id: str | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def joint(self) -> bool:
        """Won by several suppliers together (a consortium): one amount for all of them."""
        return len(self.winners) > 1


def awards_of(rows: Iterable) -> list[Award]:
    """Rows (OpportunityAward or AwardLine, in position order) as awards: consecutive rows with
    the same source award id, amount, currency, date and status are one joint award. Parsers
    write an award's suppliers one after another with its terms, so rows without an award id
    (a CODICE result for a contract without lots) join the same way."""
    awards: list[Award] = []
    for row in rows:
        winner = Winner(row.supplier_name, row.supplier_ruc, row.supplier_identifier)
        terms = (row.amount, row.currency, row.status, row.awarded_at, row.source_award_id)
        last = awards[-1] if awards else None
        if last is not None and terms == _terms(last):
            awards[-1] = Award((*last.winners, winner), *terms)
        else:
            awards.append(Award((winner,), *terms))
    return awards


def _terms(award: Award) -> tuple:
    return award.amount, award.currency, award.status, award.awarded_at, award.source_award_id


def award_sentence(award: Award) -> str:
    """ "Adjudicado a Constructora Andina S.A.C. (RUC 20…) por S/ 150,000.00"; a joint award
    names every member and its one amount ("Adjudicado al consorcio: A, B — S/ 150,000.00");
    then the award's status when it is not in force."""
    winners = ", ".join(
        _("%(name)s (RUC %(ruc)s)", name=winner.name, ruc=winner.ruc) if winner.ruc else winner.name
        for winner in award.winners
    )
    amount = money(award.amount, award.currency)
    if award.joint and amount is None:
        sentence = _("Adjudicado al consorcio: %(winners)s", winners=winners)
    elif award.joint:
        sentence = _(
            "Adjudicado al consorcio: %(winners)s — %(amount)s", winners=winners, amount=amount
        )
    elif amount is None:
        sentence = _("Adjudicado a %(winners)s", winners=winners)
    else:
        sentence = _("Adjudicado a %(winners)s por %(amount)s", winners=winners, amount=amount)
    return sentence if award.status == "active" else f"{sentence} ({award.status_label})"


def awards_text(value: str) -> str:
    """The change history's JSON as one sentence per award ("Adjudicado a … por S/ …"; several
    joined by ";"); a text that is not such JSON is shown as recorded."""
    try:
        lines = lines_from_json(value)
    except ValueError:
        return value
    return "; ".join(award_sentence(award) for award in awards_of(lines))


def awards_json(rows: Sequence[Mapping]) -> str | None:
    """The change history's text for a list of award rows (column names as keys); None for
    none. Only what a follower is told: supplier, RUC, amount, currency, status, award id."""
    entries = [
        {
            key: value
            for key, value in (
                ("award", row["source_award_id"]),
                ("supplier", row["supplier_name"]),
                ("ruc", row["supplier_ruc"]),
                ("amount", _amount_text(row["amount"])),
                ("currency", row["currency"]),
                ("status", row["status"]),
            )
            if value is not None
        }
        for row in rows
    ]
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")) if entries else None


def lines_from_json(text: str | None) -> list[AwardLine]:
    """awards_json's text back as lines; ValueError if it is not that text."""
    if not text:
        return []
    entries = json.loads(text)
    if not isinstance(entries, list) or not all(isinstance(item, dict) for item in entries):
        raise ValueError("not a list of awards")
    try:
        return [
            AwardLine(
                supplier_name=str(entry["supplier"]),
                supplier_ruc=entry.get("ruc"),
                amount=Decimal(entry["amount"]) if entry.get("amount") is not None else None,
                currency=entry.get("currency", "PEN"),
                status=entry.get("status", "active"),
                source_award_id=entry.get("award"),
            )
            for entry in entries
        ]
    except (KeyError, InvalidOperation) as error:
        raise ValueError(f"not a list of awards: {error!r}") from error


def _amount_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")
