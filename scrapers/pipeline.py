"""One run of one source: fetch, keep the raw payload, parse, ingest, and record how it went.

A run never raises: whatever breaks is written on its `ScrapeRun` row (in its own transaction,
after rolling back the broken one), so one bad source never stops the others.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin

from sqlalchemy.orm import Session

from scrapers.fetch import Fetcher, FetchError
from scrapers.ingest import Ingestor, IngestTally
from scrapers.models import RawPayload, RunStatus, ScrapeRun, Source
from scrapers.parse_worker import parsed_items
from scrapers.raw import open_payload, store_raw_payload, stored_payload_ids
from scrapers.records import ParseError
from scrapers.registry import parser_for
from scrapers.sources import parse_context

DEFAULT_MAX_PAGES = 5
DEFAULT_UNHEALTHY_AFTER = 3


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
    ingestor = Ingestor(session, source, run.id, now, options.batch_size)
    finish = _Finish(source_id, run.id, now, started, options, ingestor.tally)
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
    ingestor = Ingestor(session, source, run.id, now, options.batch_size)
    finish = _Finish(source.id, run.id, now, started, options, ingestor.tally, keeps_health=False)
    parser = parser_for(source.kind)
    try:
        for payload_id in stored_payload_ids(session, source, since):
            payload = session.get(RawPayload, payload_id)
            with open_payload(payload) as body:
                ingestor.consume(parser(body, parse_context(source, payload.url)))
            session.expunge(payload)
        ingestor.finish()
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
    runs = []
    for source in sources:
        try:
            runs.append(run_source(session, source, now, fetcher, options))
        except Exception:  # noqa: BLE001  (a broken database session must not stop the others)
            session.rollback()
    return runs


def _collect(
    session: Session, source: Source, run: ScrapeRun, ingestor: Ingestor, fetcher: Fetcher
) -> tuple[RunStatus, dict]:
    if not source.url:
        raise FetchError("la fuente no tiene URL")
    parser_for(source.kind)  # a kind without a parser fails before any request
    max_pages = int(source.config.get("max_pages", DEFAULT_MAX_PAGES))
    url: str = source.url
    validators: dict = {}
    warnings = ingestor.tally.warnings
    for page in range(max_pages):
        first = page == 0
        result = fetcher.fetch(
            url,
            etag=source.etag if first else None,
            last_modified=source.last_modified if first else None,
        )
        if result.not_modified:
            return RunStatus.NOT_MODIFIED, {}
        if first:
            validators = {"etag": result.etag, "last_modified": result.last_modified}
        with result.body as body:
            store_raw_payload(
                session, source, run.id, body, ingestor.now, result.url, result.content_type
            )
            context = parse_context(source, result.url)
            outcome = ingestor.consume(parsed_items(source.kind, body, context))
        if not outcome.next_pages:
            break
        url = urljoin(result.url, outcome.next_pages[0])
    else:
        if outcome.next_pages:
            warnings.append(f"se alcanzó el máximo de {max_pages} páginas")
    ingestor.finish()
    return RunStatus.SUCCEEDED, validators


@dataclass(frozen=True)
class _Finish:
    """Closes a run and updates the source's health, in one transaction of their own."""

    source_id: int
    run_id: int
    now: datetime
    started: float
    options: RunOptions
    tally: IngestTally
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
        run.finished_at = self.now + timedelta(seconds=time.monotonic() - self.started)
        run.status = status
        run.fetched, run.new, run.updated = self.tally.fetched, self.tally.new, self.tally.updated
        run.unchanged, run.failed = self.tally.unchanged, self.tally.failed
        run.warnings = list(self.tally.warnings)
        if error is not None:
            run.error = _describe(error)
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
                source.etag = validators["etag"]
                source.last_modified = validators["last_modified"]


def _describe(error: Exception) -> str:
    if isinstance(error, FetchError | ParseError):
        return str(error)
    return f"{type(error).__name__}: {error}"[:2000]
