"""The only network code of the scrapers: polite, conditional, retried HTTP, streamed to disk.

A source's own URL may be a local file (`file://` or a path) inside PORTAL_LOCAL_SOURCES_DIR, so
the demo and the tests need no network. Everything else a run fetches (next pages, redirects)
is http(s), and reaches internal addresses only when the source's own URL is on one
(`addresses.py`). Every body has a cap, enforced while it streams (`http_body.py`).
"""

import os
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

import httpx

from portal.web_urls import web_url
from scrapers import addresses, http_body, local_files
from scrapers.addresses import AddressRefused
from scrapers.http_body import BodyRefused
from scrapers.limits import (
    DEFAULT_MAX_DUMP_BYTES,
    DEFAULT_MAX_DUMP_MB,
    MAX_PAGE_BYTES,
    MB,
    too_large,
)
from scrapers.local_files import LocalFileRefused, is_local

ROBOTS_CACHE_SECONDS = 24 * 60 * 60  # RFC 9309 section 2.4: cache no longer than 24 hours
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 section 2.5: parse at least 500 KiB, the rest may go
MAX_REDIRECTS = 10
HTTP_ONLY = "solo se siguen direcciones http y https"


class FetchError(Exception):
    """The source could not be fetched; the message is the reason recorded on the run."""


@dataclass(frozen=True)
class FetchSettings:
    """Politeness and patience; tests shrink the delays to nothing."""

    user_agent: str
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    attempts: int = 3
    backoff_base: float = 1.0
    min_interval: float = 1.0
    respect_robots: bool = True
    max_dump_bytes: int = DEFAULT_MAX_DUMP_BYTES  # OCDS; pages and feeds have MAX_PAGE_BYTES
    local_sources_dirs: tuple[Path, ...] = ()  # none: no local file is read


@dataclass(frozen=True)
class FetchResult:
    """A body spooled to a temporary file (None when not modified) with the validators to keep."""

    url: str
    not_modified: bool
    body: BinaryIO | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: dict = field(default_factory=dict)


def settings_from_config(config: dict) -> FetchSettings:
    """Fetch settings from the app config; every key has a default."""
    return FetchSettings(
        user_agent=config["PORTAL_USER_AGENT"],
        connect_timeout=float(config.get("PORTAL_FETCH_CONNECT_TIMEOUT", 10.0)),
        read_timeout=float(config.get("PORTAL_FETCH_READ_TIMEOUT", 60.0)),
        attempts=int(config.get("PORTAL_FETCH_ATTEMPTS", 3)),
        backoff_base=float(config.get("PORTAL_FETCH_BACKOFF", 1.0)),
        min_interval=float(config.get("PORTAL_FETCH_MIN_INTERVAL", 1.0)),
        respect_robots=bool(config.get("PORTAL_FETCH_RESPECT_ROBOTS", True)),
        max_dump_bytes=int(config.get("PORTAL_FETCH_MAX_DUMP_MB") or DEFAULT_MAX_DUMP_MB) * MB,
        local_sources_dirs=local_files.folders(config.get("PORTAL_LOCAL_SOURCES_DIR")),
    )


@dataclass(frozen=True)
class _CachedRobots:
    parser: urllib.robotparser.RobotFileParser
    expires_at: float


class HostRegistry:
    """Request spacing and robots.txt per host, shared by every Fetcher of the process.

    The scheduler runs sources on a thread pool with one Fetcher each; state kept per Fetcher
    let several sources hit one host at once. Times are `time.monotonic()` seconds, passed in.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next_start: dict[str, float] = {}
        self._robots: dict[str, _CachedRobots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    def reserve_request(self, host: str, min_interval: float, now: float) -> float:
        """Book the host's next free slot and say how many seconds to wait for it.

        Booking, not just remembering the last request, is what keeps concurrent callers apart.
        """
        with self._lock:
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + min_interval
            return start - now

    def robots(
        self,
        origin: str,
        now: float,
        load: Callable[[], urllib.robotparser.RobotFileParser],
    ) -> urllib.robotparser.RobotFileParser:
        """The origin's robots.txt, loaded by one caller at a time; a failed load is not kept."""
        with self._origin_lock(origin):
            cached = self._robots.get(origin)
            if cached is None or cached.expires_at <= now:
                cached = _CachedRobots(load(), now + ROBOTS_CACHE_SECONDS)
                self._robots[origin] = cached
            return cached.parser

    def _origin_lock(self, origin: str) -> threading.Lock:
        """One lock per origin, so a slow robots.txt never holds up other hosts."""
        with self._lock:
            return self._robots_locks.setdefault(origin, threading.Lock())


