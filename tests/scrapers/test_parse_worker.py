"""Parsing in a child process gives exactly what parsing in-process gives, errors included."""

import json

import pytest

from scrapers import ocds
from scrapers.models import SourceKind
from scrapers.parse_worker import parsed_items
from scrapers.records import OpportunityRecord, ParseContext, ParseError
from scrapers.registry import PARSERS, parser_for

CONTEXT = ParseContext("cdmx")


def test_child_process_yields_the_same_items_as_the_parser(shared_fixtures):
    path = shared_fixtures / "ocds-cdmx-paraguay/release-package_encoding-utf-8.json"
    with open(path, "rb") as stream:
        expected = list(parser_for(SourceKind.OCDS)(stream, CONTEXT))

    with open(path, "rb") as body:
        items = list(parsed_items(ocds.parse, body, CONTEXT, parallel_from_bytes=0))

    assert items == expected
    assert any(isinstance(item, OpportunityRecord) for item in items)


def test_parse_error_in_the_child_is_raised_as_parse_error(tmp_path):
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(b'{"releases": [{"ocid": "ocds-1", "tender": {"title": "Cem')

    with open(truncated, "rb") as body, pytest.raises(ParseError, match="JSON"):
        list(parsed_items(ocds.parse, body, CONTEXT, parallel_from_bytes=0))


def test_small_files_are_parsed_in_process(shared_fixtures):
    path = shared_fixtures / "ocds-cdmx-paraguay/release-package-1.json"

    with open(path, "rb") as body:
        items = parsed_items(ocds.parse, body, CONTEXT)
        assert type(items).__name__ == "generator"
        assert any(getattr(item, "source_ref", None) for item in items)


def test_the_child_imports_no_database_or_web_layer(loaded_by_importing):
    """What the spawned child imports: the worker and every parser's module, by name."""
    modules = sorted({parser.__module__ for parser in PARSERS.values()})
    heavy = ("sqlalchemy", "flask", "whoosh")

    assert loaded_by_importing(["scrapers.parse_worker", *modules], heavy) == []


def test_a_parser_whose_parent_was_killed_ends_instead_of_waiting(tmp_path, orphaned_children):
    releases = [
        {
            "ocid": f"ocds-b5fd17-{n}",
            "id": str(n),
            "date": "2026-01-01T00:00:00Z",
            "tender": {"id": str(n), "title": "Adquisición de cemento"},
        }
        for n in range(20_000)
    ]  # more than the queue holds: the child must wait for room
    payload = tmp_path / "releases.json"
    payload.write_text(json.dumps({"releases": releases}))
    script = (
        "import multiprocessing, os\n"
        "from scrapers import ocds\n"
        "from scrapers.parse_worker import parsed_items\n"
        "from scrapers.records import ParseContext\n"
        f"body = open({str(payload)!r}, 'rb')\n"
        "items = parsed_items(ocds.parse, body, ParseContext('cdmx'), parallel_from_bytes=0)\n"
        "next(items)\n"
        "print(*(child.pid for child in multiprocessing.active_children()), flush=True)\n"
        "os._exit(0)\n"
    )

    assert orphaned_children(script) == [True]
