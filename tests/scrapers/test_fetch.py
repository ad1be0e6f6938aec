"""Fetching against a real local HTTP server: validators, retries, timeouts, robots, spacing."""

import threading
import urllib.robotparser
from dataclasses import replace

import pytest

from scrapers.fetch import ROBOTS_CACHE_SECONDS, Fetcher, FetchError, HostRegistry

ATOM = "placsp-atom/menores.atom"


def test_ok_response_streams_the_body_and_sends_the_portal_user_agent(
    http_server, fetcher, shared_fixtures
):
    url = http_server.serve_file("/feed", shared_fixtures / ATOM, etag='"v1"')

    result = fetcher.fetch(url)

    assert not result.not_modified
    with result.body as body:
        assert body.read() == (shared_fixtures / ATOM).read_bytes()
    assert result.etag == '"v1"'
    assert http_server.seen("/feed")[0].headers["User-Agent"] == "ComprasMYPE-test/1.0"


def test_stored_etag_is_sent_and_304_means_not_modified(http_server, fetcher):
    url = http_server.route("/feed", http_server.Reply(body=b"<feed/>", etag='"v1"'))

    result = fetcher.fetch(url, etag='"v1"')

    assert result.not_modified and result.body is None
    assert http_server.seen("/feed")[0].headers["If-None-Match"] == '"v1"'


def test_stored_last_modified_is_sent_and_304_means_not_modified(http_server, fetcher):
    stamp = "Thu, 01 Jan 2026 00:00:00 GMT"
    url = http_server.route("/feed", http_server.Reply(body=b"<feed/>", last_modified=stamp))

    assert fetcher.fetch(url, last_modified=stamp).not_modified
    with fetcher.fetch(url, last_modified="Wed, 31 Dec 2025 00:00:00 GMT").body as body:
        assert body.read() == b"<feed/>"


def test_client_error_fails_at_once_without_retry(http_server, fetcher):
    url = http_server.route("/gone", http_server.Reply(status=404, body=b"no"))

    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher.fetch(url)
    assert len(http_server.seen("/gone")) == 1


def test_server_error_is_retried_until_it_succeeds(http_server, fetcher):
    Reply = http_server.Reply
    url = http_server.route("/flaky", Reply(status=500), Reply(status=503), Reply(body=b"ok"))

    with fetcher.fetch(url).body as body:
        assert body.read() == b"ok"
    assert len(http_server.seen("/flaky")) == 3


def test_server_error_that_persists_fails_after_the_configured_attempts(http_server, fetcher):
    url = http_server.route("/down", http_server.Reply(status=502))

    with pytest.raises(FetchError, match="3 intentos"):
        fetcher.fetch(url)
    assert len(http_server.seen("/down")) == 3


def test_slow_response_hits_the_read_timeout(http_server, fetch_settings):
    url = http_server.route("/slow", http_server.Reply(body=b"late", delay=0.6))
    settings = replace(fetch_settings, read_timeout=0.2, attempts=2)

    with Fetcher(settings) as fetcher, pytest.raises(FetchError, match="tiempo de espera"):
        fetcher.fetch(url)
    assert len(http_server.seen("/slow")) == 2


def test_robots_disallow_refuses_the_url_and_is_read_once_for_every_fetcher(
    http_server, fetch_settings
):
    Reply = http_server.Reply
    http_server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n"))
    http_server.route("/public", Reply(body=b"ok"))
    http_server.route("/private/list", Reply(body=b"secret"))
    hosts = HostRegistry()

    with Fetcher(fetch_settings, hosts) as first, Fetcher(fetch_settings, hosts) as second:
        with first.fetch(http_server.base_url + "/public").body as body:
            assert body.read() == b"ok"
        with pytest.raises(FetchError, match="robots.txt"):
            second.fetch(http_server.base_url + "/private/list")
    assert http_server.seen("/private/list") == []
    assert len(http_server.seen("/robots.txt")) == 1


