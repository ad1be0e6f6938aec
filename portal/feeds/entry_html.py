"""An entry's summary as HTML, the way feed readers render it.

Readers treat an RSS `<description>` (and an Atom summary of type html) as HTML: plain text
with a newline between buyer and description runs together, and `<sobres>` in a description
vanishes as an unknown tag. So every fact gets its own escaped paragraph, and a description's
own line breaks become `<br>`.
"""

from flask_babel import gettext as _
from markupsafe import Markup, escape

from notifications.formatting import lima_datetime, money, planned_month
from portal.excerpts import excerpt
from portal.feeds.text import xml_safe
from portal.labels import status_label
from portal.opportunities.models import Opportunity, OpportunityStatus
from portal.plans.models import PlanLine

SUMMARY_CHARS = 500  # of a description per entry: a feed is a list, the notice's page has it all


def _paragraph(text: str) -> Markup:
    lines = [escape(line.strip()) for line in xml_safe(text).splitlines() if line.strip()]
    return Markup("<p>{}</p>").format(Markup("<br>").join(lines))


def _html(paragraphs: list[str | None]) -> str:
    return str(Markup("").join(_paragraph(text) for text in paragraphs if text and text.strip()))


def opportunity_summary(opportunity: Opportunity) -> str:
    """Buyer, status when not open, deadline in Lima time, value, then the description."""
    buyer = opportunity.buyer
    value = money(opportunity.estimated_value, opportunity.currency)
    status = OpportunityStatus(opportunity.status)
    return _html(
        [
            _("Entidad: %(buyer)s", buyer=buyer.name) if buyer else None,
            _("Estado: %(status)s", status=status_label(status))
            if status != OpportunityStatus.OPEN
            else None,
            _("Plazo para ofertas: %(deadline)s (hora de Lima)", deadline=lima_datetime(deadline))
            if (deadline := opportunity.deadline_at)
            else None,
            _("Valor estimado: %(value)s", value=value) if value else None,
            excerpt(opportunity.description, SUMMARY_CHARS),
        ]
    )


def plan_line_summary(line: PlanLine) -> str:
    """Buyer, the month the call is expected in, value, then the line's description."""
    value = money(line.estimated_value, line.currency)
    month = planned_month(line.planned_month, line.plan.fiscal_year)
    return _html(
        [
            _("Entidad: %(buyer)s", buyer=line.plan.buyer.name),
            _("Pronóstico (plan anual): convocatoria prevista para %(month)s", month=month),
            _("Valor estimado: %(value)s", value=value) if value else None,
            excerpt(line.description, SUMMARY_CHARS),
        ]
    )
