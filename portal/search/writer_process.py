"""A bulk ingest's index writes, in a child process of their own, so they overlap the database.

Whoosh is pure Python: in the ingesting process its writes took about two thirds of a bulk
run, and the second core sat idle. The ingesting process still reads the committed rows and
builds their documents (portal.search.sync.changed_documents); the child only writes them,
in order, several batches to a segment (COMMIT_DOCS, or whatever COMMIT_SECONDS brought, so
searches see new notices and other writers get the lock): Whoosh's cost is in small segments
merged later. It imports Whoosh and the schema, not SQLAlchemy or Flask (a test holds to
that). At most one batch waits in the queue, so a slow index slows the ingest down instead of
piling documents up in memory.

A failed write never undoes a commit: the database stays the truth, the error is reported
when the writer is closed, and `portal index repair` (or the scheduler's repair job) re-adds
what the index missed.
"""

import multiprocessing
import queue
import time
from pathlib import Path

from portal.search.store import PartWriters

QUEUED_BATCHES = 1
POLL_SECONDS = 1.0
# Documents per segment. The last commit of a run is waited for, so smaller is faster to end;
# 25,000 stays under the 25,600-notice tier bound, so four such segments merge once into a
# sealed one (portal.search.store.merge_in_tiers): each notice is rewritten about once.
COMMIT_DOCS = 25_000
COMMIT_SECONDS = 30.0
# After an intermediate commit the child waits this long before taking the lock again, so a
# writer polling for it (Whoosh retries every 0.1 s) gets its turn instead of timing out.
LOCK_PAUSE_SECONDS = 0.25


class IndexWriterError(RuntimeError):
    """The child could not write a batch, or ended; the message says how."""


class WriterProcess:
    """One child process writing batches to one index directory, started on creation."""

    def __init__(self, index_dir: str | Path) -> None:
        spawn = multiprocessing.get_context("spawn")  # no fork of open database connections
        self.batches = spawn.Queue(maxsize=QUEUED_BATCHES)
        self.outcome = spawn.Queue()
        self.process = spawn.Process(
            target=_serve, args=(str(index_dir), self.batches, self.outcome), daemon=True
        )
        self.process.start()
        self.error: str | None = None

    def write(self, documents: list[dict], deleted_keys: set[str]) -> None:
        """Queue one batch; waits while the child is still busy with the previous one."""
        self._put((documents, deleted_keys))
        if self.error is not None:
            raise IndexWriterError(self.error)

    def close(self) -> int:
        """Wait until every queued batch is written; returns how many documents were."""
        try:
            self._put(None)  # the end mark
            while self.error is None:
                try:
                    tag, value = self.outcome.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    self._check_alive()
                    continue
                if tag == "written":
                    return value
                self.error = value
            raise IndexWriterError(self.error)
        finally:
            self.process.join(timeout=POLL_SECONDS)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join()
            self.batches.close()
            self.outcome.close()

    def abandon(self) -> None:
        """End the child at once, committing nothing more (a failed rebuild's scratch index is
        thrown away whole)."""
        self.process.terminate()
        self.process.join()
        self.batches.cancel_join_thread()  # a batch still queued must not hold this process
        self.batches.close()
        self.outcome.close()

    def _put(self, item) -> None:
        """Put, unless the child has ended meanwhile (then `error` says why)."""
        while self.error is None:
            try:
                self.batches.put(item, timeout=POLL_SECONDS)
                return
            except queue.Full:
                self._check_alive()

    def _check_alive(self) -> None:
        if self.process.is_alive():
            return
        try:  # it may have said why before it ended
            tag, value = self.outcome.get_nowait()
            self.error = value if tag == "failed" else "index writer ended early"
        except queue.Empty:
            self.error = f"index writer process ended with code {self.process.exitcode}"


def _serve(index_dir: str, batches, outcome) -> None:
    """Runs in the child: write each batch until the end mark; every outcome is a message."""
    writers, written, committed_at = PartWriters(index_dir), 0, time.monotonic()
    try:
        while True:
            try:
                batch = batches.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not multiprocessing.parent_process().is_alive():
                    outcome.cancel_join_thread()  # nobody will read the outcome
                    break  # the parent was killed; its rows were committed: index them
                batch = ()
            if batch is None:
                break
            if batch:
                written += writers.write(*batch)
            if writers.pending >= COMMIT_DOCS or (
                time.monotonic() - committed_at >= COMMIT_SECONDS and writers.writers
            ):
                writers.commit()
                time.sleep(LOCK_PAUSE_SECONDS)
                committed_at = time.monotonic()
        writers.commit()
        outcome.put(("written", written))
    except Exception as error:  # noqa: BLE001  (reported to the parent at close)
        writers.cancel()
        outcome.put(("failed", f"{type(error).__name__}: {error}"))
