"""Matched words wrapped in <mark>, everything else HTML-escaped: safe to render as is."""

from markupsafe import escape

from portal.search.schema import WORD, term_of

SNIPPET_CHARS = 240
SNIPPET_LEAD_CHARS = 60


def _matches(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    if not terms:
        return []
    return [match.span() for match in WORD.finditer(text) if term_of(match.group()) in terms]


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(str(escape(text[last:start])))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    pieces.append(str(escape(text[last:])))
    return "".join(pieces)


def highlight_title(title: str, terms: frozenset[str]) -> str:
    return _marked(title, _matches(title, terms))


def highlight_snippet(text: str, terms: frozenset[str]) -> str:
    """A window of the description around the first matched word (or its start)."""
    spans = _matches(text, terms)
    start = 0
    if spans and spans[0][0] > SNIPPET_LEAD_CHARS:
        start = text.rfind(" ", 0, spans[0][0] - SNIPPET_LEAD_CHARS) + 1
    end = start + SNIPPET_CHARS
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + SNIPPET_CHARS // 2)
    window = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
    html = _marked(text[start:end], window)
    return ("…" if start else "") + html + ("…" if end < len(text) else "")
