"""Large payloads on disk are parsed in a child process, so parsing and ingest use two cores.

The child streams the file through the source's parser and sends the items back in chunks
over a bounded queue (memory stays flat); a parser's `ParseError` is raised again here.
Small or in-memory payloads are parsed in-process: a child costs about a second to start.
The child imports only the parser's own modules (no SQLAlchemy, no Flask; a test holds to
that): it stays near 30 MB where importing the whole portal cost it 78 MB before parsing.
"""

import multiprocessing
import os
import queue
from collections.abc import Iterator
from typing import BinaryIO

from scrapers.records import ParseContext, ParsedItem, ParseError, Parser

PARALLEL_PARSE_BYTES = 8 * 1024 * 1024
CHUNK_ITEMS = 500
QUEUED_CHUNKS = 4
POLL_SECONDS = 1.0


class ParseWorkerError(RuntimeError):
    """The parser crashed in the child (a bug, not a bad payload); the message says how."""


def parsed_items(
    parser: Parser,
    body: BinaryIO,
    context: ParseContext,
    parallel_from_bytes: int = PARALLEL_PARSE_BYTES,
) -> Iterator[ParsedItem]:
    """The parser's items, from a child process when the body is a file of at least the size.

    The parser must be a module-level function: the child imports it by name.
    """
    path = getattr(body, "name", None)
    if not isinstance(path, str) or os.path.getsize(path) < parallel_from_bytes:
        yield from parser(body, context)
        return
    yield from _parse_in_child(parser, path, context)


def _parse_in_child(parser: Parser, path: str, context: ParseContext) -> Iterator[ParsedItem]:
    spawn = multiprocessing.get_context("spawn")  # no fork of open database connections
    results = spawn.Queue(maxsize=QUEUED_CHUNKS)
    worker = spawn.Process(target=_work, args=(parser, path, context, results), daemon=True)
    worker.start()
    try:
        while True:
            tag, payload = _next_message(results, worker)
            if tag == "items":
                yield from payload
            elif tag == "parse_error":
                raise ParseError(payload)
            elif tag == "crash":
                raise ParseWorkerError(payload)
            else:
                return
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()
        results.close()


def _next_message(results, worker) -> tuple[str, object]:
    while True:
        try:
            return results.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if not worker.is_alive():
                raise ParseWorkerError(
                    f"parser process ended with code {worker.exitcode}"
                ) from None


def _work(parser: Parser, path: str, context: ParseContext, results) -> None:
    """Runs in the child: every outcome, including a crash, goes back as a message."""
    try:
        chunk: list[ParsedItem] = []
        with open(path, "rb") as stream:
            for item in parser(stream, context):
                chunk.append(item)
                if len(chunk) >= CHUNK_ITEMS:
                    _put(results, ("items", chunk))
                    chunk = []
        _put(results, ("items", chunk))
        _put(results, ("done", None))
    except ParseError as error:
        _put(results, ("parse_error", str(error)))
    except Exception as error:  # noqa: BLE001  (reported to the parent, which fails the run)
        _put(results, ("crash", f"{type(error).__name__}: {error}"))


def _put(results, message: tuple) -> None:
    """Wait for room in the queue, but not for a parent that was killed: end with it."""
    while True:
        try:
            results.put(message, timeout=POLL_SECONDS)
            return
        except queue.Full:
            if not multiprocessing.parent_process().is_alive():
                results.cancel_join_thread()  # what is queued has no reader left to wait for
                raise SystemExit(0) from None
