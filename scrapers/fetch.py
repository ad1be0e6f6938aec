"""The only network code of the scrapers: polite, conditional, retried HTTP, streamed to disk.

Local paths and `file://` URLs are read from disk, so the demo and the tests need no network.
"""

import tempfile
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import httpx

SPOOL_IN_MEMORY_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024
ROBOTS_CACHE_SECONDS = 24 * 60 * 60  # RFC 9309 section 2.4: cache no longer than 24 hours


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
    )


def is_local(url: str) -> bool:
    return url.startswith("file://") or "://" not in url


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
    """One HTTP client for many fetches; spacing and robots.txt live in the shared registry."""

    def __init__(self, settings: FetchSettings, hosts: HostRegistry = HOSTS) -> None:
        self.settings = settings
        self.hosts = hosts
        timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": settings.user_agent},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        if is_local(url):
            return _read_local(url)
        if self.settings.respect_robots and not self._allowed(url):
            raise FetchError(f"robots.txt no permite {url}")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._with_retries(url, headers)

    def _with_retries(self, url: str, headers: dict) -> FetchResult:
        for attempt in range(1, self.settings.attempts + 1):
            try:
                return self._attempt(url, headers)
            except (_Retryable, httpx.TransportError) as error:
                if attempt == self.settings.attempts:
                    reason = f"{url}: {_describe(error)} tras {attempt} intentos"
                    raise FetchError(reason) from error
                time.sleep(self.settings.backoff_base * 2 ** (attempt - 1))
        raise AssertionError("unreachable: attempts must be at least 1")

    def _attempt(self, url: str, headers: dict) -> FetchResult:
        self._wait_for_host(url)
        with self._client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return FetchResult(url=url, not_modified=True, **_validators(response))
            if response.status_code >= 500:
                raise _Retryable(f"HTTP {response.status_code}")
            if response.status_code >= 400:
                raise FetchError(f"{url}: HTTP {response.status_code}")
            body = _spool(response.iter_bytes(CHUNK_BYTES))
            return FetchResult(
                url=str(response.url),
                not_modified=False,
                body=body,
                content_type=response.headers.get("Content-Type"),
                headers=dict(response.headers),
                **_validators(response),
            )

    def _wait_for_host(self, url: str) -> None:
        """Keep at least min_interval seconds between two requests to one host, process-wide."""
        host = urlsplit(url).netloc
        wait = self.hosts.reserve_request(host, self.settings.min_interval, time.monotonic())
        if wait > 0:
            time.sleep(wait)

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self.hosts.robots(origin, time.monotonic(), lambda: self._load_robots(origin))
        return parser.can_fetch(self.settings.user_agent, url)

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        """RFC 9309: a missing robots.txt (4xx) allows all, an unreachable one (5xx) forbids all.

        401 and 403 stay a refusal: the RFC allows crawling then, but a portal asking to be let
        alone is obeyed. Unreachable raises instead of caching, so the next run asks again.
        """
        url = f"{origin}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(url)
        self._wait_for_host(origin)
        try:
            response = self._client.get(url)
        except httpx.HTTPError as error:
            raise _robots_unreachable(url, _describe(error)) from error
        if response.status_code >= 500:
            raise _robots_unreachable(url, f"HTTP {response.status_code}")
        if response.status_code in (401, 403):
            parser.disallow_all = True
        elif response.status_code >= 400:
            parser.allow_all = True
        else:
            parser.parse(response.text.splitlines())
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


def _spool(chunks) -> tempfile.SpooledTemporaryFile:
    """Write the body to a spooled file: small bodies stay in memory, large ones go to disk."""
    body = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)
    for chunk in chunks:
        body.write(chunk)
    body.seek(0)
    return body


def local_path(url: str) -> Path:
    if url.startswith("file://"):
        return Path(unquote(urlsplit(url).path))
    return Path(url)


def _read_local(url: str) -> FetchResult:
    """The file itself is the body: nothing is copied, however large."""
    path = local_path(url)
    try:
        body = open(path, "rb")  # closed by the caller, like a spooled body
    except OSError as error:
        raise FetchError(f"{path}: {error.strerror or error}") from error
    return FetchResult(url=url, not_modified=False, body=body)
