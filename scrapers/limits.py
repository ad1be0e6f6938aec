"""How much a source may send: one cap per kind, enforced while the body streams in.

A feed or listing page is read whole into memory by its parser, so it gets a small cap; an OCDS
dump streams to disk and through ijson, so its cap only bounds the disk (configurable); a plan
file has the plan reader's own cap. The parsers stop at the same caps when a payload comes from
disk (a local file, a reparse), so no path reads an unbounded body.
"""

from typing import BinaryIO

from scrapers.records import ParseError

MB = 1024 * 1024
# An HTML listing page or a feed: a SEACE result page of 15 rows is 60 KB, a PLACSP Atom page
# of 500 entries a few MB; 20 MB leaves room and still parses in well under a second.
MAX_PAGE_BYTES = 20 * MB
# An OCDS dump (PORTAL_FETCH_MAX_DUMP_MB): bulk files of hundreds of MB stay under it.
DEFAULT_MAX_DUMP_MB = 2048
DEFAULT_MAX_DUMP_BYTES = DEFAULT_MAX_DUMP_MB * MB


class TooLarge(Exception):
    """A body went past its cap; nothing of it is kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(too_large(limit))


def too_large(limit: int) -> str:
    return f"respuesta demasiado grande: más de {limit // MB} MB"


def read_capped(stream: BinaryIO, limit: int = MAX_PAGE_BYTES) -> bytes:
    """The whole payload, or ParseError once it is past the cap (one byte more is read)."""
    payload = stream.read(limit + 1)
    if len(payload) > limit:
        raise ParseError(too_large(limit))
    return payload
