"""Scraper fixtures: a local HTTP server, fast fetch settings and `make_source`."""

import importlib.util
from pathlib import Path

import pytest
from shared_data import SHARED_FIXTURES

from scrapers.fetch import Fetcher, FetchSettings, HostRegistry
from scrapers.models import SourceKind
from scrapers.sources import add_source


def _load_http_server():
    """Loaded by path: tests/ is not a package, and the name must not shadow anything."""
    path = Path(__file__).with_name("http_server.py")
    spec = importlib.util.spec_from_file_location("scrapers_test_http_server", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


http_server_module = _load_http_server()


@pytest.fixture
def http_server():
    """A fresh server per test, so scripted replies never leak between tests."""
    state, httpd = http_server_module.start_server()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def start_http_server():
    """More servers, on another loopback address or a given port: where a redirect may lead."""
    started = []

    def start(host: str = "127.0.0.1", port: int = 0):
        state, httpd = http_server_module.start_server(host, port)
        started.append(httpd)
        return state

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def fetch_settings(tmp_path) -> FetchSettings:
    """Local sources are read from the test's own folder (the app's instance) and the fixtures."""
    return FetchSettings(
        user_agent="ComprasMYPE-test/1.0",
        connect_timeout=2.0,
        read_timeout=2.0,
        attempts=3,
        backoff_base=0.01,
        min_interval=0.0,
        local_sources_dirs=(tmp_path, SHARED_FIXTURES),
    )


@pytest.fixture
def fetcher(fetch_settings):
    """A fresh host registry per test: a reused port must not inherit another test's robots."""
    with Fetcher(fetch_settings, HostRegistry()) as client:
        yield client


@pytest.fixture
def make_source(session):
    """Register a source with only what the test is about; flushed and committed."""

    def make(
        key: str = "fuente", kind: SourceKind = SourceKind.FEED, url: str | None = None, **options
    ):
        source = add_source(session, key, kind, url, **options)
        session.commit()
        return source

    return make