def test_robots_server_error_forbids_the_host_and_is_asked_again_next_time(
    http_server, fetch_settings
):
    http_server.route("/robots.txt", http_server.Reply(status=503))
    url = http_server.route("/page", http_server.Reply(body=b"ok"))

    with Fetcher(fetch_settings, HostRegistry()) as fetcher:
        for _ in range(2):
            with pytest.raises(FetchError, match=r"robots.txt no disponible \(HTTP 503\)"):
                fetcher.fetch(url)
    assert http_server.seen("/page") == []
    assert len(http_server.seen("/robots.txt")) == 2


def test_robots_that_times_out_forbids_the_host(http_server, fetch_settings):
    http_server.route("/robots.txt", http_server.Reply(body=b"", delay=0.6))
    url = http_server.route("/page", http_server.Reply(body=b"ok"))
    settings = replace(fetch_settings, read_timeout=0.2)

    with Fetcher(settings, HostRegistry()) as fetcher:
        with pytest.raises(FetchError, match="robots.txt no disponible.*se asume prohibido"):
            fetcher.fetch(url)
    assert http_server.seen("/page") == []


def test_missing_robots_allows_everything(http_server, fetch_settings):
    http_server.route("/robots.txt", http_server.Reply(status=404))
    url = http_server.route("/page", http_server.Reply(body=b"ok"))

    with Fetcher(fetch_settings, HostRegistry()) as fetcher, fetcher.fetch(url).body as body:
        assert body.read() == b"ok"


def test_robots_are_kept_for_a_day_then_read_again():
    hosts = HostRegistry()
    loads = []

    def load() -> urllib.robotparser.RobotFileParser:
        loads.append(1)
        return urllib.robotparser.RobotFileParser()

    for now in (0.0, 3600.0, ROBOTS_CACHE_SECONDS - 1.0, ROBOTS_CACHE_SECONDS + 1.0):
        hosts.robots("https://contrataciones.example", now, load)
    assert len(loads) == 2


def test_each_request_to_a_host_is_booked_one_interval_after_the_last():
    hosts = HostRegistry()

    waits = [hosts.reserve_request("portal.example", 1.0, 100.0) for _ in range(3)]

    assert waits == [0.0, 1.0, 2.0]
    assert hosts.reserve_request("other.example", 1.0, 100.0) == 0.0
    assert hosts.reserve_request("portal.example", 1.0, 100.5) == 2.5
    assert hosts.reserve_request("portal.example", 1.0, 200.0) == 0.0


def test_requests_to_one_host_are_spaced_by_the_minimum_interval(http_server, fetch_settings):
    url = http_server.route("/page", http_server.Reply(body=b"ok"))

    with Fetcher(replace(fetch_settings, min_interval=0.5)) as fetcher:
        for _ in range(3):
            fetcher.fetch(url).body.close()

    times = [request.at for request in http_server.seen("/page")]
    # arrival times jitter under load; unpaced, the requests arrive milliseconds apart
    assert all(later - earlier >= 0.3 for earlier, later in zip(times, times[1:], strict=False))


def test_fetchers_on_different_threads_keep_their_requests_to_a_host_apart(
    http_server, fetch_settings
):
    """The scheduler gives each source its own Fetcher on a thread pool; the host sees one pace."""
    url = http_server.route("/page", http_server.Reply(body=b"ok"))
    settings = replace(fetch_settings, min_interval=0.5, respect_robots=False)
    start = threading.Barrier(3)

    def fetch_twice() -> None:
        with Fetcher(settings) as fetcher:
            start.wait()
            for _ in range(2):
                fetcher.fetch(url).body.close()

    threads = [threading.Thread(target=fetch_twice) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    times = sorted(request.at for request in http_server.seen("/page"))
    assert len(times) == 6
    # Arrival times jitter on a loaded machine; unpaced, the three threads' requests would
    # arrive together (gaps of milliseconds), so 0.3 s of the 0.5 s still shows the pace.
    assert all(later - earlier >= 0.3 for earlier, later in zip(times, times[1:], strict=False))


def test_local_paths_and_file_urls_are_read_from_disk(fetcher, shared_fixtures):
    path = shared_fixtures / ATOM

    for url in (str(path), path.as_uri()):
        with fetcher.fetch(url).body as body:
            assert body.read() == path.read_bytes()


def test_missing_local_file_is_a_fetch_error(fetcher, tmp_path):
    with pytest.raises(FetchError):
        fetcher.fetch((tmp_path / "nada.json").as_uri())
