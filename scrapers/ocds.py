"""OCDS releases and records to opportunities: one record per ocid, the latest release wins.

Which release is the latest is only known at the end of the file, so the latest mapped record
of each ocid waits in a temporary on-disk table (`_LatestByOcid`), not in memory: a 500 MB dump
parses in flat memory whatever its number of ocids.

Planning-only releases yield no opportunity (plans come from plan files): they are counted in
one ParseWarning per file so an operator sees them without a failure per release. A release
without tender and buyer (contract- or award-only) becomes an ItemError, unless an earlier
release of the same ocid was mapped: then it only moves that opportunity's status and awards on.
The documents of an ocid's releases add up as OCDS merges them (by id): an amendment release
that lists only the new document does not drop the others, whatever order the file has.

A package with `links` (a paged API) ends with its next page and its release dates, which the
pipeline uses to stop at what it already stored (`paging.py`).
"""

import hashlib
import pickle
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import BinaryIO

from portal.opportunities.document_identity import merged_documents
from scrapers import ocds_awards, ocds_documents, ocds_mapping
from scrapers.dates import to_utc
from scrapers.ocds_stream import releases, utf8_stream
from scrapers.paging import PageFacts
from scrapers.records import (
    DocumentRecord,
    ItemError,
    OpportunityRecord,
    ParseContext,
    ParsedItem,
    ParseError,
    ParseWarning,
)

_EARLIEST = datetime.min.replace(tzinfo=UTC)
_TIES_NAMED = 10


@dataclass(frozen=True)
class _Kept:
    date: datetime
    release_id: str
    item: OpportunityRecord | ItemError


class _LatestByOcid:
    """ocid -> the latest release's date, id and mapped item in a temporary SQLite file, in
    first-seen order; `tie` marks the ocids whose releases of one date disagreed."""

    def __init__(self) -> None:
        self._file = tempfile.NamedTemporaryFile(suffix=".sqlite3")
        self._db = sqlite3.connect(self._file.name)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE latest (ocid TEXT PRIMARY KEY, seen INTEGER, date TEXT,"
            " release_id TEXT, item BLOB, tie INTEGER DEFAULT 0)"
        )
        self._seen = 0

    def get(self, ocid: str) -> _Kept | None:
        row = self._db.execute(
            "SELECT date, release_id, item FROM latest WHERE ocid = ?", (ocid,)
        ).fetchone()
        if row is None:
            return None
        return _Kept(datetime.fromisoformat(row[0]), row[1], pickle.loads(row[2]))

    def put(self, ocid: str, kept: _Kept) -> None:
        self._seen += 1
        self._db.execute(
            "INSERT INTO latest (ocid, seen, date, release_id, item) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (ocid) DO UPDATE SET date = excluded.date,"
            " release_id = excluded.release_id, item = excluded.item",
            (
                ocid,
                self._seen,
                kept.date.isoformat(),
                kept.release_id,
                pickle.dumps(kept.item, pickle.HIGHEST_PROTOCOL),
            ),
        )

    def note_tie(self, ocid: str) -> None:
        self._db.execute("UPDATE latest SET tie = 1 WHERE ocid = ?", (ocid,))

    def items(self) -> Iterator[OpportunityRecord | ItemError | ParseWarning]:
        """The kept items, then one warning naming the ocids whose same-date releases differ."""
        for (blob,) in self._db.execute("SELECT item FROM latest ORDER BY seen"):
            yield pickle.loads(blob)
        (ties,) = self._db.execute("SELECT count(*) FROM latest WHERE tie = 1").fetchone()
        if ties:
            named = self._db.execute(
                "SELECT ocid FROM latest WHERE tie = 1 ORDER BY seen LIMIT ?", (_TIES_NAMED,)
            )
            listed = ", ".join(ocid for (ocid,) in named) + (", …" if ties > _TIES_NAMED else "")
            yield ParseWarning(
                f"{ties} ocids have releases with the same date and different content"
                f" ({listed}); the release whose id sorts last was kept"
            )

    def close(self) -> None:
        self._db.close()
        self._file.close()


