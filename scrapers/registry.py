"""Which parser reads which kind of source: the one place the pipeline looks it up."""

from scrapers import feed, html_listing, ocds, plan_file
from scrapers.models import SourceKind
from scrapers.records import Parser

PARSERS: dict[SourceKind, Parser] = {
    SourceKind.FEED: feed.parse,
    SourceKind.OCDS: ocds.parse,
    SourceKind.HTML: html_listing.parse,
    SourceKind.PLAN_FILE: plan_file.parse,
}


def parser_for(kind: SourceKind | str) -> Parser:
    """The parser of a source kind; MANUAL sources (typed in by staff) have none."""
    try:
        return PARSERS[SourceKind(kind)]
    except (KeyError, ValueError) as error:
        raise LookupError(f"no parser for source kind {kind!r}") from error
