"""The catalogue of real publishers: every entry registered with `--from-catalogue` and run
against pages in its publisher's shape (or the publisher's own saved files) on a local server."""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.buyers.models import Buyer
from portal.opportunities.models import Opportunity
from scrapers.catalogue import CATALOGUE, catalogue_entry
from scrapers.models import RawPayload, RunStatus, Source, SourceKind
from scrapers.paging import check_config
from scrapers.pipeline import run_source
from scrapers.sources import check_source_url

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TESTED = (
    "oece-ocds",
    "uk-find-a-tender",
    "uk-contracts-finder",
    "paraguay-dncp",
    "placsp-licitaciones",
    "seace-resultados",
)


def add_from_catalogue(runner, entry: str, *options: str):
    return runner.invoke(args=["sources", "add", "--from-catalogue", entry, *options])


def registered(runner, session, entry: str, *options: str) -> Source:
    result = add_from_catalogue(runner, entry, *options)
    assert result.exit_code == 0, result.output
    return session.scalar(select(Source))


@pytest.fixture
def scrape(session, fetcher):
    return lambda source: run_source(session, source, NOW, fetcher)


def titles(session) -> set[str]:
    return set(session.scalars(select(Opportunity.title)))


def release_package(releases: list[dict], next_url: str | None = None, **package) -> dict:
    body = {"version": "1.1", "publishedDate": "2026-06-01T06:00:00Z", **package}
    body["releases"] = releases
    if next_url:
        body["links"] = {"next": next_url}
    return body


def uk_release(notice: str, ocid: str, date: str, title: str) -> dict:
    """A release as Find a Tender and Contracts Finder write them (OCDS 1.1, GB buyer)."""
    return {
        "id": notice,
        "ocid": ocid,
        "date": date,
        "tag": ["tender"],
        "initiationType": "tender",
        "language": "en",
        "parties": [
            {
                "id": "GB-FTS-1234",
                "name": "Leeds City Council",
                "identifier": {"legalName": "Leeds City Council"},
                "address": {"locality": "Leeds", "countryName": "United Kingdom"},
                "roles": ["buyer"],
            }
        ],
        "buyer": {"id": "GB-FTS-1234", "name": "Leeds City Council"},
        "tender": {
            "id": notice,
            "title": title,
            "status": "active",
            "value": {"amount": 250000, "currency": "GBP"},
            "tenderPeriod": {"endDate": "2026-06-30T12:00:00+01:00"},
        },
    }


def test_every_entry_is_tested_here_and_usable_as_written():
    assert {entry.key for entry in CATALOGUE} == set(TESTED)
    for entry in CATALOGUE:
        ZoneInfo(entry.timezone)
        check_config(entry.config)
        assert entry.licence and entry.coverage and len(entry.currency) == 3
        if entry.url is None:
            assert entry.needs_url
        else:
            check_source_url(entry.url, None)
    assert [entry.key for entry in CATALOGUE if entry.major] == ["oece-ocds"]


def test_catalogue_lists_every_entry_with_its_licence_and_coverage(runner):
    result = runner.invoke(args=["sources", "catalogue"])

    assert result.exit_code == 0, result.output
    for entry in CATALOGUE:
        assert entry.key in result.output and entry.licence in result.output
    assert "oece-ocds [principal]" in result.output
    assert "--from-catalogue" in result.output