HOSTS = HostRegistry()


class Fetcher:
    """Two HTTP clients for many fetches: one that reaches only public addresses and one for
    sources on internal ones; spacing and robots.txt live in the shared registry."""

    def __init__(self, settings: FetchSettings, hosts: HostRegistry = HOSTS) -> None:
        self.settings = settings
        self.hosts = hosts
        self._clients = {internal: self._client(internal) for internal in (False, True)}

    def _client(self, internal_allowed: bool) -> httpx.Client:
        """Redirects are followed by `_response`, which checks each hop's URL first."""
        return httpx.Client(
            timeout=httpx.Timeout(
                self.settings.read_timeout, connect=self.settings.connect_timeout
            ),
            follow_redirects=False,
            headers={
                "User-Agent": self.settings.user_agent,
                "Accept-Encoding": http_body.ACCEPT_ENCODING,
            },
            transport=addresses.transport(internal_allowed),
        )

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        source_url: str | None = None,
        max_bytes: int = MAX_PAGE_BYTES,
    ) -> FetchResult:
        """Fetch `url` for the source whose own URL is `source_url` (by default `url` itself).

        Only the source's own URL may be a local file; a link found in its content and every
        redirect must be http(s). A body past `max_bytes` is refused as it streams.
        """
        source_url = source_url or url
        try:
            if is_local(url) and url == source_url:
                return _read_local(url, self.settings.local_sources_dirs, max_bytes)
            client = self._clients[addresses.is_local_url(source_url)]
            return self._fetch_web(_followable(url), etag, last_modified, client, max_bytes)
        except LocalFileRefused as error:
            raise FetchError(str(error)) from error
        except (AddressRefused, BodyRefused) as error:
            raise FetchError(f"{url}: {error}") from error

    def _fetch_web(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        client: httpx.Client,
        max_bytes: int,
    ) -> FetchResult:
        if self.settings.respect_robots and not self._allowed(url, client):
            raise FetchError(f"robots.txt no permite {url}")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for attempt in range(1, self.settings.attempts + 1):
            try:
                return self._attempt(url, headers, client, max_bytes)
            except (_Retryable, httpx.TransportError) as error:
                if attempt == self.settings.attempts:
                    reason = f"{url}: {_describe(error)} tras {attempt} intentos"
                    raise FetchError(reason) from error
                time.sleep(self.settings.backoff_base * 2 ** (attempt - 1))
        raise AssertionError("unreachable: attempts must be at least 1")

    def _attempt(
        self, url: str, headers: dict, client: httpx.Client, max_bytes: int
    ) -> FetchResult:
        with self._response(client, url, headers) as response:
            if response.status_code == 304:
                return FetchResult(url=url, not_modified=True, **_validators(response))
            if response.status_code >= 500:
                raise _Retryable(f"HTTP {response.status_code}")
            if response.status_code >= 400:
                raise FetchError(f"{url}: HTTP {response.status_code}")
            body = http_body.spool(response, max_bytes)
            return FetchResult(
                url=str(response.url),
                not_modified=False,
                body=body,
                content_type=response.headers.get("Content-Type"),
                headers=dict(response.headers),
                **_validators(response),
            )

    @contextmanager
    def _response(self, client: httpx.Client, url: str, headers: dict) -> Iterator[httpx.Response]:
        """The response at the end of the redirects; each hop's URL is checked before it is
        requested, and its address when the connection opens."""
        for _hop in range(MAX_REDIRECTS + 1):
            self._wait_for_host(url)
            request = client.build_request("GET", url, headers=headers)
            try:
                response = client.send(request, stream=True)
            except httpx.InvalidURL as error:  # httpx reads Location itself, and chokes on some
                raise FetchError(f"{url}: redirección no válida ({error}); {HTTP_ONLY}") from error
            if not response.has_redirect_location:
                try:
                    yield response
                finally:
                    response.close()
                return
            response.close()
            url = _followable(urljoin(str(response.url), response.headers["Location"]))
        raise FetchError(f"{url}: más de {MAX_REDIRECTS} redirecciones")

    def _wait_for_host(self, url: str) -> None:
        """Keep at least min_interval seconds between two requests to one host, process-wide."""
        host = urlsplit(url).netloc
        wait = self.hosts.reserve_request(host, self.settings.min_interval, time.monotonic())
        if wait > 0:
            time.sleep(wait)

    def _allowed(self, url: str, client: httpx.Client) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self.hosts.robots(
            origin, time.monotonic(), lambda: self._load_robots(origin, client)
        )
        return parser.can_fetch(self.settings.user_agent, url)

    def _load_robots(self, origin: str, client: httpx.Client) -> urllib.robotparser.RobotFileParser:
        """RFC 9309: a missing robots.txt (4xx) allows all, an unreachable one (5xx) forbids all.

        401 and 403 stay a refusal: the RFC allows crawling then, but a portal asking to be let
        alone is obeyed. Unreachable raises instead of caching, so the next run asks again.
        """
        url = f"{origin}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(url)
        try:
            with self._response(client, url, {}) as response:
                status = response.status_code
                text = _robots_text(response) if status < 300 else ""
        except httpx.HTTPError as error:
            raise _robots_unreachable(url, _describe(error)) from error
        if status >= 500:
            raise _robots_unreachable(url, f"HTTP {status}")
        if status in (401, 403):
            parser.disallow_all = True
        elif status >= 400:
            parser.allow_all = True
        else:
            parser.parse(text.splitlines())
        return parser


