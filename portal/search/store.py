"""The two on-disk indexes (open notices + plan lines, archive) and their one writer.

Open notices are ~5% of all: keeping them apart lets the default search touch a small index.
Writes hold Whoosh's file lock, an OS lock that dies with a crashed process, so a stale lock
file never blocks the next writer; a commit swaps the table of contents atomically, so a crash
mid-batch leaves the previous generation readable and `repair` re-adds what is missing.
"""

import os
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, LockError, clean_files
from whoosh.reading import SegmentReader
from whoosh.util.filelock import try_for

from portal.opportunities.enums import OpportunityStatus
from portal.search.codec import CODEC
from portal.search.schema import build_schema

OPEN = "open"
ARCHIVE = "archive"
PARTS = (OPEN, ARCHIVE)
WRITE_LOCK_TIMEOUT_SECONDS = 60.0
# An incremental write's postings pool (Whoosh's default: 128 MB); a merge of big segments
# spills to disk past it: 300,000 ingested notices peaked at 242 MB with 32, 329 MB with 128.
INCREMENTAL_POOL_MB = 32
# Merging (merge_in_tiers): segments of similar size merge MERGE_FACTOR at a time, and one
# with SEALED_SEGMENT_DOCS live documents or more is never merged again, so no merge writes
# MERGE_FACTOR x SEALED_SEGMENT_DOCS documents or more, however large the index grows. Tiers
# start small for the scheduler's many little writes; a bulk ingest's segments
# (portal.search.writer_process) start near the top tier and are rewritten about once.
MERGE_FACTOR = 4
SMALLEST_TIER_DOCS = 100
SEALED_SEGMENT_DOCS = SMALLEST_TIER_DOCS * MERGE_FACTOR**5  # 102,400: merges write < 409,600
PLANNED = "planned"  # the status column of plan lines: forecasts, never open or closed
PLAN_LINE_KIND = "plan_line"  # portal.search.documents.PLAN_LINE, which imports this module


def in_open_index(document: dict) -> bool:
    """Open notices and plan lines live in the small index most searches touch; a notice that
    is a forecast (status planned, as plan lines are) is no open call and goes to the archive."""
    if document["kind"].decode() == PLAN_LINE_KIND:
        return True
    return document["status"].decode() == OpportunityStatus.OPEN.value


def part_dir(index_dir: str | Path, part: str) -> Path:
    return Path(index_dir) / part


def open_part(index_dir: str | Path, part: str, mmap: bool = True) -> index.FileIndex:
    """Open one part, creating it empty the first time.

    Writers pass mmap=False: a mapped file counts in the process's resident memory for every
    page read, and a writer's lookups touch every segment, so a long ingest would look (and be
    accounted) hundreds of MB larger than what it holds.
    """
    path = part_dir(index_dir, part)
    path.mkdir(parents=True, exist_ok=True)
    storage = FileStorage(str(path), supports_mmap=mmap)
    if not index.exists(storage):
        return storage.create_index(build_schema())
    return storage.open_index()


def write_documents(
    index_dir: str | Path, documents: Iterable[dict], deleted_keys: Iterable[str] = ()
) -> int:
    """Replace the given keys in both parts, committed; each document goes to its status's part."""
    writers = PartWriters(index_dir)
    try:
        written = writers.write(documents, deleted_keys)
    except BaseException:
        writers.cancel()
        raise
    writers.commit()
    return written


class PartWriters:
    """Both parts' Whoosh writers, opened when a batch needs them and kept open until `commit`.

    Several batches may go into one segment this way (the writer process does so): fewer,
    bigger segments are far cheaper for Whoosh than many merged later. A writer's deletes only
    reach committed segments, so a batch that replaces a key added since the last commit
    commits first.
    """

    def __init__(self, index_dir: str | Path) -> None:
        self.index_dir = index_dir
        self.writers: dict[str, object] = {}
        self.added_keys: set[str] = set()

    def write(self, documents: Iterable[dict], deleted_keys: Iterable[str] = ()) -> int:
        documents = list(documents)
        stale = set(deleted_keys) | {document["doc_key"] for document in documents}
        if not self.added_keys.isdisjoint(stale):
            self.commit()
        for part in PARTS:
            mine = [d for d in documents if in_open_index(d) == (part == OPEN)]
            writer = self.writers.get(part)
            if writer is None:
                ix = open_part(self.index_dir, part, mmap=False)
                if not mine and not _holds_any(ix, stale):
                    continue
                writer = self.writers[part] = ix.writer(
                    timeout=WRITE_LOCK_TIMEOUT_SECONDS, codec=CODEC, limitmb=INCREMENTAL_POOL_MB
                )
                _add_new_fields(writer)
            for key in _present(writer, stale):
                writer.delete_by_term("doc_key", key)
            for document in mine:
                writer.add_document(**document)
        self.added_keys |= {document["doc_key"] for document in documents}
        return len(documents)

    @property
    def pending(self) -> int:
        """Documents added since the last commit."""
        return len(self.added_keys)

    def commit(self) -> None:
        """One new generation per part written to; the writers' locks are released."""
        writers, self.writers, self.added_keys = self.writers, {}, set()
        for writer in writers.values():
            writer.commit(mergetype=merge_in_tiers)

    def cancel(self) -> None:
        writers, self.writers, self.added_keys = self.writers, {}, set()
        for writer in writers.values():
            writer.cancel()


