"""A response body decompressed here and counted as it streams to a temporary file.

httpx would decompress a whole network read at once: 64 KB of gzip can become 64 MB before
anyone counts it. Read raw and inflated in bounded pieces, a body is stopped at its cap
whatever its Content-Length says, or when it has none.
"""

import tempfile
import zlib
from collections.abc import Iterator

import httpx

from scrapers.limits import too_large

SPOOL_IN_MEMORY_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024
ACCEPT_ENCODING = "gzip"  # the one compression asked for; zlib reads deflate as well
_GZIP_OR_ZLIB = zlib.MAX_WBITS | 32  # detect the gzip or zlib header


class BodyRefused(Exception):
    """The body is past its cap or cannot be decoded; nothing of it is kept."""


def spool(response: httpx.Response, limit: int) -> tempfile.SpooledTemporaryFile:
    """The body in a spooled file (memory up to 1 MB, then disk), at most `limit` bytes."""
    declared = response.headers.get("Content-Length", "")
    if _encoding(response) is None and declared.isdigit() and int(declared) > limit:
        raise BodyRefused(too_large(limit))  # refused before a byte is read
    body = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)
    size = 0
    try:
        for piece in decoded(response):
            size += len(piece)
            if size > limit:
                raise BodyRefused(too_large(limit))
            body.write(piece)
    except BaseException:
        body.close()
        raise
    body.seek(0)
    return body


def decoded(response: httpx.Response) -> Iterator[bytes]:
    """The body as it was before compression, in pieces of at most CHUNK_BYTES."""
    encoding = _encoding(response)
    raw = response.iter_raw(CHUNK_BYTES)
    if encoding is None:
        yield from raw
        return
    inflater = zlib.decompressobj(_GZIP_OR_ZLIB)
    try:
        for chunk in raw:
            while chunk:
                yield inflater.decompress(chunk, CHUNK_BYTES)
                chunk = inflater.unconsumed_tail
            if inflater.eof:
                return  # whatever follows the compressed stream is not read
        yield inflater.flush()
    except zlib.error as error:
        raise BodyRefused(f"respuesta comprimida ilegible ({error})") from error


def _encoding(response: httpx.Response) -> str | None:
    value = response.headers.get("Content-Encoding", "").strip().lower()
    if value in ("", "identity"):
        return None
    if value in ("gzip", "x-gzip", "deflate"):
        return value
    raise BodyRefused(f"codificación de contenido no admitida: {value}")