class _Retryable(Exception):
    """A server-side failure worth another attempt (5xx)."""


def _robots_unreachable(url: str, reason: str) -> FetchError:
    return FetchError(f"robots.txt no disponible ({reason}): se asume prohibido ({url})")


def _describe(error: Exception) -> str:
    if isinstance(error, httpx.TimeoutException):
        return f"tiempo de espera agotado ({type(error).__name__})"
    return str(error) or type(error).__name__


def _validators(response: httpx.Response) -> dict:
    return {
        "etag": response.headers.get("ETag"),
        "last_modified": response.headers.get("Last-Modified"),
    }


def _followable(url: str) -> str:
    """A URL that a page or a redirect gave: http(s) only, never a file, script or data."""
    checked = web_url(url)
    if checked is None:
        raise FetchError(f"enlace no permitido: {url[:300]} ({HTTP_ONLY})")
    return checked


def _robots_text(response: httpx.Response) -> str:
    """The first ROBOTS_MAX_BYTES of robots.txt, decompressed in bounded pieces."""
    text = bytearray()
    for piece in http_body.decoded(response):
        text += piece
        if len(text) >= ROBOTS_MAX_BYTES:
            break
    return bytes(text[:ROBOTS_MAX_BYTES]).decode("utf-8", "replace")


def _read_local(url: str, allowed: tuple[Path, ...], max_bytes: int) -> FetchResult:
    """The file itself is the body: nothing is copied; past max_bytes it is not read at all."""
    path = local_files.allowed_path(url, allowed)
    try:
        body = open(path, "rb")  # closed by the caller, like a spooled body
    except OSError as error:
        raise FetchError(f"{path}: {error.strerror or error}") from error
    if os.fstat(body.fileno()).st_size > max_bytes:
        body.close()
        raise FetchError(f"{path}: {too_large(max_bytes)}")
    return FetchResult(url=url, not_modified=False, body=body)
