"""How pages, alerts and exports word a call's minimum and the flag, in the reader's language.

Build inside a request or `force_locale`; the words are gettext's, the numbers the stored
columns (portal.deadlines.assess), never recomputed here.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.deadlines.checks import ENOUGH, SHORT
from portal.deadlines.rules import ADMIN, BUSINESS, CALENDAR, LEGAL
from portal.opportunities.models import Opportunity

BASIS_LABELS = {
    LEGAL: _l("Plazo legal mínimo"),
    ADMIN: _l("Plazo mínimo del portal (procedimiento sin plazo legal)"),
}
ADVICE = {
    LEGAL: _l(
        "Esta convocatoria da menos días que el mínimo que exige la ley para preparar una oferta."
    ),
    ADMIN: _l(
        "Esta convocatoria da menos días que el mínimo que el portal considera necesario "
        "para preparar una oferta."
    ),
}
# The search filter's and facet's options (portal.deadlines.checks).
DEADLINE_CHECK_LABELS = {
    SHORT: _l("Plazo corto (menor al mínimo)"),
    ENOUGH: _l("Plazo igual o mayor al mínimo"),
}
DAY_KIND_LABELS = {BUSINESS: _l("días hábiles"), CALENDAR: _l("días calendario")}


@dataclass(frozen=True)
class DeadlineSummary:
    label: str  # "Plazo legal mínimo"
    value: str  # "8 días hábiles; esta convocatoria da 5"
    short: bool
    badge: str  # for lists: "Plazo corto: 5 de 8 días hábiles" ("" when not short)
    advice: str  # why the flag matters ("" when not short)

    @property
    def sentence(self) -> str:
        return f"{self.label}: {self.value}."


def days_text(days: int, day_kind: str) -> str:
    if day_kind == CALENDAR:
        return ngettext("%(num)d día calendario", "%(num)d días calendario", days)
    return ngettext("%(num)d día hábil", "%(num)d días hábiles", days)


def deadline_summary(opportunity: Opportunity) -> DeadlineSummary | None:
    """None when no minimum applies (direct contracting, or no legal minimum and no floor)."""
    minimum, kind = opportunity.minimum_days, opportunity.minimum_day_kind
    if minimum is None or kind is None:
        return None
    basis = opportunity.minimum_basis if opportunity.minimum_basis in BASIS_LABELS else LEGAL
    given = opportunity.given_days
    value = days_text(minimum, kind)
    if given is not None:
        value = _("%(minimum)s; esta convocatoria da %(given)d", minimum=value, given=given)
    short = bool(opportunity.short_deadline)
    return DeadlineSummary(
        label=str(BASIS_LABELS[basis]),
        value=value,
        short=short,
        badge=_(
            "Plazo corto: %(given)d de %(minimum)d %(kind)s",
            given=given,
            minimum=minimum,
            kind=DAY_KIND_LABELS.get(kind, kind),
        )
        if short and given is not None
        else "",
        advice=str(ADVICE[basis]) if short else "",
    )


def short_deadline_label(value: bool) -> str:
    """The flag in a spreadsheet cell."""
    return _("Sí") if value else _("No")
