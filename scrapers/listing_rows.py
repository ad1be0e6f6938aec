"""Checks that a listing row's cells hold what their columns say, and when a page is unusable.

A selector keeps finding text after a site adds or moves a column, only the wrong text: a date
where the reference was, "Bien" as the title, the row number as the buyer. Each row is checked
(required fields present, dates and amounts that parse, a reference that looks like one, a
buyer that is a name and not a code, a currency without digits); when more than the source's
`max_invalid_share` of a page's rows fail (0.2 by default, and always at least two rows), the
page is refused whole as a layout change before any of its records reaches ingest. Fewer bad
rows are item errors.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from scrapers.dates import to_utc
from scrapers.records import ParseContext, ParseError
from scrapers.text import fold, parse_amount

DEFAULT_MAX_INVALID_SHARE = 0.2
# One bad row is a bad item whatever the page's size; a layout change shows on several.
MIN_INVALID_ROWS = 2
DATE_FIELDS = ("published", "deadline")
_NO_VALUE_MAX_CHARS = 20

_DATE_LIKE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}(?:[ T]\S+)?$")
_NUMBER_LIKE = re.compile(r"^[\d\s.,]+$")
# An amount: one run of digits and separators, with at most a currency word or sign around it;
# never negative (what is on offer is not).
_AMOUNT_LIKE = re.compile(r"^[^\d-]{0,12}\d[\d.,\s]*[^\d-]{0,12}$")
# SEACE's nomenclatura: type [modality]-number-year-entity-call ("CP SER-SM-1-2026-MDCC-1").
_NOMENCLATURA = re.compile(r"^[A-Z]+(?:[ -][A-Z]+)*-\d+-(?:19|20)\d{2}-.+-\d+$")
_OBJECT_WORDS = {
    "bien",
    "bienes",
    "servicio",
    "servicios",
    "obra",
    "obras",
    "consultoria de obra",
    "consultoria de obras",
}


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str


def row_problems(fields: dict[str, str | None], context: ParseContext) -> list[Problem]:
    """What is wrong with one row's cells; an empty list for a good row."""
    config = context.config
    problems = [
        Problem(name, f"required field {name} is empty")
        for name in ("title", *_required_fields(config))
        if not fields.get(name)
    ]
    if not fields.get("reference") and not fields.get("link"):
        problems.append(Problem("reference", "required field reference/link is empty"))
    checks = (
        ("title", _title_problem),
        ("reference", lambda text: _reference_problem(text, bool(config.get("nomenclatura")))),
        ("value", _amount_problem),
        ("currency", _currency_problem),
        ("buyer", _buyer_problem),
        *((name, lambda text: _date_problem(text, context)) for name in DATE_FIELDS),
    )
    for name, check in checks:
        text = fields.get(name)
        reason = check(text) if text else None
        if reason:
            problems.append(Problem(name, f"{name} {text[:60]!r} {reason}"))
    return problems


def _required_fields(config: dict) -> tuple[str, ...]:
    """Fields a source says every row has, besides the title and the reference."""
    listed = config.get("required") or ()
    if isinstance(listed, str) or not all(isinstance(name, str) for name in listed):
        raise ParseError(f"bad 'required' in the source config: {listed!r} is not a list")
    return tuple(listed)


def refuse_changed_layout(problems: Sequence[list[Problem]], context: ParseContext, what: str):
    """ParseError when too many rows of one page (or file) fail: nothing of it may be kept."""
    failing = [found for found in problems if found]
    share = _max_invalid_share(context.config)
    if len(failing) < MIN_INVALID_ROWS or len(failing) <= share * len(problems):
        return
    per_field = Counter(name for found in failing for name in {p.field for p in found})
    detail = ", ".join(f"{name} on {count}" for name, count in per_field.most_common())
    raise ParseError(
        f"layout changed: {len(failing)} of {len(problems)} rows fail validation ({detail}); "
        f"nothing from this {what} is kept"
    )


def _max_invalid_share(config: dict) -> float:
    share = config.get("max_invalid_share", DEFAULT_MAX_INVALID_SHARE)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ParseError(f"bad max_invalid_share {share!r} in the source config: 0 to 1")
    return float(share)


def _title_problem(text: str) -> str | None:
    if fold(text) in _OBJECT_WORDS:
        return "is an object type, not a title"
    return None if _has_word(text) else "has no words"


def _reference_problem(text: str, nomenclatura: bool) -> str | None:
    if _DATE_LIKE.match(text):
        return "is a date, not a reference"
    if _NUMBER_LIKE.match(text):
        return "is a bare number, not a reference"
    if not any(char.isdigit() for char in text) and (text.isalpha() or " " in text):
        return "is text, not a reference"  # "Bien", a name; a slug ("aviso-oficial") is one
    if nomenclatura and not _NOMENCLATURA.match(text.upper()):
        return "is not a SEACE nomenclatura"
    return None


def _amount_problem(text: str) -> str | None:
    """An amount, or a few words without digits saying there is none ("---", "Reservado")."""
    if not any(char.isdigit() for char in text) and len(text) <= _NO_VALUE_MAX_CHARS:
        return None
    if _AMOUNT_LIKE.match(text) and parse_amount(text) is not None:
        return None
    return "is not an amount"


def _currency_problem(text: str) -> str | None:
    return "is not a currency" if any(char.isdigit() for char in text) else None


def _buyer_problem(text: str) -> str | None:
    return None if _has_word(text) else "is a code, not a name"


def _date_problem(text: str, context: ParseContext) -> str | None:
    return None if to_utc(text, context.timezone) is not None else "is not a date"


def _has_word(text: str) -> bool:
    """A word of three letters or more ("GORE-AREQUIPA" is one): what a name has and a code
    ("SIE-SIE-1-2026-MDCC-1"), a number or a date has not."""
    words = (re.sub(r"[-/]", "", word) for word in re.split(r"[\s,.;:()\"']+", text))
    return any(len(word) >= 3 and word.isalpha() for word in words)
