"""Documents added to a call (bases, specifications, clarifications, amendments): when a new
version of a notice lists one the stored version did not, ingest records a `documents` change,
the old and the new list as compact JSON, and followers are told which ones are new.

Only additions are news: a document renamed, moved or withdrawn alone is not. A document is the
same one across versions by the source's id for it, else its link, else its title
(`document_identity.document_key`).
"""

import json
from collections.abc import Sequence
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.opportunities.document_identity import document_key

MISSING = "—"
# The OCDS documentType codes a call's documents carry (CODICE's kinds are read into them):
# pages name them in the reader's words; a type outside the list is shown as published.
DOCUMENT_TYPE_LABELS = {
    "tenderNotice": _l("Convocatoria"),
    "biddingDocuments": _l("Bases"),
    "technicalSpecifications": _l("Especificaciones técnicas"),
    "evaluationCriteria": _l("Criterios de evaluación"),
    "eligibilityCriteria": _l("Requisitos de calificación"),
    "clarifications": _l("Aclaraciones"),
    "billOfQuantity": _l("Metrados y presupuesto"),
    "contractDraft": _l("Proforma del contrato"),
    "marketStudies": _l("Estudio de mercado"),
    "evaluationReports": _l("Informe de evaluación"),
    "awardNotice": _l("Aviso de adjudicación"),
    "cancellationDetails": _l("Motivo de la cancelación"),
    "complaints": _l("Reclamos"),
    "contractSigned": _l("Contrato firmado"),
}


class DocumentLine(NamedTuple):
    """A document as the change history keeps it, with DocumentRecord's attribute names."""

    title: str
    url: str | None = None
    document_type: str | None = None
    source_document_id: str | None = None


def documents_change(old: Sequence, new: Sequence) -> tuple[str | None, str] | None:
    """(old text, new text) for the change history when `new` lists a document `old` did
    not; None when nothing was added."""
    known = {document_key(document) for document in old}
    if all(document_key(document) in known for document in new):
        return None
    return documents_json(old), documents_json(new) or "[]"


def documents_json(documents: Sequence) -> str | None:
    entries = [
        {
            key: value
            for key, value in (
                ("id", document.source_document_id),
                ("title", document.title),
                ("type", document.document_type),
                ("url", document.url),
            )
            if value is not None
        }
        for document in documents
    ]
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")) if entries else None


def lines_from_json(text: str | None) -> list[DocumentLine]:
    """documents_json's text back as lines; ValueError if it is not that text."""
    if not text:
        return []
    entries = json.loads(text)
    if not isinstance(entries, list) or not all(isinstance(item, dict) for item in entries):
        raise ValueError("not a list of documents")
    try:
        return [
            DocumentLine(
                title=str(entry["title"]),
                url=entry.get("url"),
                document_type=entry.get("type"),
                source_document_id=entry.get("id"),
            )
            for entry in entries
        ]
    except KeyError as error:
        raise ValueError(f"not a list of documents: {error!r}") from error


def documents_change_text(old_text: str | None, new_text: str | None) -> tuple[str, str]:
    """Before: how many there were; after: how many there are and the titles of the new
    ones ("5 documentos; nuevos: «Bases integradas», «Absolución de consultas»"). Texts that
    are not such JSON are shown as recorded."""
    try:
        old, new = lines_from_json(old_text), lines_from_json(new_text)
    except ValueError:
        return old_text or MISSING, new_text or MISSING
    known = {document_key(document) for document in old}
    added = ", ".join(f"«{d.title}»" for d in new if document_key(d) not in known)
    after = _count(len(new))
    if added:
        after = _("%(count)s; nuevos: %(titles)s", count=after, titles=added)
    return (_count(len(old)) if old else MISSING), after


def _count(number: int) -> str:
    return ngettext("%(num)d documento", "%(num)d documentos", number)


def document_type_label(document_type: str) -> str:
    label = DOCUMENT_TYPE_LABELS.get(document_type)
    return str(label) if label is not None else document_type
