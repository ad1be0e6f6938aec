"""Atom deletion tombstones (RFC 6721 `at:deleted-entry`), as PLACSP writes them in its feeds.

feedparser ignores them, so lxml reads them from the feed's own bytes, entities never resolved.
A tombstone withdraws the entry it names, unless the same feed carries that entry updated
after it: the entry was published again.
"""

from datetime import datetime, tzinfo

from lxml import etree

from scrapers.dates import to_utc
from scrapers.records import Withdrawal
from scrapers.text import clean_text

NAMESPACE = "http://purl.org/atompub/tombstones/1.0"
_DELETED_ENTRY = f"{{{NAMESPACE}}}deleted-entry"


def deleted_entries(root: etree._Element | None, zone: tzinfo) -> dict[str, datetime | None]:
    """When each entry id was deleted (the latest tombstone for it; None when it says not);
    `root` is the feed as codice.feed_root parsed it."""
    if root is None:
        return {}
    deleted: dict[str, datetime | None] = {}
    for tombstone in root.iter(_DELETED_ENTRY):
        ref = clean_text(tombstone.get("ref"))[:200]  # cut as the feed cuts entry ids
        if not ref:
            continue
        when = to_utc(tombstone.get("when"), zone)
        deleted[ref] = _later(deleted[ref], when) if ref in deleted else when
    return deleted


def withdrawals(
    deleted: dict[str, datetime | None], entry_updates: dict[str, datetime]
) -> dict[str, Withdrawal]:
    """The tombstones that stand: none older than its entry's latest update in the same feed
    (a tombstone without a date cannot show it is the newer, so the entry stands)."""
    standing = {}
    for ref, when in deleted.items():
        updated = entry_updates.get(ref)
        if updated is None or (when is not None and when >= updated):
            standing[ref] = Withdrawal(ref, when)
    return standing


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return first or second
    return max(first, second)
