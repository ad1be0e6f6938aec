"""OCDS files as a stream of release objects, whatever their wrapping, never whole in memory.

Release packages, record packages, bare releases, JSON Lines and packages concatenated in one
file are all read with ijson events; only one release (or one record) is built at a time.
Files that are not UTF-8 (ISO-8859-1 from some publishers) are transcoded on the fly.
"""

import codecs
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import BinaryIO

import ijson
from ijson.common import ObjectBuilder

from scrapers.records import ParseError

_CHUNK = 64 * 1024
_ITEM_ARRAYS = ("releases", "records")


class _Transcoded:
    """A bytes reader that re-encodes another encoding to the UTF-8 ijson expects."""

    def __init__(self, stream: BinaryIO, encoding: str):
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def read(self, size: int = _CHUNK) -> bytes:
        chunk = self._stream.read(size)
        return self._decoder.decode(chunk, final=not chunk).encode("utf-8")


@contextmanager
def utf8_stream(stream: BinaryIO) -> Iterator[object]:
    """The stream readable as UTF-8 from its first JSON byte; empty files are refused."""
    with ExitStack() as cleanup:
        if not getattr(stream, "seekable", lambda: False)():
            stream = cleanup.enter_context(_spooled(stream))
        start = stream.read(4)
        if start.startswith(codecs.BOM_UTF8):
            offset, encoding = 3, "utf-8"
        elif start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            offset, encoding = 0, "utf-16"
        else:
            offset, encoding = 0, None
        stream.seek(offset)
        if encoding != "utf-16":
            invalid_at = _first_invalid_utf8(stream)
            if invalid_at is not None and encoding == "utf-8":
                raise ParseError(
                    f"not valid JSON: byte {offset + invalid_at} is not UTF-8, though the file"
                    " starts with a UTF-8 byte order mark"
                )
            encoding = "utf-8" if invalid_at is None else "cp1252"
            stream.seek(offset)
        yield stream if encoding == "utf-8" else _Transcoded(stream, encoding)


def _spooled(stream: BinaryIO):
    """A seekable copy of a one-way stream, on disk past 16 MB."""
    spooled = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    while chunk := stream.read(_CHUNK):
        spooled.write(chunk)
    spooled.seek(0)
    return spooled


def _first_invalid_utf8(stream: BinaryIO) -> int | None:
    """Where the first byte that is not UTF-8 is (such files are read as Windows-1252, a
    superset of ISO-8859-1 text); None when every byte is. Empty files are refused."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    read = 0
    seen_content = False
    while chunk := stream.read(_CHUNK):
        seen_content = seen_content or bool(chunk.strip())
        waiting = len(decoder.getstate()[0])  # an unfinished character from the last chunk
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            return read - waiting + error.start
        read += len(chunk)
    waiting = len(decoder.getstate()[0])
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return read - waiting + error.start
    if not seen_content:
        raise ParseError("empty OCDS file (0 bytes or only whitespace): nothing to import")
    return None


def releases(stream, on_package: Callable[[dict], None] | None = None) -> Iterator[object]:
    """Every release-like object: package items, records, bare releases and array items.

    Records are yielded as they are (with "compiledRelease"/"releases"); the caller picks.
    A top-level value that is neither a package nor a release is yielded as-is too.
    Each package's own fields (its items left out) go to `on_package` once the package ends:
    `links.next` may come after the releases.
    """
    item: ObjectBuilder | None = None
    item_prefix = ""
    top: ObjectBuilder | None = None
    top_is_package = top_is_array = False
    for prefix, event, value in _events(stream):
        if item is not None:
            item.event(event, value)
            if prefix == item_prefix and event in ("end_map", "end_array"):
                yield item.value
                item = None
        elif prefix == "" and event in ("start_map", "start_array"):
            top, top_is_package, top_is_array = ObjectBuilder(), False, event == "start_array"
            top.event(event, value)
        elif top is None:
            yield value
        elif prefix in _item_prefixes(top_is_array):
            if event in ("start_map", "start_array"):
                item, item_prefix = ObjectBuilder(), prefix
                item.event(event, value)
            else:
                yield value
        elif prefix == "" and event == "map_key" and value in _ITEM_ARRAYS:
            top_is_package = True
        elif not top_is_array and prefix.split(".", 1)[0] in _ITEM_ARRAYS:
            continue
        else:
            top.event(event, value)
            if prefix == "" and event in ("end_map", "end_array"):
                if isinstance(top.value, dict) and not top_is_package:
                    yield top.value
                elif top_is_package and on_package is not None:
                    on_package(top.value)
                top = None


def _item_prefixes(top_is_array: bool) -> tuple[str, ...]:
    return ("item",) if top_is_array else ("releases.item", "records.item")


def _events(stream) -> Iterator[tuple[str, str, object]]:
    events = ijson.parse(stream, multiple_values=True, use_float=False)
    while True:
        try:
            event = next(events)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            raise ParseError(
                f"not valid JSON: bytes that are not UTF-8 ({error.reason})"
            ) from error
        except (ijson.JSONError, ValueError) as error:
            raise ParseError(f"not valid JSON: {_first_line(error)}") from error
        yield event


def _first_line(error: Exception) -> str:
    """The parser's own sentence ("lexical error: invalid char in json text"), without the
    excerpt it quotes after it: for binary input a dump of the bytes, sometimes their repr."""
    message = error.args[0] if error.args else ""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    lines = str(message).strip().splitlines()
    sentence = re.sub(r"[^ -~]", "", lines[0] if lines else "").strip().rstrip(".")
    return sentence or "the content is not JSON"
