import pytest

from scrapers import feed, html_listing, ocds, plan_file
from scrapers.models import SourceKind
from scrapers.registry import PARSERS, parser_for


@pytest.mark.parametrize(
    ("kind", "parser"),
    [
        (SourceKind.FEED, feed.parse),
        (SourceKind.OCDS, ocds.parse),
        (SourceKind.HTML, html_listing.parse),
        (SourceKind.PLAN_FILE, plan_file.parse),
        ("ocds", ocds.parse),
    ],
)
def test_each_source_kind_has_its_parser(kind, parser):
    assert parser_for(kind) is parser


def test_manual_and_unknown_kinds_have_no_parser():
    assert SourceKind.MANUAL not in PARSERS
    for kind in (SourceKind.MANUAL, "ftp"):
        with pytest.raises(LookupError):
            parser_for(kind)
