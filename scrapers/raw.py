"""Raw payloads: the bytes a source gave, compressed and kept so a fixed parser can re-read them."""

import hashlib
import tempfile
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scrapers.models import RawPayload, Source

CHUNK_BYTES = 1024 * 1024
SPOOL_IN_MEMORY_BYTES = 1024 * 1024


def compress_stream(stream: BinaryIO) -> tuple[bytes, str]:
    """Compress in chunks and hash the original: a 500 MB body is never whole in memory."""
    compressor = zlib.compressobj(6)
    digest = hashlib.sha256()
    parts: list[bytes] = []
    while chunk := stream.read(CHUNK_BYTES):
        digest.update(chunk)
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    return b"".join(parts), digest.hexdigest()


def store_raw_payload(
    session: Session,
    source: Source,
    run_id: int | None,
    body: BinaryIO,
    now: datetime,
    url: str | None = None,
    content_type: str | None = None,
) -> RawPayload | None:
    """Keep the payload unless it is the same as the source's previous one (then None)."""
    body.seek(0)
    compressed, sha256 = compress_stream(body)
    body.seek(0)
    previous = session.scalar(
        select(RawPayload.sha256)
        .where(RawPayload.source_id == source.id)
        .order_by(RawPayload.fetched_at.desc(), RawPayload.id.desc())
        .limit(1)
    )
    if previous == sha256:
        return None
    payload = RawPayload(
        source_id=source.id,
        run_id=run_id,
        fetched_at=now,
        url=url,
        content_type=content_type,
        sha256=sha256,
        body_zlib=compressed,
    )
    session.add(payload)
    session.flush()
    return payload


def open_payload(payload: RawPayload) -> BinaryIO:
    """The decompressed body as a file, spooled to disk when large."""
    decompressor = zlib.decompressobj()
    body = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)
    compressed = payload.body_zlib
    for start in range(0, len(compressed), CHUNK_BYTES):
        body.write(decompressor.decompress(compressed[start : start + CHUNK_BYTES]))
    body.write(decompressor.flush())
    body.seek(0)
    return body


def prune_raw_payloads(session: Session, now: datetime, retention_days: int) -> int:
    """Delete payloads older than the retention; returns how many went."""
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(delete(RawPayload).where(RawPayload.fetched_at < cutoff))
    return result.rowcount or 0


def stored_payload_ids(session: Session, source: Source, since: datetime | None) -> Iterator[int]:
    """Oldest first, so re-parsing replays the history in the order it happened."""
    query = select(RawPayload.id).where(RawPayload.source_id == source.id)
    if since is not None:
        query = query.where(RawPayload.fetched_at >= since)
    yield from session.scalars(query.order_by(RawPayload.fetched_at, RawPayload.id)).all()
