"""Facts Peruvian entities write only in a notice's prose, read with labelled Spanish patterns.

Many plain RSS/Atom feeds title an item with its process code ("AS-SM-219-2026-MVES-1") and say
the rest in the description: "Entidad: … (RUC …)", "Valor referencial: S/ 3,099,000.00",
"Presentación de ofertas hasta el 15/03/2026 16:30", "Estado: Cancelado". A fact is read only
after a label that names it, so a date or an amount elsewhere in the text (the registration
period, the fee for the bases) is never taken for it; a RUC is kept only if its check digit holds.
"""

import re
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from decimal import Decimal

from portal.buyers.ruc import is_valid_ruc
from portal.opportunities.enums import ObjectType, OpportunityStatus
from scrapers import peru, spanish_dates
from scrapers.dates import to_utc
from scrapers.records import BuyerRecord, OpportunityRecord
from scrapers.text import fold_keeping_length, parse_amount

# Facts are read from the text as stored (ingest keeps a description's first 20,000 characters):
# a fact the reader of the notice cannot see is not one to read.
MAX_TEXT_CHARS = 20_000
_VALUE_CHARS, _DEADLINE_CHARS, _NAME_CHARS = 80, 120, 300

_SUPPLIER_LABEL = r"ganador|postor|proveedor|contratista|adjudicatario|adjudicado a"
_PRESENTATION = (
    r"(?:presentacion|recepcion|entrega) de (?:las )?"
    r"(?:ofertas|propuestas|cotizaciones|expresiones de interes)"
)
# Each label kind with its pattern (folded text). "colon" labels name a field ("Entidad: …");
# "open" labels are also followed by the value itself ("Presentación de ofertas hasta el …"),
# "amount" ones by a sentence's amount ("El valor referencial asciende a S/ …").
_LABELS = {
    "buyer": (
        "colon",
        r"(?:nombre de la )?entidad(?: (?:convocante|contratante|publica|que convoca))?"
        r"|organo de contratacion|comprador",
    ),
    "ruc": ("colon", r"r\.? ?u\.? ?c\.?(?: (?:de la )?entidad)?(?: n[°º.o]*)?"),
    "value": (
        "amount",
        r"valor (?:referencial|estimado)(?: total)?|monto (?:referencial|estimado)"
        r"|cuantia(?: (?:del|de la) (?:proceso|contratacion))?"
        r"|presupuesto(?: base| referencial)?|importe",
    ),
    "deadline": (
        "open",
        rf"(?:fecha (?:y hora )?(?:de )?)?(?:(?:limite|fin|cierre|termino|vencimiento)"
        rf"(?: del plazo)? (?:de |para )(?:la )?)?{_PRESENTATION}"
        rf"|plazo (?:para|de) (?:la )?(?:presentar|presentacion de) (?:las )?(?:ofertas|propuestas)"
        rf"|fecha limite|fecha (?:de )?cierre",
    ),
    "procedure": (
        "colon",
        r"tipo de (?:procedimiento|proceso|seleccion)|procedimiento(?: de seleccion)?"
        r"|modalidad de seleccion",
    ),
    "object": (
        "colon",
        r"objeto(?: de (?:la )?contratacion| del (?:proceso|procedimiento))?"
        r"|tipo de objeto",
    ),
    "status": (
        "colon",
        r"estado(?: (?:del|de la) (?:proceso|procedimiento|convocatoria))?"
        r"(?: actual)?|situacion",
    ),
    "description": ("colon", r"descripcion(?: del (?:objeto|requerimiento|proceso))?|sintesis"),
    # Only where another field begins: the schedule's other dates, a winner.
    "other": (
        "open",
        r"registro de participantes|formulacion de consultas|consultas y observaciones"
        r"|absolucion de consultas|integracion de (?:las )?bases|otorgamiento de la buena pro"
        r"|apertura de (?:sobres|ofertas)|evaluacion de ofertas"
        r"|fecha de (?:publicacion|convocatoria)",
    ),
    "other_field": (
        "colon",
        rf"nomenclatura|sigla|moneda|sede|direccion|region|departamento"
        rf"|publicad[oa]|convocatoria|buena pro|cronograma|contacto|correo|telefono|item"
        rf"|{_SUPPLIER_LABEL}",
    ),
}
_COLON_END = r"\s*(?:\([^()]{1,30}\)\s*)?[:：]"
_LABEL_ENDS = {
    "colon": _COLON_END,
    "open": (
        r"\s*(?:\([^()]{1,30}\)\s*)?(?:[:：]\s*)?"
        r"(?=hasta\b|el\b|del\b|desde\b|\d|(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)\b)"
    ),
    "amount": rf"(?:{_COLON_END}|\s+(?:de|es de|asciende a|total de)\s+(?=s/|us\$|usd|\d))",
}
_LABEL = re.compile(
    "|".join(
        rf"(?<!\w)(?P<{kind}>{pattern}){_LABEL_ENDS[style]}"
        for kind, (style, pattern) in _LABELS.items()
    )
)
_SEPARATOR = re.compile(r"[;|•]")

