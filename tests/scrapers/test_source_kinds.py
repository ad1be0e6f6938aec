"""`portal sources kinds`: every kind's configuration keys with JSON examples that work as printed,
the SEACE result-page configuration among them; `portal sources add --help` points to it."""

import json
import re
from datetime import UTC, datetime

from sqlalchemy import select

from scrapers.html_listing import FIELDS, SEACE_LISTING_CONFIG
from scrapers.models import RunStatus, Source, SourceKind
from scrapers.pipeline import run_source
from scrapers.source_kinds import GUIDES, guide_for

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EXAMPLE = re.compile(r"^    --config '(.*)'$", re.MULTILINE)


def kinds(runner, *args: str) -> str:
    result = runner.invoke(args=["sources", "kinds", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_kind_is_documented_with_examples_whose_keys_it_documents(runner):
    output = kinds(runner)

    assert {guide.kind for guide in GUIDES} == set(SourceKind)
    for guide in GUIDES:
        assert f"{guide.kind.value}: " in output
        documented = {name for name, _meaning in guide.keys}
        for _title, config in guide.examples:
            assert set(config) <= documented | {"max_pages"}
    assert "PORTAL_LOCAL_SOURCES_DIR" in output and "*.json" in output
    for printed in EXAMPLE.findall(output):
        json.loads(printed)


def test_html_documents_every_field_and_prints_the_ready_seace_configuration(runner):
    output = kinds(runner, "html")
    documented = {name for name, _meaning in guide_for("html").keys}

    assert set(FIELDS) | set(SEACE_LISTING_CONFIG) <= documented
    assert output.startswith("html: ") and "ocds: " not in output
    assert SEACE_LISTING_CONFIG in [json.loads(printed) for printed in EXAMPLE.findall(output)]


def test_the_printed_seace_example_registers_a_source_that_reads_a_seace_page(
    runner, session, http_server, fetcher, shared_fixtures
):
    seace = next(
        printed for printed in EXAMPLE.findall(kinds(runner, "html")) if "ui-paginator" in printed
    )
    page = shared_fixtures / "seace-html" / "regional_resultados_tbody_p1.html"
    url = http_server.serve_file("/resultados", page)
    added = runner.invoke(
        args=["sources", "add", "seace", "--kind", "html", "--url", url, "--config", seace]
    )
    source = session.scalar(select(Source))

    run = run_source(session, source, NOW, fetcher)

    assert added.exit_code == 0, added.output
    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 15), run.error


def test_add_help_points_to_the_kinds_command(runner):
    result = runner.invoke(args=["sources", "add", "--help"])

    assert result.exit_code == 0
    assert "portal sources kinds" in " ".join(result.output.split())
    assert "--from-catalogue" in result.output


def test_a_since_that_is_not_a_date_is_refused_when_the_source_is_added(runner, session):
    result = runner.invoke(
        args=[
            "sources",
            "add",
            "oece",
            "--kind",
            "ocds",
            "--url",
            "https://contratacionesabiertas.oece.gob.pe/api/v1/releasesAfter",
            "--config",
            '{"since": "ayer"}',
        ]
    )

    assert result.exit_code != 0 and "since no es una fecha" in result.output
    assert session.scalar(select(Source)) is None
