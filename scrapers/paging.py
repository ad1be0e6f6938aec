"""Paged OCDS APIs, read newest first and only as far as what an earlier visit stored.

Peru's OECE (`releasesAfter?order=desc`) and UK Find a Tender answer with release packages whose
`links.next` leads to older releases. A visit follows those links until a page holds a release at
or before its threshold: the source's watermark (the newest release date a successful visit
stored, `sources.watermark`), or on a first visit the configured `since` (ISO date) or
`since_days`, else only `max_pages` bounds it. An API that filters by date itself gets the
threshold in the query parameter named by `since_param` and is read to its last page.

The parser's side (`PageFacts`) is pure and light, for the parse worker; the pipeline's side
(`Visit`) takes the facts out of the items before ingest and hands back the new watermark, which
the pipeline stores only with a successful run: a failed page leaves it where it was, so the
next visit reads the same releases again.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapers.dates import to_utc
from scrapers.records import ItemError, NextPage, OpportunityRecord, ParsedItem

_PARAMETER = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")


class PagingConfigError(ValueError):
    """A source's `since`, `since_days` or `since_param` cannot be used; the message says why."""


@dataclass(frozen=True)
class ReleaseSpan:
    """The newest and oldest release dates on one page of a paged package (one with `links`).

    Not a ParsedItem: `Visit.read` takes it out of the items before they reach ingest.
    """

    newest: datetime
    oldest: datetime


class PageFacts:
    """What one payload says about paging: its packages' `links.next` and its release dates.

    Packages without `links` (a file, a dump) say nothing, so their parse is what it was.
    """

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone
        self._paged = False
        self._next: str | None = None
        self._newest: datetime | None = None
        self._oldest: datetime | None = None

    def note_package(self, package: dict) -> None:
        """A package's metadata, read whole after its releases (`links` may come last)."""
        links = package.get("links")
        if not isinstance(links, dict):
            return
        self._paged = True
        following = links.get("next")
        if isinstance(following, str) and following.strip():
            self._next = following.strip()

    def note_release(self, release: dict) -> None:
        date = to_utc(release.get("date"), self._zone)
        if date is None:
            return
        self._newest = date if self._newest is None else max(self._newest, date)
        self._oldest = date if self._oldest is None else min(self._oldest, date)

    def items(self) -> list[NextPage | ReleaseSpan]:
        if not self._paged:
            return []
        found: list[NextPage | ReleaseSpan] = []
        if self._newest is not None and self._oldest is not None:
            found.append(ReleaseSpan(self._newest, self._oldest))
        if self._next:
            found.append(NextPage(self._next))
        return found


class PageReader:
    """The items of a visit's pages, page after page, with the paging facts taken out.

    Pages come newest first, so a process stored from an earlier page was stored at its newest
    release: its older releases on later pages are dropped, or they would roll it back (and
    tell its followers of changes that never happened).
    """

    def __init__(self) -> None:
        self.spans: list[ReleaseSpan] = []
        self.page_span: ReleaseSpan | None = None
        self._stored: set[str] = set()

    def read(self, items: Iterable) -> Iterator[ParsedItem]:
        self.page_span = None
        page_refs: set[str] = set()
        for item in items:
            if isinstance(item, ReleaseSpan):
                self.page_span = item
                self.spans.append(item)
            elif _ref(item) not in self._stored:
                if isinstance(item, OpportunityRecord):
                    page_refs.add(item.source_ref)
                yield item
        if self.page_span is not None:
            self._stored |= page_refs


class Visit:
    """One run over a source: where it starts, where it stops, and the watermark it leaves."""

    def __init__(self, config: dict, watermark: str | None, zone: tzinfo, now: datetime) -> None:
        since = configured_since(config, zone, now)
        self._watermark = _stored(watermark)
        self.threshold = max((d for d in (self._watermark, since) if d), default=None)
        self._since_param: str | None = config.get("since_param")
        self._zone = zone
        self.reader = PageReader()

    def first_url(self, url: str) -> str:
        """The source's URL, with the threshold in `since_param` when the API filters by date."""
        if not self._since_param or self.threshold is None:
            return url
        value = self.threshold.astimezone(self._zone).strftime("%Y-%m-%dT%H:%M:%S")
        return with_parameter(url, self._since_param, value)

    def read(self, items: Iterable) -> Iterator[ParsedItem]:
        return self.reader.read(items)

    def reached(self) -> bool:
        """Whether the page just read holds a release at or before the threshold: its next link
        leads only to releases already stored (or older than `since`)."""
        span = self.reader.page_span
        if span is None or self.threshold is None or self._since_param:
            return False
        return span.oldest <= self.threshold

    def kept(self) -> dict[str, str]:
        """The watermark a successful run leaves: the newest release date stored so far."""
        newest = max((span.newest for span in self.reader.spans), default=None)
        if newest is None:
            return {}
        return {"watermark": max(d for d in (newest, self._watermark) if d).isoformat()}

    def unread(self) -> str | None:
        """When `max_pages` ended the visit before the threshold: which releases may be missing."""
        if self.threshold is None or not self.reader.spans:
            return None
        oldest = min(span.oldest for span in self.reader.spans)
        return (
            f"pueden faltar publicaciones entre {self.threshold.isoformat()} y "
            f"{oldest.isoformat()}: sube max_pages o visita la fuente más seguido"
        )


def check_config(config: dict) -> None:
    """PagingConfigError unless `since`, `since_days` and `since_param` are usable (or absent)."""
    since, days = config.get("since"), config.get("since_days")
    parameter = config.get("since_param")
    if parameter is not None and not (isinstance(parameter, str) and _PARAMETER.match(parameter)):
        raise PagingConfigError(f"since_param no es un nombre de parámetro: {parameter!r}")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise PagingConfigError(f"since_days debe ser un número entero de días: {days!r}")
    if since is not None and (not isinstance(since, str) or to_utc(since, UTC) is None):
        raise PagingConfigError(f"since no es una fecha ISO (2026-01-31): {since!r}")


def configured_since(config: dict, zone: tzinfo, now: datetime) -> datetime | None:
    """The first visit's bound: `since_days` before now, else `since` read in the source's zone."""
    check_config(config)
    if config.get("since_days") is not None:
        return now - timedelta(days=config["since_days"])
    return to_utc(config.get("since"), zone)


def with_parameter(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    kept = parse_qsl(parts.query, keep_blank_values=True)
    query = [(key, old) for key, old in kept if key != name] + [(name, value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _stored(watermark: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(watermark) if watermark else None
    except ValueError:
        return None  # unreadable: the visit reads as a first one would
    return moment if moment is not None and moment.tzinfo is not None else None


def _ref(item: object) -> str | None:
    if isinstance(item, OpportunityRecord):
        return item.source_ref
    if isinstance(item, ItemError):
        return item.item_ref
    return None
