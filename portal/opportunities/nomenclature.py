"""The process's SEACE nomenclature ("AS-SM-219-2026-MVES-1"), the code buyers and bidders
quote, wherever the source put it.

No column holds it: a SEACE listing or export gives it as the row's reference (`source_ref`),
an OCDS release in `procurementMethodDetails` (`procedure_text`) or, as OECE does, as the
tender's title. It is recognised by its shape: type [modality]-number-year[-entity-call].
"""

import re

from portal.opportunities.models import Opportunity

NOMENCLATURE = re.compile(r"[A-Z]+(?:[ -][A-Z]+)*-\d{1,6}-(?:19|20)\d{2}(?:-[A-Z0-9.]+)*")


def nomenclature_of(opportunity: Opportunity) -> str | None:
    """The first of reference, procedure text and title that is a nomenclature, as written."""
    for candidate in (opportunity.source_ref, opportunity.procedure_text, opportunity.title):
        text = (candidate or "").strip()
        if NOMENCLATURE.fullmatch(text.upper()):
            return text
    return None
