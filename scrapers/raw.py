"""Raw payloads: the bytes a source gave, compressed and kept so a fixed parser can re-read them.

The zlib stream is stored as rows of about a megabyte, written while it is compressed and read
back while it is decompressed, so a 500 MB file is never whole in memory, going in or out.
"""

import hashlib
import io
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scrapers.models import RawPayload, RawPayloadChunk, Source

CHUNK_BYTES = 1024 * 1024  # compressed bytes per stored row
READ_BYTES = 1024 * 1024  # uncompressed bytes read from the body at a time
INFLATE_BYTES = 64 * 1024  # compressed bytes handed to the decompressor at a time
CHUNKS = RawPayloadChunk.__table__


def payload_sha256(stream: BinaryIO) -> str:
    """Hash of the body read in pieces: what tells an unchanged payload from a new one."""
    digest = hashlib.sha256()
    while piece := stream.read(READ_BYTES):
        digest.update(piece)
    return digest.hexdigest()


def compressed_chunks(stream: BinaryIO, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The stream's zlib stream in pieces of `size` bytes (the last shorter), as it is read."""
    compressor = zlib.compressobj(6)
    pending = bytearray()
    while piece := stream.read(READ_BYTES):
        pending += compressor.compress(piece)
        while len(pending) >= size:
            yield bytes(pending[:size])
            del pending[:size]
    pending += compressor.flush()
    for start in range(0, len(pending), size):
        yield bytes(pending[start : start + size])


def store_raw_payload(
    session: Session,
    source: Source,
    run_id: int | None,
    body: BinaryIO,
    now: datetime,
    url: str | None = None,
    content_type: str | None = None,
) -> RawPayload | None:
    """Keep the payload unless it is the same as the source's previous one (then None).

    The body is read twice, to hash it and then to compress it, rather than writing chunks
    that an unchanged payload would have to delete again.
    """
    body.seek(0)
    sha256 = payload_sha256(body)
    body.seek(0)
    if _latest_sha256(session, source.id) == sha256:
        return None
    payload = RawPayload(
        source_id=source.id,
        run_id=run_id,
        fetched_at=now,
        url=url,
        content_type=content_type,
        sha256=sha256,
    )
    session.add(payload)
    session.flush()
    for sequence, data in enumerate(compressed_chunks(body)):
        session.execute(
            CHUNKS.insert(), {"payload_id": payload.id, "sequence": sequence, "data": data}
        )
    body.seek(0)
    return payload


def open_payload(session: Session, payload_id: int) -> BinaryIO:
    """The decompressed body as a one-way stream that reads one stored chunk at a time."""
    return io.BufferedReader(_ChunkReader(session, payload_id), buffer_size=READ_BYTES)


def prune_raw_payloads(session: Session, now: datetime, retention_days: int) -> int:
    """Delete payloads older than the retention (their chunks go by cascade); how many went.

    Adds to the caller's transaction without committing, so a job or command commits it.
    """
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(delete(RawPayload).where(RawPayload.fetched_at < cutoff))
    return result.rowcount or 0


def stored_payload_ids(session: Session, source: Source, since: datetime | None) -> Iterator[int]:
    """Oldest first, so re-parsing replays the history in the order it happened."""
    query = select(RawPayload.id).where(RawPayload.source_id == source.id)
    if since is not None:
        query = query.where(RawPayload.fetched_at >= since)
    yield from session.scalars(query.order_by(RawPayload.fetched_at, RawPayload.id)).all()


def _latest_sha256(session: Session, source_id: int) -> str | None:
    return session.scalar(
        select(RawPayload.sha256)
        .where(RawPayload.source_id == source_id)
        .order_by(RawPayload.fetched_at.desc(), RawPayload.id.desc())
        .limit(1)
    )


class _ChunkReader(io.RawIOBase):
    """Inflates a stored payload as it is read, asking the database for one chunk at a time.

    Each chunk is its own query, so the ingest may commit between two reads; output is capped
    at what the caller asked for, so a highly compressed chunk cannot balloon in memory.
    """

    def __init__(self, session: Session, payload_id: int) -> None:
        self._session = session
        self._payload_id = payload_id
        self._next_sequence = 0
        self._chunk = memoryview(b"")
        self._inflater = zlib.decompressobj()

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        wanted = len(target)
        while wanted and not self._inflater.eof:
            data = self._inflater.unconsumed_tail or self._next_input()
            output = self._inflater.decompress(data, wanted)
            if output:
                target[: len(output)] = output
                return len(output)
            if not data:
                raise EOFError(f"la carga {self._payload_id} está incompleta en la base de datos")
        return 0

    def _next_input(self) -> memoryview:
        """The next compressed bytes; empty once every stored chunk has been read."""
        if not self._chunk:
            self._chunk = memoryview(self._fetch_chunk())
        data, self._chunk = self._chunk[:INFLATE_BYTES], self._chunk[INFLATE_BYTES:]
        return data

    def _fetch_chunk(self) -> bytes:
        data = self._session.scalar(
            select(CHUNKS.c.data).where(
                CHUNKS.c.payload_id == self._payload_id,
                CHUNKS.c.sequence == self._next_sequence,
            )
        )
        if data is None:
            return b""
        self._next_sequence += 1
        return data
