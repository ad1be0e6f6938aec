"""A folder or a glob as a source's file:// URL: several files of one publisher, each read as a
page in name order, every one held to PORTAL_LOCAL_SOURCES_DIR like a single file."""

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.opportunities.models import Opportunity
from scrapers.fetch import Fetcher, HostRegistry
from scrapers.models import RawPayload, RunStatus, SourceKind
from scrapers.pipeline import run_source
from scrapers.sources import SourceConfigError, add_source

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def package(number: int, title: str) -> bytes:
    release = {
        "ocid": f"ocds-dgv273-seacev3-{number}",
        "id": str(number),
        "date": "2026-05-30T10:00:00-05:00",
        "tag": ["tender"],
        "buyer": {"name": "Municipalidad Distrital de Cerro Colorado"},
        "tender": {"id": f"AS-SM-{number}-2026-MDCC-1", "title": title},
    }
    return json.dumps({"version": "1.1", "releases": [release]}).encode()


@pytest.fixture
def allowed(tmp_path):
    folder = tmp_path / "fuentes" / "oece"
    folder.mkdir(parents=True)
    (folder / "2026-05-02.json").write_bytes(package(2, "Segunda compra"))
    (folder / "2026-05-01.json").write_bytes(package(1, "Primera compra"))
    (folder / "leeme.txt").write_text("descargado a mano de la API de OECE")
    return folder


@pytest.fixture
def folder_fetcher(fetch_settings, allowed):
    settings = replace(fetch_settings, local_sources_dirs=(allowed.parent,))
    with Fetcher(settings, HostRegistry()) as fetcher:
        yield fetcher


def stored(session) -> tuple[list[str], set[str]]:
    urls = session.scalars(select(RawPayload.url).order_by(RawPayload.id)).all()
    return [url.rsplit("/", 1)[-1] for url in urls], set(session.scalars(select(Opportunity.title)))


def test_a_glob_reads_each_matching_file_as_a_page_in_name_order(
    session, make_source, folder_fetcher, allowed
):
    source = make_source("oece", SourceKind.OCDS, allowed.as_uri() + "/*.json")

    run = run_source(session, source, NOW, folder_fetcher)

    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 2), run.error
    assert stored(session) == (
        ["2026-05-01.json", "2026-05-02.json"],
        {"Primera compra", "Segunda compra"},
    )


def test_a_folder_reads_every_file_in_it(session, make_source, folder_fetcher, allowed):
    (allowed / "leeme.txt").unlink()
    source = make_source("oece", SourceKind.OCDS, str(allowed))

    run = run_source(session, source, NOW, folder_fetcher)

    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 2), run.error


def test_a_symlink_in_the_folder_that_leads_outside_fails_the_run_before_any_read(
    session, make_source, folder_fetcher, allowed, tmp_path
):
    secret = tmp_path / "secreto.json"
    secret.write_bytes(package(9, "clave-0451"))
    (allowed / "2026-05-03.json").symlink_to(secret)
    source = make_source("oece", SourceKind.OCDS, allowed.as_uri() + "/*.json")

    run = run_source(session, source, NOW, folder_fetcher)

    assert run.status == RunStatus.FAILED and "fuera de las carpetas permitidas" in run.error
    assert stored(session) == ([], set())


def test_a_pattern_that_matches_nothing_fails_the_run_saying_so(
    session, make_source, folder_fetcher, allowed
):
    source = make_source("oece", SourceKind.OCDS, allowed.as_uri() + "/*.xml")

    run = run_source(session, source, NOW, folder_fetcher)

    assert run.status == RunStatus.FAILED and "ningún archivo coincide" in run.error


def test_a_pattern_outside_the_folders_is_refused_when_added(session, allowed, tmp_path):
    with pytest.raises(SourceConfigError, match="fuera de las carpetas permitidas"):
        add_source(
            session,
            "fuera",
            SourceKind.OCDS,
            allowed.as_uri() + "/../../../*.json",
            local_dirs=(allowed.parent,),
        )


def test_real_dncp_releases_saved_as_files_make_one_source(
    session, make_source, fetcher, shared_fixtures
):
    pattern = (shared_fixtures / "ocds-sample-data" / "paraguay" / "releases").as_uri()
    source = make_source(
        "dncp", SourceKind.OCDS, pattern + "/*-tender.json", timezone="America/Asuncion"
    )

    run = run_source(session, source, NOW, fetcher)

    assert run.status == RunStatus.SUCCEEDED, run.error
    saved = list(
        (shared_fixtures / "ocds-sample-data" / "paraguay" / "releases").glob("*-tender.json")
    )
    assert session.scalar(select(func.count(RawPayload.id))) == len(saved)
    assert len(set(session.scalars(select(Opportunity.ocid)))) == 11
