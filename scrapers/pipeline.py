"""One run of one source: fetch, keep the raw payload, parse, ingest, and record how it went.

A run never raises: whatever breaks is written on its `ScrapeRun` row (in its own transaction,
after rolling back the broken one), so one bad source never stops the others. What was committed
before the break stands: each payload is committed before it is parsed, so `reparse` can read it
after a parser fix, and so is each page's ingest, so the run's counts say what was stored.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from scrapers.fetch import Fetcher, FetchError, FetchResult, FetchSettings
from scrapers.ingest import Ingestor, IngestTally, PageOutcome
from scrapers.limits import MAX_PAGE_BYTES
from scrapers.local_files import LocalFileRefused, listed_files
from scrapers.models import (
    RawPayload,
    RunStatus,
    ScrapeItemFailure,
    ScrapeRun,
    Source,
    SourceKind,
)
from scrapers.paging import PageReader, PagingConfigError, Visit
from scrapers.parse_worker import parsed_items
from scrapers.plan_table import MAX_FILE_BYTES
from scrapers.raw import open_payload, store_raw_payload, stored_payload_ids
from scrapers.records import ParseError
from scrapers.registry import parser_for
from scrapers.sources import parse_context

DEFAULT_MAX_PAGES = 5
DEFAULT_UNHEALTHY_AFTER = 3
# What each kind's parser reads whole into memory; OCDS streams, so it gets the configured cap.
_BODY_LIMITS = {
    SourceKind.FEED: MAX_PAGE_BYTES,
    SourceKind.HTML: MAX_PAGE_BYTES,
    SourceKind.PLAN_FILE: MAX_FILE_BYTES,
}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    """How patient the pipeline is with a source; from the app config in production."""

    unhealthy_after: int = DEFAULT_UNHEALTHY_AFTER
    batch_size: int = 500


def options_from_config(config: dict) -> RunOptions:
    return RunOptions(unhealthy_after=int(config.get("PORTAL_UNHEALTHY_AFTER", 3)))


def run_source(
    session: Session,
    source: Source,
    now: datetime,
    fetcher: Fetcher,
    options: RunOptions = RunOptions(),
) -> ScrapeRun:
    """Run one source to the end and return its committed run row."""
    started = time.monotonic()
    source_id = source.id
    run = ScrapeRun(source_id=source_id, started_at=now, status=RunStatus.RUNNING)
    session.add(run)
    session.commit()
    ingestor = _RunIngestor(session, source, run.id, now, options.batch_size)
    finish = _Finish(source_id, run.id, now, started, options, ingestor)
    try:
        status, validators = _collect(session, source, run, ingestor, fetcher)
    except Exception as error:  # noqa: BLE001  (any failure belongs on the run, not up the stack)
        session.rollback()
        return finish(session, error=error)
    return finish(session, status, validators)


def reparse(
    session: Session,
    source: Source,
    now: datetime,
    since: datetime | None = None,
    options: RunOptions = RunOptions(),
) -> ScrapeRun:
    """Re-run parser and ingest over the stored payloads (after a parser fix); no network."""
    started = time.monotonic()
    run = ScrapeRun(source_id=source.id, started_at=now, status=RunStatus.RUNNING)
    session.add(run)
    session.commit()
    ingestor = _RunIngestor(session, source, run.id, now, options.batch_size)
    finish = _Finish(source.id, run.id, now, started, options, ingestor, keeps_health=False)
    parser = parser_for(source.kind)
    reader, reader_run = PageReader(), None
    try:
        for payload_id in stored_payload_ids(session, source, since):
            payload = session.get(RawPayload, payload_id)
            if payload.run_id != reader_run:  # a run's pages, newest first, are read together
                reader, reader_run = PageReader(), payload.run_id
            context = parse_context(source, payload.url)
            before = replace(ingestor.tally)
            with open_payload(session, payload_id) as body:
                ingestor.consume(reader.read(parser(body, context)))
            ingestor.finish()  # each payload's notices stand if a later one fails
            _refuse_rejected_plan(source, before, ingestor.tally)
    except Exception as error:  # noqa: BLE001  (recorded on the run like any other failure)
        session.rollback()
        return finish(session, error=error)
    return finish(session, RunStatus.SUCCEEDED)


def run_all(
    session: Session,
    sources: Iterable[Source],
    now: datetime,
    fetcher: Fetcher,
    options: RunOptions = RunOptions(),
) -> list[ScrapeRun]:
    """Run each source in turn; a source that breaks is recorded and the next one runs."""
    runs = (run_isolated(session, source, now, fetcher, options) for source in sources)
    return [run for run in runs if run is not None]


def run_isolated(
    session: Session,
    source: Source,
    now: datetime,
    fetcher: Fetcher,
    options: RunOptions = RunOptions(),
) -> ScrapeRun | None:
    """`run_source`, except that a run that could not even be recorded gives None, logged.

    run_source records every failure of the source itself; what still escapes is the database
    refusing the run row (the source deleted meanwhile, the connection lost). Rolling back here
    leaves the session usable for the next source.
    """
    try:
        return run_source(session, source, now, fetcher, options)
    except Exception:  # noqa: BLE001  (a broken database session must not stop the others)
        session.rollback()
        identity = inspect(source).identity  # no query: the row may be what is gone
        log.exception("the run of source %s could not be recorded", identity)
        return None


def _collect(
    session: Session, source: Source, run: ScrapeRun, ingestor: Ingestor, fetcher: Fetcher
) -> tuple[RunStatus, dict]:
    if not source.url:
        raise FetchError("la fuente no tiene URL")
    parser_for(source.kind)  # a kind without a parser fails before any request
    max_pages = int(source.config.get("max_pages", DEFAULT_MAX_PAGES))
    visit = Visit(source.config, source.watermark, ZoneInfo(source.timezone), ingestor.now)
    files = _listed_files(source.url, fetcher.settings)
    if files is not None:  # a folder or a glob: its files are the pages, in name order
        for url in files:
            _read_page(session, source, run, ingestor, fetcher, visit, url, own_url=url)
        return RunStatus.SUCCEEDED, visit.kept()
    url: str = visit.first_url(source.url)
    validators: dict = {}
    warnings = ingestor.tally.warnings
    for page in range(max_pages):
        first = page == 0
        result, outcome = _read_page(
            session, source, run, ingestor, fetcher, visit, url, own_url=source.url, first=first
        )
        if outcome is None:
            return RunStatus.NOT_MODIFIED, {}
        if first:
            validators = {"etag": result.etag, "last_modified": result.last_modified}
        if not outcome.next_pages or visit.reached():
            return RunStatus.SUCCEEDED, validators | visit.kept()
        url = urljoin(result.url, outcome.next_pages[0])
    warnings.append(f"se alcanzó el máximo de {max_pages} páginas")
    warnings.extend(gap for gap in [visit.unread()] if gap)
    return RunStatus.SUCCEEDED, validators | visit.kept()


def _read_page(
    session: Session,
    source: Source,
    run: ScrapeRun,
    ingestor: Ingestor,
    fetcher: Fetcher,
    visit: Visit,
    url: str,
    *,
    own_url: str,
    first: bool = False,
) -> tuple[FetchResult, PageOutcome | None]:
    """Fetch, keep, parse and ingest one page; no outcome when the source was not modified."""
    result = fetcher.fetch(
        url,
        etag=source.etag if first else None,
        last_modified=source.last_modified if first else None,
        source_url=own_url,  # pages it links to are http(s) and public unless it is local
        max_bytes=body_limit(source.kind, fetcher.settings),
    )
    if result.not_modified:
        return result, None
    with result.body as body:
        store_raw_payload(
            session, source, run.id, body, ingestor.now, result.url, result.content_type
        )
        session.commit()  # kept even if the parser fails on it: what `reparse` is for
        context = parse_context(source, result.url)
        before = replace(ingestor.tally)
        outcome = ingestor.consume(visit.read(parsed_items(parser_for(source.kind), body, context)))
    ingestor.finish()  # this page's notices stand if a later page fails
    _refuse_rejected_plan(source, before, ingestor.tally)
    return result, outcome


def _listed_files(url: str, settings: FetchSettings) -> list[str] | None:
    """A folder or glob source's files, checked like the source's own file; else None."""
    try:
        return listed_files(url, settings.local_sources_dirs)
    except LocalFileRefused as error:
        raise FetchError(str(error)) from error


def body_limit(kind: SourceKind | str, settings: FetchSettings) -> int:
    return _BODY_LIMITS.get(SourceKind(kind), settings.max_dump_bytes)


def _refuse_rejected_plan(source: Source, before: IngestTally, after: IngestTally) -> None:
    """A plan file is all or nothing: rows rejected and no plan kept is a failed run, with the
    rows' problems (already committed) on it, not a "succeeded" run that stored nothing."""
    rejected = after.failed - before.failed
    kept = _kept(after) - _kept(before)
    if source.kind == SourceKind.PLAN_FILE and rejected and not kept:
        raise ParseError(f"plan rechazado: {rejected} filas con problemas, ninguna se guardó")