def test_oece_pages_are_followed_newest_first_into_a_major_peruvian_source(
    runner, session, http_server, scrape
):
    path = "/api/v1/releasesAfter?format=json&order=desc"
    base = http_server.base_url + path

    def oece(number: int, date: str) -> dict:
        return {
            "ocid": f"ocds-dgv273-seacev3-{number}",
            "id": str(number),
            "date": date,
            "tag": ["tender"],
            "buyer": {"id": "PE-RUC-20131312955", "name": "Seguro Social de Salud"},
            "parties": [
                {
                    "id": "PE-RUC-20131312955",
                    "name": "Seguro Social de Salud",
                    "identifier": {"scheme": "PE-RUC", "id": "20131312955"},
                    "roles": ["buyer"],
                }
            ],
            "tender": {"id": f"AS-SM-{number}-2026-ESSALUD-1", "title": f"Compra {number}"},
        }

    pages = [
        release_package([oece(3, "2026-05-31T10:00:00-05:00")], base + "&searchAfter=3"),
        release_package([oece(2, "2026-05-30T10:00:00-05:00")], base + "&searchAfter=2"),
        release_package([oece(1, "2026-05-29T10:00:00-05:00")]),
    ]
    for suffix, page in zip(("", "&searchAfter=3", "&searchAfter=2"), pages, strict=True):
        http_server.route(path + suffix, http_server.Reply(body=json.dumps(page).encode()))
    source = registered(runner, session, "oece-ocds", "--url", base)

    run = scrape(source)

    assert (source.key, source.kind, source.major, source.timezone) == (
        "oece-ocds",
        SourceKind.OCDS,
        True,
        "America/Lima",
    )
    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 3)
    assert titles(session) == {"Compra 1", "Compra 2", "Compra 3"}
    assert source.watermark == "2026-05-31T15:00:00+00:00"
    assert session.scalar(select(Buyer.ruc)) == "20131312955"


def test_find_a_tender_is_asked_for_what_is_new_in_uk_time_and_read_to_its_last_page(
    runner, session, http_server, scrape
):
    path = "/api/1.0/ocdsReleasePackages"
    first = path + "?updatedFrom=2026-05-30T13%3A00%3A00"  # two days before, in London
    following = path + "?updatedFrom=2026-05-30T13%3A00%3A00&cursor=MTAwM%3D%3D"
    page_1 = release_package(
        [
            uk_release("083686-2026", "ocds-h6vhtk-0510f9", "2026-05-31T18:00:00+01:00", "Roads"),
            uk_release("083685-2026", "ocds-h6vhtk-0510f8", "2026-05-31T09:00:00+01:00", "Parks"),
        ],
        http_server.base_url + following,
        uri=http_server.base_url + first,
        license="http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    )
    page_2 = release_package(
        [uk_release("083601-2026", "ocds-h6vhtk-0510a0", "2026-05-30T15:00:00+01:00", "Lighting")]
    )
    http_server.route(first, http_server.Reply(body=json.dumps(page_1).encode()))
    http_server.route(following, http_server.Reply(body=json.dumps(page_2).encode()))
    source = registered(runner, session, "uk-find-a-tender", "--url", http_server.base_url + path)

    run = scrape(source)

    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 3), run.error
    assert titles(session) == {"Roads", "Parks", "Lighting"}
    assert set(session.scalars(select(Opportunity.currency))) == {"GBP"}
    assert set(session.scalars(select(Buyer.country))) == {"GB"}
    assert source.watermark == "2026-05-31T17:00:00+00:00"


def test_contracts_finder_in_iso_8859_1_is_read(runner, session, http_server, scrape):
    path = "/Published/Notices/OCDS/Search?limit=100"
    asked = path + "&publishedFrom=2026-05-30T13%3A00%3A00"
    page = release_package(
        [
            uk_release(
                "ocds-b5fd17-0a1b2c3d-ra1",
                "ocds-b5fd17-0a1b2c3d",
                "2026-05-31T10:00:00Z",
                "Café and catering services £",
            )
        ]
    )
    http_server.route(
        asked, http_server.Reply(body=json.dumps(page, ensure_ascii=False).encode("latin-1"))
    )
    source = registered(
        runner, session, "uk-contracts-finder", "--url", http_server.base_url + path
    )

    run = scrape(source)

    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 1), run.error
    assert titles(session) == {"Café and catering services £"}