def parse(stream: BinaryIO, context: ParseContext) -> Iterator[ParsedItem]:
    latest = _LatestByOcid()
    paging = PageFacts(context.timezone)
    try:
        unattached, counts = _collect(stream, context, latest, paging)
        if not counts["values"]:
            raise ParseError("no JSON value in the file: nothing to import")
        if counts["planning"]:
            yield ParseWarning(
                f"{counts['planning']} planning-only releases skipped (plans come from plan files)"
            )
        yield from unattached
        for item in latest.items():
            yield from _with_warnings(item)
        yield from paging.items()  # a paged API's next page and release dates, last
    finally:
        latest.close()


def _collect(
    stream: BinaryIO, context: ParseContext, latest: _LatestByOcid, paging: PageFacts
) -> tuple[list[ItemError], dict[str, int]]:
    unattached: list[ItemError] = []
    counts = {"values": 0, "planning": 0}
    with utf8_stream(stream) as source:
        for value in releases(source, paging.note_package):
            counts["values"] += 1
            release = _release_of(value)
            if not isinstance(release, dict) or not _text_id(release.get("ocid")):
                unattached.append(ItemError(None, "JSON value is not an OCDS release with an ocid"))
                continue
            paging.note_release(release)
            if ocds_mapping.is_planning_only(release):
                counts["planning"] += 1
                continue
            earlier_documents = _other_releases_documents(value, release, context)
            _keep_latest(latest, release, context, earlier_documents)
    return unattached, counts


def _release_of(value: object) -> object:
    """A record's compiled release, or its last release when it has none."""
    if not isinstance(value, dict) or "ocid" not in value:
        return value
    if isinstance(value.get("compiledRelease"), dict):
        return value["compiledRelease"]
    if "releases" in value and "tag" not in value:
        releases_listed = value["releases"] if isinstance(value["releases"], list) else []
        listed = [item for item in releases_listed if isinstance(item, dict)]
        return listed[-1] if listed else {"ocid": value["ocid"]}
    return value


def _other_releases_documents(
    value: object, release: dict, context: ParseContext
) -> tuple[DocumentRecord, ...]:
    """A record without a compiled release: the documents its other releases list."""
    if release is value or not isinstance(value, dict) or release is value.get("compiledRelease"):
        return ()
    listed = value.get("releases")
    found: tuple[DocumentRecord, ...] = ()
    for other in listed if isinstance(listed, list) else []:
        if isinstance(other, dict) and other is not release:
            found = merged_documents(found, _documents(other, context))
    return found


def _documents(release: dict, context: ParseContext) -> tuple[DocumentRecord, ...]:
    tender = release.get("tender")
    return ocds_documents.documents(tender if isinstance(tender, dict) else {}, context.timezone)


