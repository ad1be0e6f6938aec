"""A source's own file:// URL is read only inside PORTAL_LOCAL_SOURCES_DIR (the instance folder
by default), however the path is spelled; `portal sources add` says so before storing it."""

import os
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.app import create_app
from scrapers.fetch import Fetcher, FetchError, HostRegistry, settings_from_config
from scrapers.models import RunStatus, Source, SourceKind
from scrapers.pipeline import run_source

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FEED = b'<rss version="2.0"><channel><title>Avisos</title></channel></rss>'


@pytest.fixture
def folders(tmp_path):
    """An allowed folder with a feed in it, and a secret beside it, outside."""
    allowed = tmp_path / "fuentes"
    allowed.mkdir()
    (allowed / "avisos.rss").write_bytes(FEED)
    (tmp_path / "secreto.txt").write_text("clave")
    return allowed, tmp_path / "secreto.txt"


@pytest.fixture
def local_fetcher(fetch_settings, folders):
    settings = replace(fetch_settings, local_sources_dirs=(folders[0],))
    with Fetcher(settings, HostRegistry()) as fetcher:
        yield fetcher


def test_a_file_inside_the_allowed_folder_is_read_as_url_or_path(local_fetcher, folders):
    allowed, _secret = folders
    for url in ((allowed / "avisos.rss").as_uri(), str(allowed / "avisos.rss")):
        with local_fetcher.fetch(url).body as body:
            assert body.read() == FEED


@pytest.mark.parametrize(
    "spelling",
    [
        lambda allowed, secret: secret.as_uri(),
        lambda allowed, secret: str(secret),
        lambda allowed, secret: f"file://{allowed}/../secreto.txt",
        lambda allowed, secret: f"{allowed}/../secreto.txt",
        lambda allowed, secret: f"file://{allowed}/%2E%2E/secreto.txt",
        lambda allowed, secret: "file:///etc/passwd",
    ],
)
def test_a_file_outside_the_allowed_folder_is_refused_however_spelled(
    local_fetcher, folders, spelling
):
    allowed, secret = folders

    with pytest.raises(FetchError, match="fuera de las carpetas permitidas") as refused:
        local_fetcher.fetch(spelling(allowed, secret))

    assert str(allowed) in str(refused.value) and "PORTAL_LOCAL_SOURCES_DIR" in str(refused.value)


def test_a_symlink_in_the_allowed_folder_that_leads_outside_is_refused(local_fetcher, folders):
    allowed, secret = folders
    (allowed / "enlace.rss").symlink_to(secret)

    with pytest.raises(FetchError, match="fuera de las carpetas permitidas"):
        local_fetcher.fetch((allowed / "enlace.rss").as_uri())


def test_a_file_on_another_machine_is_refused(local_fetcher):
    with pytest.raises(FetchError, match="otra máquina"):
        local_fetcher.fetch("file://servidor/compartido/avisos.rss")


def test_without_allowed_folders_no_local_file_is_read(fetch_settings, folders):
    allowed, _secret = folders
    settings = replace(fetch_settings, local_sources_dirs=())

    with Fetcher(settings, HostRegistry()) as fetcher:
        with pytest.raises(FetchError, match="ninguna"):
            fetcher.fetch((allowed / "avisos.rss").as_uri())


def test_the_setting_defaults_to_the_instance_folder_and_takes_several(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_LOCAL_SOURCES_DIR", raising=False)
    default = create_app({"TESTING": True}, instance_path=str(tmp_path / "instancia"))
    other, more = tmp_path / "otra", tmp_path / "mas"
    monkeypatch.setenv("PORTAL_LOCAL_SOURCES_DIR", f"{other}{os.pathsep}{more}")
    configured = create_app({"TESTING": True}, instance_path=str(tmp_path / "instancia"))

    dirs = settings_from_config(default.config).local_sources_dirs
    assert dirs == ((tmp_path / "instancia").resolve(),)
    assert settings_from_config(configured.config).local_sources_dirs == (other, more)


def test_a_run_of_a_source_outside_the_folders_fails_and_stores_nothing(
    session, make_source, local_fetcher, folders
):
    _allowed, secret = folders
    source = make_source(
        "secreto", SourceKind.FEED, secret.as_uri()
    )  # registered bypassing the CLI

    run = run_source(session, source, NOW, local_fetcher)

    assert run.status == RunStatus.FAILED and "fuera de las carpetas permitidas" in run.error
    assert (run.fetched, source.consecutive_failures) == (0, 1)


def add_feed(runner, key: str, url: str):
    return runner.invoke(args=["sources", "add", key, "--kind", "feed", "--url", url])


def test_sources_add_refuses_a_file_outside_the_folders_with_a_clear_error(
    app, runner, session, tmp_path
):
    outside = tmp_path.parent / "fuera.rss"

    added = add_feed(runner, "fuera", outside.as_uri())

    assert added.exit_code != 0
    assert "fuera de las carpetas permitidas para fuentes locales" in added.output
    assert "PORTAL_LOCAL_SOURCES_DIR" in added.output
    assert session.scalar(select(func.count(Source.id))) == 0


def test_sources_add_accepts_a_file_in_an_allowed_folder(app, runner, session, tmp_path):
    """The tests' configuration allows their own folder (their instance) and the fixtures."""
    url = (tmp_path / "demo" / "avisos.rss").as_uri()

    added = add_feed(runner, "local", url)

    assert added.exit_code == 0, added.output
    assert session.scalar(select(Source.url)) == url


def test_sources_add_follows_the_configured_folder(app, runner, session, tmp_path):
    folder = tmp_path / "guardados"
    app.config["PORTAL_LOCAL_SOURCES_DIR"] = str(folder)

    inside = add_feed(runner, "dentro", (folder / "avisos.rss").as_uri())
    instance = add_feed(runner, "instancia", os.path.join(app.instance_path, "avisos.rss"))

    assert inside.exit_code == 0, inside.output
    assert instance.exit_code != 0 and "fuera de las carpetas permitidas" in instance.output


@pytest.mark.parametrize("url", ["ftp://datos.example.pe/avisos.rss", "gopher://x/1"])
def test_sources_add_refuses_urls_that_are_neither_web_nor_file(app, runner, session, url):
    added = add_feed(runner, "rara", url)

    assert added.exit_code != 0 and "URL no admitida" in added.output
    assert session.scalar(select(func.count(Source.id))) == 0
