"""RSS 2.0 and Atom feeds, with Spain's PLACSP CODICE extensions read from the same bytes.

feedparser reads the common fields of any feed; where an entry carries a
`cac-place-ext:ContractFolderStatus` (PLACSP), lxml reads buyer, budget, CPV codes, NUTS,
deadline and status from it. Entries sharing an id keep the last updated. What neither states,
the item's title and description may (`text_facts`: "Entidad: …", "Valor referencial: S/ …");
deletion tombstones (`atom_tombstones`) withdraw the notices they name.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import BinaryIO

import feedparser

from portal.web_urls import web_url
from scrapers import atom_tombstones, codice, text_facts
from scrapers.dates import to_utc
from scrapers.limits import read_capped
from scrapers.links import DroppedLinks
from scrapers.records import (
    ItemError,
    OpportunityRecord,
    ParseContext,
    ParsedItem,
    ParseError,
    ParseWarning,
    Withdrawal,
)
from scrapers.text import clean_text

_EPOCH = datetime.min.replace(tzinfo=UTC)


def parse(stream: BinaryIO, context: ParseContext) -> Iterator[ParsedItem]:
    """Yield one record per distinct entry id; a broken feed is only a warning if it has records."""
    payload = read_capped(stream)
    try:
        parsed = feedparser.parse(payload, sanitize_html=False, resolve_relative_uris=False)
    except Exception as error:  # noqa: BLE001 - feedparser raises arbitrary errors on bad bytes
        raise ParseError(f"not a readable feed: {error!r}") from error
    entries = parsed.get("entries", [])
    root = codice.feed_root(payload)
    deleted = atom_tombstones.deleted_entries(root, context.timezone)
    items = list(_entry_items(entries, codice.contract_folders(root), deleted, context))
    if parsed.get("bozo"):
        reason = str(parsed.get("bozo_exception", "unknown problem"))
        if not any(isinstance(item, OpportunityRecord | Withdrawal) for item in items):
            raise ParseError(f"not a readable feed: not well-formed ({reason}), no usable entry")
        yield ParseWarning(f"feed is not well-formed ({reason}); read {len(entries)} entries")
    elif not entries and not parsed.get("version"):
        raise ParseError("not a feed: neither RSS nor Atom, and no entries")
    yield from items


def _entry_items(
    entries: list, folders: dict, deleted: dict, context: ParseContext
) -> Iterator[OpportunityRecord | ItemError | ParseWarning | Withdrawal]:
    """Errors as they come, one warning for the links dropped (not http or https), then the last
    updated record of each id (CODICE facts added, then what only its text states) unless a
    newer tombstone withdraws it, then the tombstones that stand."""
    latest: dict[str, tuple[datetime, OpportunityRecord]] = {}
    dropped = DroppedLinks()
    for entry in entries:
        item = _record(entry, context)
        if isinstance(item, ItemError):
            yield item
            continue
        if entry.get("link") and item.url is None:
            dropped.add(item.source_ref, entry["link"])
        folder = folders.get(item.source_ref)
        if folder is not None:
            item = codice.enrich(item, folder, context)
        stamp = _entry_date(entry, ("updated", "published"), context.timezone) or _EPOCH
        previous = latest.get(item.source_ref)
        if previous is None or stamp >= previous[0]:
            latest[item.source_ref] = (stamp, item)
    yield from dropped.warnings()
    updates = {ref: stamp for ref, (stamp, _item) in latest.items()}
    standing = atom_tombstones.withdrawals(deleted, updates)
    for _stamp, item in latest.values():
        if item.source_ref not in standing:  # structured CODICE facts win over the text
            stated = item.source_ref in folders
            yield text_facts.fill_missing(item, context.timezone, status_stated=stated)
    yield from standing.values()


def _record(entry: dict, context: ParseContext) -> OpportunityRecord | ItemError:
    link = entry.get("link")
    source_ref = clean_text(entry.get("id") or link)
    title = clean_text(entry.get("title"))
    if not source_ref or not title:
        return ItemError(source_ref or None, "entry without id/link or title")
    return OpportunityRecord(
        source_ref=source_ref[:200],
        title=title,
        description=_description(entry),
        currency=context.default_currency,
        published_at=_entry_date(entry, ("published", "updated"), context.timezone),
        url=web_url(link),
    )


def _entry_date(entry: dict, keys: tuple[str, ...], zone: tzinfo) -> datetime | None:
    """The first date the entry states, a naive one in the source's zone.

    feedparser's `*_parsed` tuples read naive dates as UTC, so they serve only when our own
    reading of the raw string fails. Whole seconds, as stored before: no notice rehashes.
    """
    for key in keys:
        moment = to_utc(_raw(entry, key), zone) or to_utc(_raw(entry, f"{key}_parsed"), UTC)
        if moment is not None:
            return moment.replace(microsecond=0)
    return None


def _description(entry: dict) -> str:
    contents = entry.get("content") or []
    if contents and contents[0].get("value"):
        return clean_text(contents[0]["value"])
    return clean_text(entry.get("summary"))


def _raw(entry: dict, key: str):
    """Read without feedparser's deprecated updated/published aliasing (it warns)."""
    return dict.get(entry, key)