def _kept(tally: IngestTally) -> int:
    return tally.new + tally.updated + tally.unchanged


class _RunIngestor(Ingestor):
    """An Ingestor that remembers its failures since the last `finish()`, which committed them.

    A rollback takes with it the failure rows added since the last commit, while the tally
    keeps counting them; a failed run writes those back, so its rows and its count agree.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._recent_failures: list[tuple[str | None, str]] = []

    def fail(self, item_ref: str | None, reason: str) -> None:
        super().fail(item_ref, reason)
        self._recent_failures.append((item_ref, reason))

    def finish(self) -> IngestTally:
        tally = super().finish()
        self._recent_failures.clear()
        return tally

    def restore_lost_failures(self) -> None:
        """After the rollback: add again the newest failures, as many as are missing."""
        stored = self.session.scalar(
            select(func.count())
            .select_from(ScrapeItemFailure)
            .where(ScrapeItemFailure.run_id == self.run_id)
        )
        missing = self.tally.failed - stored
        lost = self._recent_failures[-missing:] if missing > 0 else []
        for item_ref, reason in lost:
            self.session.add(
                ScrapeItemFailure(run_id=self.run_id, item_ref=_cut(item_ref, 300), reason=reason)
            )
        self._recent_failures.clear()


@dataclass(frozen=True)
class _Finish:
    """Closes a run and updates the source's health, in one transaction of their own."""

    source_id: int
    run_id: int
    now: datetime
    started: float
    options: RunOptions
    ingestor: _RunIngestor
    keeps_health: bool = True

    def __call__(
        self,
        session: Session,
        status: RunStatus = RunStatus.FAILED,
        validators: dict | None = None,
        error: Exception | None = None,
    ) -> ScrapeRun:
        run = session.get(ScrapeRun, self.run_id)
        source = session.get(Source, self.source_id)
        tally = self.ingestor.tally
        run.finished_at = self.now + timedelta(seconds=time.monotonic() - self.started)
        run.status = status
        run.fetched, run.new, run.updated = tally.fetched, tally.new, tally.updated
        run.unchanged, run.failed = tally.unchanged, tally.failed
        run.warnings = list(tally.warnings) + _kept_despite(error, tally)
        if error is not None:
            run.error = _describe(error)
            self.ingestor.restore_lost_failures()
        if self.keeps_health:
            self._update_health(source, error, validators)
        session.commit()
        return run

    def _update_health(self, source: Source, error: Exception | None, validators: dict | None):
        source.last_run_at = self.now
        if error is not None:
            source.consecutive_failures += 1
            source.healthy = source.consecutive_failures < self.options.unhealthy_after
        else:
            source.consecutive_failures = 0
            source.healthy = True
            source.last_success_at = self.now
            if validators:
                source.etag = validators.get("etag")
                source.last_modified = validators.get("last_modified")
                source.watermark = validators.get("watermark", source.watermark)


def _kept_despite(error: Exception | None, tally: IngestTally) -> list[str]:
    """A failed run that stored notices first says so: FAILED alone would read as nothing."""
    if error is None or not (tally.new or tally.updated):
        return []
    return [
        f"falló tras guardar {tally.new} nuevos y {tally.updated} actualizados, que se conservan"
    ]


def _cut(text: str | None, length: int) -> str | None:
    return text[:length] if text else text


def _describe(error: Exception) -> str:
    if isinstance(error, FetchError | ParseError | PagingConfigError):
        return str(error)
    return f"{type(error).__name__}: {error}"[:2000]