def test_paraguay_needs_a_url_and_reads_the_dncp_record_package(
    runner, session, http_server, scrape, shared_fixtures
):
    refused = add_from_catalogue(runner, "paraguay-dncp")
    package = shared_fixtures / "ocds-cdmx-paraguay" / "record-package_1.1.json"
    url = http_server.serve_file("/datos/record-package/193399.json", package)
    source = registered(runner, session, "paraguay-dncp", "--url", url)

    run = scrape(source)

    assert refused.exit_code != 0 and "token de acceso" in refused.output
    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 1), run.error
    assert titles(session) == {"Adquisición de Scanner"}
    assert source.timezone == "America/Asuncion" and source.default_currency == "PYG"


def test_placsp_atom_feed_is_read_in_madrid_time_and_euros(
    runner, session, http_server, scrape, shared_fixtures
):
    url = http_server.serve_file(
        "/sindicacion/menores.atom", shared_fixtures / "placsp-atom" / "menores.atom"
    )
    source = registered(runner, session, "placsp-licitaciones", "--url", url)

    run = scrape(source)

    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 6), run.error
    assert (source.kind, source.timezone, source.default_currency) == (
        SourceKind.FEED,
        "Europe/Madrid",
        "EUR",
    )


def test_seace_result_pages_are_read_served_or_saved_in_a_folder(
    runner, session, http_server, scrape, shared_fixtures
):
    refused = add_from_catalogue(runner, "seace-resultados")
    page = shared_fixtures / "seace-html" / "regional_resultados_container_p1.html"
    url = http_server.serve_file("/buscadorPublico.xhtml", page)
    served = registered(runner, session, "seace-resultados", "--url", url)
    saved_pattern = (shared_fixtures / "seace-html").as_uri() + "/regional_resultados_[ct]*_p1.html"
    add_from_catalogue(runner, "seace-resultados", "seace-guardado", "--url", saved_pattern)
    saved = session.scalar(select(Source).where(Source.key == "seace-guardado"))

    from_server, from_files = scrape(served), scrape(saved)

    assert refused.exit_code != 0 and "sesión de navegador" in refused.output
    assert (from_server.status, from_server.new) == (RunStatus.SUCCEEDED, 15), from_server.error
    assert (from_files.status, from_files.fetched) == (RunStatus.SUCCEEDED, 30), from_files.error
    assert (
        session.scalar(select(func.count(RawPayload.id)).where(RawPayload.source_id == saved.id))
        == 2
    )
    assert session.scalar(select(func.count(Opportunity.id))) == 30


def test_command_line_options_replace_the_entry_values(runner, session):
    source = registered(
        runner,
        session,
        "oece-ocds",
        "mi-oece",
        "--url",
        "https://contratacionesabiertas.osce.gob.pe/api/v1/releasesAfter?format=json&order=desc",
        "--interval",
        "30",
        "--config",
        '{"max_pages": 3}',
    )

    entry = catalogue_entry("oece-ocds")
    assert (source.key, source.interval_minutes, source.timezone) == ("mi-oece", 30, "America/Lima")
    assert source.config == entry.config | {"max_pages": 3}
    assert source.url.startswith("https://contratacionesabiertas.osce.gob.pe/")


def test_unknown_entry_a_wrong_kind_and_a_local_url_outside_the_folders_are_refused(
    runner, session, tmp_path_factory
):
    outside = tmp_path_factory.mktemp("fuera") / "paquete.json"

    unknown = add_from_catalogue(runner, "no-existe")
    wrong_kind = add_from_catalogue(runner, "oece-ocds", "--kind", "feed")
    outside_url = add_from_catalogue(runner, "paraguay-dncp", "--url", outside.as_uri())

    assert unknown.exit_code != 0 and "oece-ocds" in unknown.output
    assert wrong_kind.exit_code != 0 and "tipo ocds" in wrong_kind.output
    assert outside_url.exit_code != 0 and "PORTAL_LOCAL_SOURCES_DIR" in outside_url.output
    assert session.scalar(select(func.count(Source.id))) == 0