_CURRENCY_MARKS = {
    "s/.": "PEN", "s/": "PEN", "pen": "PEN", "soles": "PEN", "nuevos soles": "PEN",
    "us$": "USD", "us $": "USD", "usd": "USD", "dolares": "USD", "$": "USD",
    "dolares americanos": "USD", "eur": "EUR", "€": "EUR", "euros": "EUR",
}  # fmt: skip
_MARKS = "|".join(re.escape(mark) for mark in sorted(_CURRENCY_MARKS, key=len, reverse=True))
_NUMBER = r"\d{1,3}(?P<group>[.,\s])\d{3}(?:(?P=group)\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?:(?P<before>{_MARKS})\s*)?(?<![\d.,])(?P<number>{_NUMBER})(?![\d])"
    rf"(?:\s*(?P<after>{_MARKS})(?!\w))?"
)
_RUC = re.compile(r"\(?\s*r\.? ?u\.? ?c\.?\s*(?:n[°º.o]*\s*)?[:\-]?\s*(?P<ruc>\d{11})(?!\d)\s*\)?")
_SENTENCE_END = re.compile(r"(?<=[^\W\d_]{4})\.\s")
_RUC_NUMBER = re.compile(r"\s*(?P<ruc>\d{11})(?!\d)")
_NOMENCLATURA = peru.NOMENCLATURA_IN_TEXT

_STATUS_WORDS = (
    (r"buena pro consentida|consentid[oa]|adjudicad[oa]", OpportunityStatus.AWARDED),
    (r"cancelad[oa]|cancelacion|anulad[oa]|nul[oa]|nulidad", OpportunityStatus.CANCELLED),
    (r"desiert[oa]", OpportunityStatus.DESERTED),
    (r"suspendid[oa]|suspension", OpportunityStatus.SUSPENDED),
    (r"convocad[oa]|vigente", OpportunityStatus.OPEN),
)
_STATUS_WORD = "|".join(words for words, _ in _STATUS_WORDS)
_STATUS_AT_START = re.compile(
    rf"\s*(?:el (?:proceso|procedimiento) (?:ha sido |fue )?)?(?P<word>{_STATUS_WORD})\b"
)
# A status stated in a sentence ("se declaró desierto", "ha sido cancelado", "nulidad del
# procedimiento"), not a mere mention; one item declared deserted is not the whole process.
_STATUS_SENTENCE = re.compile(
    r"(?:declar\w*|ha sido|han sido|fue|queda|quedo)\s+(?:(?:el|la|como)\s+)?"
    rf"(?:(?:proceso|procedimiento|convocatoria)\s+)?(?P<word>{_STATUS_WORD})\b"
    r"(?!\s+(?:del?\s+)?(?:el\s+)?item)"
    r"|(?P<noun>nulidad|cancelacion|suspension)(?=\s+del?\s+(?:proceso|procedimiento))"
    r"|(?P<consent>buena pro consentida)"
)
# In a title the status stands apart: "[CANCELADO] AS-SM-…", "AS-SM-… - DESIERTO".
_STATUS_IN_TITLE = re.compile(
    rf"(?:^|[\[(]|\s[-–:]\s)\s*(?P<word>{_STATUS_WORD})\s*(?:$|[\])]|\s[-–:]\s)"
)