def _text_id(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _keep_latest(
    latest: _LatestByOcid,
    release: dict,
    context: ParseContext,
    earlier_documents: tuple[DocumentRecord, ...] = (),
) -> None:
    """A later release (by date) supersedes the earlier one of its ocid; of two releases of one
    date, the one whose id sorts last (then by content hash) wins whatever the file order. The
    documents of both add up (`earlier_documents`: those of the record's other releases)."""
    ocid = release["ocid"].strip()
    date = to_utc(release.get("date"), context.timezone) or _EARLIEST
    release_id = _release_id(release)
    previous = latest.get(ocid)
    if previous is not None and date < previous.date:
        documents = merged_documents(earlier_documents, _documents(release, context))
        _add_earlier_documents(latest, ocid, previous, documents)
        return
    mapped = _with_awards(ocds_mapping.opportunity(release, context), release, context)
    if isinstance(mapped, OpportunityRecord) and earlier_documents:
        mapped = _with_documents(mapped, release, earlier_documents)
    if isinstance(mapped, ItemError) and previous is not None:
        if isinstance(previous.item, OpportunityRecord):
            moved = _moved_on(previous.item, release, context)
            if moved is not None:
                latest.put(ocid, _Kept(date, release_id, moved))
            return
    if previous is not None and date == previous.date and isinstance(mapped, OpportunityRecord):
        if not _wins_tie(latest, ocid, previous, _Kept(date, release_id, mapped)):
            _add_earlier_documents(latest, ocid, previous, mapped.documents)
            return
    if isinstance(mapped, OpportunityRecord) and previous is not None:
        if isinstance(previous.item, OpportunityRecord):
            mapped = _with_documents(mapped, release, previous.item.documents)
    latest.put(ocid, _Kept(date, release_id, mapped))


def _with_documents(
    record: OpportunityRecord, release: dict, earlier: tuple[DocumentRecord, ...]
) -> OpportunityRecord:
    """The record with the earlier releases' documents before its own; a call reached
    through its first document keeps that link (an amendment's own document is not it)."""
    if not earlier:
        return record
    documents = merged_documents(earlier, record.documents)
    url = ocds_mapping.stated_url(release) or _first_link(documents) or record.url
    return replace(record, documents=documents, url=url)


def _first_link(documents: tuple[DocumentRecord, ...]) -> str | None:
    return next((document.url for document in documents if document.url), None)


def _add_earlier_documents(
    latest: _LatestByOcid, ocid: str, kept: _Kept, earlier: tuple[DocumentRecord, ...]
) -> None:
    """A release that does not supersede the kept one still lists documents: they go before
    the kept release's own, which replace those that name the same document."""
    if not earlier or not isinstance(kept.item, OpportunityRecord):
        return
    record = kept.item
    documents = merged_documents(earlier, record.documents)
    if documents == record.documents:
        return
    url = record.url
    reached_through_documents = not any(d.document_type == "tenderNotice" for d in documents)
    if reached_through_documents and url and url == _first_link(record.documents):
        url = _first_link(documents)
    latest.put(ocid, replace(kept, item=replace(record, documents=documents, url=url)))


def _wins_tie(latest: _LatestByOcid, ocid: str, previous: _Kept, candidate: _Kept) -> bool:
    """Between same-date releases: a record beats an item error; records that differ are
    reported and ordered by release id, then by a hash of what they say."""
    if isinstance(previous.item, ItemError):
        return True
    if candidate.item == previous.item:
        return False
    latest.note_tie(ocid)
    return _tie_order(candidate) > _tie_order(previous)


def _tie_order(kept: _Kept) -> tuple:
    """Release ids in natural order ("release-10" after "release-9"), then the content hash."""
    parts = re.split(r"([0-9]+)", kept.release_id)
    natural = tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts)
    return natural, hashlib.sha256(repr(kept.item).encode()).hexdigest()


def _release_id(release: dict) -> str:
    value = release.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return ""
    return str(value)


def _with_awards(
    item: OpportunityRecord | ItemError, release: dict, context: ParseContext
) -> OpportunityRecord | ItemError:
    if isinstance(item, ItemError) or not release.get("awards"):
        return item
    found = ocds_awards.awards(release, context.timezone, item.currency)
    return replace(item, awards=found) if found else item


def _moved_on(
    record: OpportunityRecord, release: dict, context: ParseContext
) -> OpportunityRecord | None:
    """An award- or contract-only release moves its process's status and awards on; one
    that lists documents without restating the call (an amendment) adds them."""
    status = ocds_mapping.status_signal(release)
    found = ocds_awards.awards(release, context.timezone, record.currency)
    documents = merged_documents(record.documents, _documents(release, context))
    if status is None and not found and documents == record.documents:
        return None
    return replace(
        record, status=status or record.status, awards=found or record.awards, documents=documents
    )


def _with_warnings(item: OpportunityRecord | ItemError | ParseWarning) -> Iterator[ParsedItem]:
    if (
        isinstance(item, OpportunityRecord)
        and item.deadline_at is not None
        and item.published_at is not None
        and item.deadline_at <= item.published_at
    ):
        yield ParseWarning(
            f"{item.source_ref}: deadline {item.deadline_at.isoformat()} is not after "
            f"publication {item.published_at.isoformat()}; lead time cannot be trusted"
        )
    yield item