def _add_new_fields(writer) -> None:
    """Columns added to the schema since the part was created join it with this write, so
    an upgraded portal keeps indexing before `portal index rebuild`; documents written before
    read the column's default until they are written again."""
    for name, field in build_schema().items():
        if name not in writer.schema:
            writer.add_field(name, field)


def merge_in_tiers(writer, segments: list) -> list:
    """Whoosh merge policy for incremental writes: merge like sizes, leave big segments alone.

    Whoosh's default (MERGE_SMALL) sooner or later merges the whole index into the segment a
    write is committing, and writing a segment holds about 130 bytes per distinct term it
    contains, so an ingest's peak memory grew with the index. Here a segment's tier is the
    power of MERGE_FACTOR its live documents reach (deleted ones don't count, so a segment
    that lost most of its documents sinks to a lower tier and merges again with its peers).
    A tier holding MERGE_FACTOR segments merges into the segment being written; sealed
    segments are never merged again. So a merge writes fewer than MERGE_FACTOR x
    SEALED_SEGMENT_DOCS documents, a notice is rewritten about once per tier, and an index
    holds fewer than MERGE_FACTOR segments per tier besides the sealed ones.
    """
    tiers: dict[int, list] = defaultdict(list)
    for segment in segments:
        if segment.doc_count() < SEALED_SEGMENT_DOCS:
            tiers[_tier(segment.doc_count())].append(segment)
    merging = next((tiers[tier] for tier in sorted(tiers) if len(tiers[tier]) >= MERGE_FACTOR), [])
    for segment in merging:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return [segment for segment in segments if segment not in merging]


def _tier(live_docs: int) -> int:
    tier, bound = 0, SMALLEST_TIER_DOCS
    while live_docs >= bound:
        tier, bound = tier + 1, bound * MERGE_FACTOR
    return tier


def _present(writer, keys: set[str]) -> list[str]:
    """Keys the locked writer's segments hold: most of a batch is new, and a term lookup is far
    cheaper than a delete query, whose cost and memory grow with the index."""
    with writer.reader() as reader:
        return [key for key in keys if ("doc_key", key) in reader]


def _holds_any(ix: index.FileIndex, keys: set[str]) -> bool:
    with ix.reader() as reader:
        return any(("doc_key", key) in reader for key in keys)


def rebuild_dir(index_dir: str | Path) -> Path:
    """Where a rebuild writes its scratch index, beside the live parts (same file system, so
    its segment files move into place by rename)."""
    return Path(index_dir) / "rebuild"


@contextmanager
def rebuild_lock(index_dir: str | Path):
    """Held for a whole rebuild: a second one would write into the same scratch index."""
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    lock = FileStorage(str(index_dir)).lock("REBUILD")
    if not lock.acquire(blocking=False):
        raise LockError("another index rebuild is running")
    try:
        yield
    finally:
        lock.release()


def swap_in(index_dir: str | Path, scratch_dir: str | Path) -> None:
    """Make each part of a scratch index the live one, under the part's write lock.

    The scratch segments' files move beside the live ones, then one new table of contents
    lists only them: Whoosh's atomic commit, so a reader sees the old generation or the new,
    never a mix, and the old segments' files are deleted as any commit deletes them. The TOC
    carries the scratch index's schema, so a rebuild also moves an index to a changed schema.
    """
    for part in PARTS:
        scratch, live = open_part(scratch_dir, part), open_part(index_dir, part)
        toc = TOC.read(scratch.storage, scratch.indexname)
        names = {segment.segment_id() for segment in toc.segments}
        pattern = TOC._segment_pattern(scratch.indexname)
        lock = live.lock("WRITELOCK")
        if not try_for(lock.acquire, timeout=WRITE_LOCK_TIMEOUT_SECONDS):
            raise LockError(f"the {part} index stayed locked for {WRITE_LOCK_TIMEOUT_SECONDS} s")
        try:
            for name in list(scratch.storage):
                match = pattern.match(name)
                if match and match.group(1) in names:
                    os.replace(part_dir(scratch_dir, part) / name, part_dir(index_dir, part) / name)
            generation = live.latest_generation() + 1
            TOC(toc.schema, toc.segments, generation).write(live.storage, live.indexname)
            clean_files(live.storage, live.indexname, generation, toc.segments)
        finally:
            lock.release()
