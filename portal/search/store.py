"""The two on-disk indexes (open notices + plan lines, archive) and their one writer.

Open notices are ~5% of all: keeping them apart lets the default search touch a small index.
Writes hold Whoosh's file lock, an OS lock that dies with a crashed process, so a stale lock
file never blocks the next writer; a commit swaps the table of contents atomically, so a crash
mid-batch leaves the previous generation readable and `repair` re-adds what is missing.
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher
from whoosh.writing import CLEAR

from portal.search.arrays import IndexArrays, load_arrays
from portal.search.documents import in_open_index
from portal.search.schema import build_schema

OPEN = "open"
ARCHIVE = "archive"
PARTS = (OPEN, ARCHIVE)
WRITE_LOCK_TIMEOUT_SECONDS = 60.0
# Postings are read a block at a time (portal.search.arrays): 1,024 per block instead of 128
# cuts the per-block Python overhead that dominated common-term queries.
CODEC = W3Codec(blocklimit=1024)
# An incremental write's postings pool (Whoosh's default: 128 MB); a merge of big segments
# spills to disk past it: 300,000 ingested notices peaked at 242 MB with 32, 329 MB with 128.
INCREMENTAL_POOL_MB = 32
MAX_OPEN_INDEXES = 8  # parts kept open per process; many only in test runs (one per app)


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
    """Replace the given keys in both parts; each document goes to the part its status says."""
    documents = list(documents)
    stale = set(deleted_keys) | {document["doc_key"] for document in documents}
    written = 0
    for part in PARTS:
        mine = [d for d in documents if in_open_index(d) == (part == OPEN)]
        ix = open_part(index_dir, part, mmap=False)
        if not mine and not _holds_any(ix, stale):
            continue
        writer = ix.writer(
            timeout=WRITE_LOCK_TIMEOUT_SECONDS, codec=CODEC, limitmb=INCREMENTAL_POOL_MB
        )
        try:
            for key in _present(writer, stale):
                writer.delete_by_term("doc_key", key)
            for document in mine:
                writer.add_document(**document)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        written += len(mine)
    return written


def _present(writer, keys: set[str]) -> list[str]:
    """Keys the locked writer's segments hold: most of a batch is new, and a term lookup is far
    cheaper than a delete query, whose cost and memory grow with the index."""
    with writer.reader() as reader:
        return [key for key in keys if ("doc_key", key) in reader]


def _holds_any(ix: index.FileIndex, keys: set[str]) -> bool:
    with ix.reader() as reader:
        return any(("doc_key", key) in reader for key in keys)


class BulkWriter:
    """A whole rebuild in one writer per part: two processes, big buffers, no merging.

    The live index stays searchable meanwhile: the new segments replace every old one only at
    `commit` (Whoosh's CLEAR merge), in one swap of the table of contents per part. An index
    whose field set differs from the current schema is emptied first: its segments can't mix.
    """

    def __init__(self, index_dir: str | Path, procs: int = 2, limitmb: int = 256) -> None:
        if any(_schema_changed(open_part(index_dir, part)) for part in PARTS):
            clear(index_dir)
        options = {"procs": procs, "limitmb": limitmb, "multisegment": procs > 1, "codec": CODEC}
        self.writers = {
            part: open_part(index_dir, part).writer(timeout=WRITE_LOCK_TIMEOUT_SECONDS, **options)
            for part in PARTS
        }

    def add(self, document: dict) -> None:
        self.writers[OPEN if in_open_index(document) else ARCHIVE].add_document(**document)

    def commit(self) -> None:
        for writer in self.writers.values():
            writer.commit(mergetype=CLEAR)

    def cancel(self) -> None:
        for writer in self.writers.values():
            writer.cancel()


def _schema_changed(ix: index.FileIndex) -> bool:
    return sorted(ix.schema.names()) != sorted(build_schema().names())


def clear(index_dir: str | Path) -> None:
    """Start both parts empty (a rebuild); readers keep their old files until they reopen."""
    for part in PARTS:
        path = part_dir(index_dir, part)
        path.mkdir(parents=True, exist_ok=True)
        FileStorage(str(path)).create_index(build_schema())


@dataclass(frozen=True)
class Snapshot:
    """A searcher and its arrays from one generation; a search uses one snapshot throughout."""

    ix: index.FileIndex
    searcher: Searcher
    arrays: IndexArrays
    generation: int


@dataclass
class ReaderCache:
    """Per-process readers: reopened only when a writer committed a new generation.

    Old snapshots are not closed: a thread may still be reading one; they close when collected.
    """

    snapshots: dict[Path, Snapshot] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, index_dir: str | Path, part: str) -> Snapshot:
        path = part_dir(index_dir, part)
        with self.lock:
            snapshot = self.snapshots.get(path)
            if snapshot is None:
                ix = open_part(index_dir, part)
                snapshot = _open_snapshot(ix, ix.latest_generation(), None)
            else:
                latest = snapshot.ix.latest_generation()
                if latest != snapshot.generation:
                    snapshot = _open_snapshot(snapshot.ix, latest, snapshot.arrays)
            self.snapshots.pop(path, None)
            self.snapshots[path] = snapshot  # most recently used last
            while len(self.snapshots) > MAX_OPEN_INDEXES:
                self.snapshots.pop(next(iter(self.snapshots)))
            return snapshot


def _open_snapshot(ix: index.FileIndex, generation: int, previous: IndexArrays | None) -> Snapshot:
    """A fresh searcher (Searcher.refresh() fails on a once-empty index); arrays of unchanged
    segments are reused from the previous snapshot."""
    searcher = ix.searcher()
    return Snapshot(ix, searcher, load_arrays(searcher.reader(), previous), generation)


READERS = ReaderCache()