_OBJECT_PHRASES = (
    ("consultoria de obra", ObjectType.CONSULTING),
    ("ejecucion de obra", ObjectType.WORKS),
    ("ejecucion de la obra", ObjectType.WORKS),
    ("adquisicion de", ObjectType.GOODS),
    ("suministro de", ObjectType.GOODS),
    ("contratacion del servicio", ObjectType.SERVICES),
    ("contratacion de servicio", ObjectType.SERVICES),
    ("servicio de", ObjectType.SERVICES),
)


@dataclass(frozen=True)
class TextFacts:
    """What a notice's title and description state; None where they say nothing readable."""

    buyer: BuyerRecord | None = None
    deadline_at: datetime | None = None
    estimated_value: Decimal | None = None
    currency: str | None = None
    procedure_type_code: str | None = None
    procedure_text: str | None = None
    object_type: ObjectType | None = None
    status: OpportunityStatus | None = None


@dataclass(frozen=True)
class _Segment:
    kind: str
    label: str  # folded, with its parenthesis: "valor referencial (s/):"
    start: int  # where the value begins in the text
    end: int  # where the next label or separator begins


def fill_missing(
    record: OpportunityRecord, zone: tzinfo, status_stated: bool = False
) -> OpportunityRecord:
    """The record with what its text states where structured data left a field empty; the
    fields so filled are named in `fields_from_text`. `status_stated`: the source said it."""
    facts = read_facts(record.title, record.description, zone)
    filled = {
        name: getattr(facts, name)
        for name in ("buyer", "deadline_at", "estimated_value", "procedure_type_code",
                     "procedure_text", "object_type")
        if getattr(record, name) is None and getattr(facts, name) is not None
    }  # fmt: skip
    if "estimated_value" in filled and facts.currency:
        filled["currency"] = facts.currency
    if not status_stated and facts.status is not None:
        filled["status"] = facts.status
    if not filled:
        return record
    return replace(record, **filled, fields_from_text=tuple(filled))


def read_facts(title: str, description: str, zone: tzinfo) -> TextFacts:
    """Every fact the title and description state, each after the label that names it."""
    title, description = title[:MAX_TEXT_CHARS], description[:MAX_TEXT_CHARS]
    text = f"{title} | {description}"
    folded, folded_title = fold_keeping_length(text), fold_keeping_length(title)
    segments = _segments(folded)
    procedure_text = _procedure_text(text, segments)
    amount, currency = read_value(folded, segments)
    return TextFacts(
        buyer=read_buyer(text, folded, segments),
        deadline_at=read_deadline(folded, segments, zone),
        estimated_value=amount,
        currency=currency,
        procedure_type_code=read_procedure(text, procedure_text),
        procedure_text=procedure_text,
        object_type=read_object_type(folded, segments, folded_title),
        status=read_status(folded, segments, folded_title),
    )


def _segments(folded: str) -> list[_Segment]:
    """Each label with the span of its value: up to the next label or separator."""
    found = list(_LABEL.finditer(folded))
    segments = []
    for index, match in enumerate(found):
        next_start = found[index + 1].start() if index + 1 < len(found) else len(folded)
        separator = _SEPARATOR.search(folded, match.end(), next_start)
        end = separator.start() if separator else next_start
        segments.append(_Segment(match.lastgroup, match.group(), match.end(), end))
    return segments


def _first(segments: list[_Segment], kind: str) -> _Segment | None:
    return next((segment for segment in segments if segment.kind == kind), None)


def read_buyer(text: str, folded: str, segments: list[_Segment]) -> BuyerRecord | None:
    """The entity's name after its label, and its RUC beside it or under a "RUC" label."""
    segment = _first(segments, "buyer")
    if segment is None:
        return None
    end = min(segment.end, segment.start + _NAME_CHARS)
    ruc_match = _RUC.search(folded, segment.start, end)
    name_end = ruc_match.start() if ruc_match else end
    name = _phrase(text[segment.start : name_end].rstrip())
    if len(name) < 3 or not any(char.isalpha() for char in name):
        return None
    ruc = ruc_match["ruc"] if ruc_match else _labelled_ruc(folded, segments)
    return BuyerRecord(name=name, ruc=ruc if ruc and is_valid_ruc(ruc) else None)


def _phrase(value: str) -> str:
    """A label's value up to the end of its sentence; "S.A. " or "E.P.S. " does not end one."""
    end = _SENTENCE_END.search(value + " ")
    return value[: end.start() if end else len(value)].strip(" ,:-–(")


