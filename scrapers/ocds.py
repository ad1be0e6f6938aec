"""OCDS releases and records to opportunities: one record per ocid, the latest release wins.

Which release is the latest is only known at the end of the file, so the latest mapped record
of each ocid waits in a temporary on-disk table (`_LatestByOcid`), not in memory: a 500 MB dump
parses in flat memory whatever its number of ocids.

Planning-only releases yield no opportunity (plans come from plan files): they are counted in
one ParseWarning per file so an operator sees them without a failure per release. A release
without tender and buyer (contract- or award-only) becomes an ItemError, unless an earlier
release of the same ocid was mapped: then it only moves that opportunity's status and awards on.
"""

import pickle
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import BinaryIO

from scrapers import ocds_awards, ocds_mapping
from scrapers.dates import to_utc
from scrapers.ocds_stream import releases, utf8_stream
from scrapers.records import (
    ItemError,
    OpportunityRecord,
    ParseContext,
    ParsedItem,
    ParseError,
    ParseWarning,
)

_EARLIEST = datetime.min.replace(tzinfo=UTC)


class _LatestByOcid:
    """ocid -> (date, latest mapped item) in a temporary SQLite file, in first-seen order."""

    def __init__(self) -> None:
        self._file = tempfile.NamedTemporaryFile(suffix=".sqlite3")
        self._db = sqlite3.connect(self._file.name)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE latest (ocid TEXT PRIMARY KEY, seen INTEGER, date TEXT, item BLOB)"
        )
        self._seen = 0

    def get(self, ocid: str) -> tuple[datetime, OpportunityRecord | ItemError] | None:
        row = self._db.execute("SELECT date, item FROM latest WHERE ocid = ?", (ocid,)).fetchone()
        return None if row is None else (datetime.fromisoformat(row[0]), pickle.loads(row[1]))

    def put(self, ocid: str, date: datetime, item: OpportunityRecord | ItemError) -> None:
        self._seen += 1
        self._db.execute(
            "INSERT INTO latest VALUES (?, ?, ?, ?) ON CONFLICT (ocid) DO UPDATE"
            " SET date = excluded.date, item = excluded.item",
            (ocid, self._seen, date.isoformat(), pickle.dumps(item, pickle.HIGHEST_PROTOCOL)),
        )

    def items(self) -> Iterator[OpportunityRecord | ItemError]:
        for (blob,) in self._db.execute("SELECT item FROM latest ORDER BY seen"):
            yield pickle.loads(blob)

    def close(self) -> None:
        self._db.close()
        self._file.close()


def parse(stream: BinaryIO, context: ParseContext) -> Iterator[ParsedItem]:
    latest = _LatestByOcid()
    try:
        unattached, counts = _collect(stream, context, latest)
        if not counts["values"]:
            raise ParseError("no JSON value in the file: nothing to import")
        if counts["planning"]:
            yield ParseWarning(
                f"{counts['planning']} planning-only releases skipped (plans come from plan files)"
            )
        yield from unattached
        for item in latest.items():
            yield from _with_warnings(item)
    finally:
        latest.close()


def _collect(
    stream: BinaryIO, context: ParseContext, latest: _LatestByOcid
) -> tuple[list[ItemError], dict[str, int]]:
    unattached: list[ItemError] = []
    counts = {"values": 0, "planning": 0}
    with utf8_stream(stream) as source:
        for value in releases(source):
            counts["values"] += 1
            release = _release_of(value)
            if not isinstance(release, dict) or not _text_id(release.get("ocid")):
                unattached.append(ItemError(None, "JSON value is not an OCDS release with an ocid"))
                continue
            if ocds_mapping.is_planning_only(release):
                counts["planning"] += 1
                continue
            _keep_latest(latest, release, context)
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


def _text_id(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _keep_latest(latest: _LatestByOcid, release: dict, context: ParseContext) -> None:
    """A later release (by date, then file order) supersedes the earlier one of its ocid."""
    ocid = release["ocid"].strip()
    date = to_utc(release.get("date"), context.timezone) or _EARLIEST
    previous = latest.get(ocid)
    if previous is not None and date < previous[0]:
        return
    mapped = _with_awards(ocds_mapping.opportunity(release, context), release, context)
    if isinstance(mapped, ItemError) and previous is not None:
        if isinstance(previous[1], OpportunityRecord):
            moved = _moved_on(previous[1], release, context)
            if moved is not None:
                latest.put(ocid, date, moved)
            return
    latest.put(ocid, date, mapped)


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
    """An award- or contract-only release moves its process's status and awards on."""
    status = ocds_mapping.status_signal(release)
    found = ocds_awards.awards(release, context.timezone, record.currency)
    if status is None and not found:
        return None
    return replace(record, status=status or record.status, awards=found or record.awards)


def _with_warnings(item: OpportunityRecord | ItemError) -> Iterator[ParsedItem]:
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
