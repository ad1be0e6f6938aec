"""Per-process index readers: one snapshot per part, reopened when a writer commits.

Apart from portal.search.store so that writing (which a child process may do alone, see
portal.search.writer_process) needs neither numpy nor the arrays searches read.
"""

import threading
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index
from whoosh.searching import Searcher

from portal.search.arrays import IndexArrays, load_arrays
from portal.search.store import open_part, part_dir

MAX_OPEN_INDEXES = 8  # parts kept open per process; many only in test runs (one per app)


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
