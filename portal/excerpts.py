"""Long text cut at a word and marked with "…": what is stored of a description, and the snippet
a listing carries. Plain, so the scrapers use it as the API does."""

ELLIPSIS = "…"


def excerpt(text: str | None, limit: int) -> str:
    """The text if it fits in `limit` characters, else its first words, "…" included.

    A word longer than half the limit is cut inside it rather than leave almost nothing.
    """
    text = text or ""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]  # one more: a space right after the cut is a boundary
    boundary = cut.rfind(" ")
    kept = cut[:boundary] if boundary > limit // 2 else cut[:-1]
    return kept.rstrip() + ELLIPSIS
