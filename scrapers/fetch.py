"""The only network code of the scrapers: polite, conditional, retried HTTP, streamed to disk.

Local paths and `file://` URLs are read from disk, so the demo and the tests need no network.
"""

import tempfile
import time
import urllib.robotparser
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import httpx

SPOOL_IN_MEMORY_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024


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


class Fetcher:
    """One HTTP client for many fetches: keeps robots.txt per host and the last request times."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._last_request: dict[str, float] = {}
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
        """Keep at least min_interval seconds between two requests to one host."""
        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None:
            remaining = self.settings.min_interval - (time.monotonic() - last)
            if remaining > 0:
                time.sleep(remaining)
        self._last_request[host] = time.monotonic()

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        return self._robots[origin].can_fetch(self.settings.user_agent, url)

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        """A missing or broken robots.txt allows everything, as the convention says."""
        parser = urllib.robotparser.RobotFileParser(f"{origin}/robots.txt")
        self._wait_for_host(origin)
        try:
            response = self._client.get(f"{origin}/robots.txt")
        except httpx.HTTPError:
            parser.parse([])
            return parser
        if response.status_code in (401, 403):
            parser.disallow_all = True
        elif response.status_code >= 400:
            parser.allow_all = True
        else:
            parser.parse(response.text.splitlines())
        return parser


class _Retryable(Exception):
    """A server-side failure worth another attempt (5xx)."""


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
