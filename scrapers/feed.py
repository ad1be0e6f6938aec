"""RSS 2.0 and Atom feeds, with Spain's PLACSP CODICE extensions read from the same bytes.

feedparser reads the common fields of any feed; where an entry carries a
`cac-place-ext:ContractFolderStatus` (PLACSP), lxml reads buyer, budget, CPV codes, NUTS,
deadline and status from it. Entries sharing an id keep the last updated.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

import feedparser

from scrapers import codice
from scrapers.dates import to_utc
from scrapers.records import (
    ItemError,
    OpportunityRecord,
    ParseContext,
    ParsedItem,
    ParseError,
    ParseWarning,
)
from scrapers.text import clean_text

_EPOCH = datetime.min.replace(tzinfo=UTC)


def parse(stream: BinaryIO, context: ParseContext) -> Iterator[ParsedItem]:
    """Yield one record per distinct entry id; a broken feed with entries is only a warning."""
    payload = stream.read()
    try:
        parsed = feedparser.parse(payload, sanitize_html=False, resolve_relative_uris=False)
    except Exception as error:  # noqa: BLE001 - feedparser raises arbitrary errors on bad bytes
        raise ParseError(f"not a readable feed: {error!r}") from error
    entries = parsed.get("entries", [])
    if parsed.get("bozo"):
        reason = str(parsed.get("bozo_exception", "unknown problem"))
        if not entries:
            raise ParseError(f"not a readable feed: {reason}")
        yield ParseWarning(f"feed is not well-formed ({reason}); read {len(entries)} entries")
    if not entries and not parsed.get("version"):
        raise ParseError("not a feed: neither RSS nor Atom, and no entries")
    folders = codice.contract_folders(payload)
    latest: dict[str, tuple[datetime, OpportunityRecord]] = {}
    for entry in entries:
        item = _record(entry, context)
        if isinstance(item, ItemError):
            yield item
            continue
        folder = folders.get(item.source_ref)
        if folder is not None:
            item = codice.enrich(item, folder, context)
        updated = to_utc(_raw(entry, "updated_parsed") or _raw(entry, "published_parsed"), UTC)
        stamp = updated or _EPOCH
        previous = latest.get(item.source_ref)
        if previous is None or stamp >= previous[0]:
            latest[item.source_ref] = (stamp, item)
    for _stamp, item in latest.values():
        yield item


def _record(entry: dict, context: ParseContext) -> OpportunityRecord | ItemError:
    link = entry.get("link")
    source_ref = clean_text(entry.get("id") or link)
    title = clean_text(entry.get("title"))
    if not source_ref or not title:
        return ItemError(source_ref or None, "entry without id/link or title")
    published = _raw(entry, "published_parsed") or _raw(entry, "updated_parsed")
    return OpportunityRecord(
        source_ref=source_ref[:200],
        title=title,
        description=_description(entry),
        currency=context.default_currency,
        published_at=to_utc(published, context.timezone),
        url=link or None,
    )


def _description(entry: dict) -> str:
    contents = entry.get("content") or []
    if contents and contents[0].get("value"):
        return clean_text(contents[0]["value"])
    return clean_text(entry.get("summary"))


def _raw(entry: dict, key: str):
    """Read without feedparser's deprecated updated/published aliasing (it warns)."""
    return dict.get(entry, key)