def _labelled_ruc(folded: str, segments: list[_Segment]) -> str | None:
    """The first "RUC:" not under a winner's or supplier's label: theirs is not the buyer's."""
    for segment in segments:
        if segment.kind == "other_field" and re.match(_SUPPLIER_LABEL, segment.label):
            return None
        if segment.kind == "ruc":
            number = _RUC_NUMBER.match(folded, segment.start)
            return number["ruc"] if number else None
    return None


def read_value(folded: str, segments: list[_Segment]) -> tuple[Decimal | None, str | None]:
    """The estimated value after its label and its currency ("S/", "US$", "soles"...), in
    either decimal convention ("3,099,000.00", "3.099.000,00", "3.099.000")."""
    for segment in (s for s in segments if s.kind == "value"):
        window = folded[segment.start : min(segment.end, segment.start + _VALUE_CHARS)]
        match = _AMOUNT.search(window)
        if match is None or spanish_dates.DATE.match(window, match.start("number")):
            continue
        amount = parse_amount(match["number"].replace(" ", ""))
        if amount is None or amount <= 0:
            continue
        mark = match["before"] or match["after"] or _mark_in(segment.label)
        return amount, _CURRENCY_MARKS.get(mark) if mark else None
    return None, None


def _mark_in(label: str) -> str | None:
    """A currency named in the label itself: "Valor referencial (S/):"."""
    found = re.search(rf"\(\s*({_MARKS})\s*\)", label)
    return found.group(1) if found else None


def read_deadline(folded: str, segments: list[_Segment], zone: tzinfo) -> datetime | None:
    """The bid deadline after its label (never the registration's), in the source's zone;
    a date without a time is the end of that day."""
    for segment in (s for s in segments if s.kind == "deadline"):
        window = folded[segment.start : min(segment.end, segment.start + _DEADLINE_CHARS)]
        moment = spanish_dates.period_end(window)
        if moment is not None:
            return to_utc(moment, zone)
    return None


def read_procedure(text: str, procedure_text: str | None) -> str | None:
    """The procedure code from a process code (nomenclatura) in the text, else from a stated
    procedure name ("Adjudicación Simplificada")."""
    for code in _NOMENCLATURA.finditer(text):
        procedure = peru.procedure_from_nomenclatura(code.group())
        if procedure is not None:
            return procedure
    return peru.procedure_from_text(procedure_text)


def _procedure_text(text: str, segments: list[_Segment]) -> str | None:
    segment = _first(segments, "procedure")
    if segment is None:
        return None
    value = text[segment.start : min(segment.end, segment.start + _VALUE_CHARS)].rstrip()
    return _phrase(value) or None


def read_object_type(folded: str, segments: list[_Segment], folded_title: str) -> ObjectType | None:
    """Bien, Servicio, Obra or Consultoría de obra after its label, else how the title or the
    description begins ("Adquisición de…", "Contratación del servicio…")."""
    segment = _first(segments, "object")
    if segment is not None:
        value = folded[segment.start : segment.end].strip()
        found = peru.object_type_from_text(value) or _object_from_phrase(value)
        if found is not None:
            return found
    described = _first(segments, "description")
    starts = [folded_title.strip()]
    if described is not None:
        starts.append(folded[described.start : described.end].strip())
    return next(filter(None, map(_object_from_phrase, starts)), None)


def _object_from_phrase(folded: str) -> ObjectType | None:
    for phrase, object_type in _OBJECT_PHRASES:
        if folded.startswith(phrase):
            return object_type
    return None


def read_status(
    folded: str, segments: list[_Segment], folded_title: str
) -> OpportunityStatus | None:
    """The status after an "Estado:" label (the last one), else one set apart in the title,
    else the last one a sentence states ("se declaró desierto", "ha sido cancelado")."""
    labelled = [
        _STATUS_AT_START.match(folded, segment.start)
        for segment in segments
        if segment.kind == "status"
    ]
    found = [match for match in labelled if match] or list(_STATUS_IN_TITLE.finditer(folded_title))
    found = found or list(_STATUS_SENTENCE.finditer(folded))
    return _status_of(found[-1]) if found else None


def _status_of(match: re.Match) -> OpportunityStatus | None:
    word = next(group for group in match.groups() if group)
    for words, status in _STATUS_WORDS:
        if re.fullmatch(words, word):
            return status
    return None
