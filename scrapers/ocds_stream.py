"""OCDS files as a stream of release objects, whatever their wrapping, never whole in memory.

Release packages, record packages, bare releases, JSON Lines and packages concatenated in one
file are all read with ijson events; only one release (or one record) is built at a time.
Files that are not UTF-8 (ISO-8859-1 from some publishers) are transcoded on the fly.
"""

import codecs
import tempfile
from collections.abc import Iterator
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
        if encoding is None:
            encoding = _sniff_encoding(stream)
            stream.seek(offset)
        yield stream if encoding == "utf-8" else _Transcoded(stream, encoding)


def _spooled(stream: BinaryIO):
    """A seekable copy of a one-way stream, on disk past 16 MB."""
    spooled = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    while chunk := stream.read(_CHUNK):
        spooled.write(chunk)
    spooled.seek(0)
    return spooled


def _sniff_encoding(stream: BinaryIO) -> str:
    """UTF-8 if every byte decodes as UTF-8, else Windows-1252 (a superset of ISO-8859-1 text)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    seen_content = False
    try:
        while chunk := stream.read(_CHUNK):
            seen_content = seen_content or bool(chunk.strip())
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    if not seen_content:
        raise ParseError("empty OCDS file (0 bytes or only whitespace): nothing to import")
    return "utf-8"


def releases(stream) -> Iterator[object]:
    """Every release-like object: package items, records, bare releases and array items.

    Records are yielded as they are (with "compiledRelease"/"releases"); the caller picks.
    A top-level value that is neither a package nor a release is yielded as-is too.
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
        except (ijson.JSONError, ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"not valid JSON: {error}") from error
        yield event
