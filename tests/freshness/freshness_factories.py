"""Sources with a stated history (last success, runs, notices) for the /fuentes tests."""

import re
from datetime import datetime, timedelta
from html import unescape
from itertools import count
from zoneinfo import ZoneInfo

from factories import create_opportunity

from scrapers.models import RunStatus, ScrapeRun, Source, SourceKind

LIMA = ZoneInfo("America/Lima")
_sequence = count(1)


def create_source(session, name: str, **fields) -> Source:
    """An active hourly feed source; `fields` state its history (last_success_at, major...)."""
    number = next(_sequence)
    values = {"key": f"fuente-{number}", "name": name, "kind": SourceKind.FEED}
    source = Source(**(values | fields))
    session.add(source)
    session.commit()
    return source


def create_run(session, source: Source, started_at: datetime, status: RunStatus, error=None):
    run = ScrapeRun(
        source_id=source.id,
        started_at=started_at,
        finished_at=started_at + timedelta(seconds=5),
        status=status,
        error=error,
    )
    session.add(run)
    session.commit()
    return run


def create_notice(session, source: Source, first_seen_at: datetime, delay: timedelta | None):
    """A notice first seen at `first_seen_at`, published `delay` before (None: no date)."""
    published_at = None if delay is None else first_seen_at - delay
    return create_opportunity(
        session, source_id=source.id, first_seen_at=first_seen_at, published_at=published_at
    )


def lima(moment: datetime) -> str:
    """A UTC moment as the pages show it."""
    return moment.astimezone(LIMA).strftime("%d/%m/%Y %H:%M")


def row_text(html: str, name: str) -> str:
    """The visible text of the table row of the source called `name` ("" if none)."""
    for row in re.findall(r"<tr\b.*?</tr>", html, flags=re.S):
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())
        if re.search(rf'<th scope="row">\s*{re.escape(name)}\s*</th>', row):
            return text
    return ""


def visible_text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
