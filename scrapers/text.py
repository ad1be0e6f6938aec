"""Text as sources write it, made plain: no markup, no control characters, folded whitespace.

Sources mix HTML fragments, entities and broken encodings (Colombia's "ALCALD\ufffdA"); every
parser passes titles and descriptions through `clean_text` so stored text compares and indexes.
"""

import functools
import html
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import nh3

_WHITESPACE = re.compile(r"\s+")
_AMOUNT_NOISE = re.compile(r"[^\d.,\-]", re.ASCII)
_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.IGNORECASE)
# Double-encoded sources ("&amp;lt;b&amp;gt;") need about four rounds; more is pathological.
_MAX_ROUNDS = 8


def clean_text(value: str | None) -> str:
    """Plain text from a source's string: markup removed by a sanitiser, entities decoded."""
    if not value:
        return ""
    return _WHITESPACE.sub(" ", _without_markup(str(value))).strip()


def _without_markup(text: str) -> str:
    """Decode and strip until nothing changes: decoded entities ("&lt;b&gt;") may spell markup."""
    for _ in range(_MAX_ROUNDS):
        stripped = _printable(_decoded_once(text))
        if stripped == text:
            return text
        text = stripped
    return text.replace("<", "")  # still changing after many rounds: no "<" means no tag


def _decoded_once(text: str) -> str:
    """One level of entities decoded, tags removed; nh3 escapes what it keeps, hence unescape."""
    if "<" in text:
        sanitised = nh3.clean(_BLOCK_TAGS.sub(" ", text), tags=set(), strip_comments=True)
        return html.unescape(sanitised)
    return html.unescape(text) if "&" in text else text


def _printable(text: str) -> str:
    """Dropped before the sanitiser looks again, so "<" + U+200B + "b" cannot become a tag later."""
    if text.isprintable():
        return text
    return "".join(char for char in text if char.isspace() or _is_printable(char))


def _is_printable(char: str) -> bool:
    """Control, format and surrogate characters go; U+FFFD stays as the source's own mark."""
    return unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}


def fold(value: str | None) -> str:
    """Lower case without accents or extra spaces: for matching names such as departments."""
    decomposed = unicodedata.normalize("NFKD", clean_text(value))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.casefold()


def fold_keeping_length(text: str) -> str:
    """`fold` character by character, without cleaning: one character for each of the text's,
    so a match in the folded text is at the same place in the original (whose case names keep)."""
    return "".join(_fold_char(char) for char in text)


@functools.cache
def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFKD", char)[:1] or char
    lowered = base.casefold()
    return lowered if len(lowered) == 1 else base


def is_digits(value: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() refuses."""
    return value.isascii() and value.isdigit()


def parse_amount(value: str | None) -> Decimal | None:
    """A money amount in either convention ("34,100,000.00", "34.100.000,00", "1 234,5")."""
    if value is None:
        return None
    text = _AMOUNT_NOISE.sub("", str(value)).strip(".,")
    if not any(char.isdigit() for char in text):
        return None
    text = _normalise_separators(text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _normalise_separators(text: str) -> str:
    """Decide which of '.' and ',' is the decimal mark: the last one, unless it groups thousands."""
    last_dot, last_comma = text.rfind("."), text.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_mark = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        mark = "." if last_dot >= 0 else ","
        parts = text.split(mark)
        groups_thousands = len(parts) > 2 or (len(parts[-1]) == 3 and parts[0].lstrip("-") != "0")
        decimal_mark = None if groups_thousands else mark
    else:
        decimal_mark = None
    grouping = {".", ","} - {decimal_mark}
    for mark in grouping:
        text = text.replace(mark, "")
    return text.replace(",", ".") if decimal_mark == "," else text
