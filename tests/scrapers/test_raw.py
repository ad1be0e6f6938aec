"""Raw payloads: compressed in chunks, kept once per change, pruned after the retention."""

import io
import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from scrapers.models import RawPayload
from scrapers.raw import compress_stream, open_payload, prune_raw_payloads, store_raw_payload

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_large_body_round_trips_through_chunked_compression():
    body = os.urandom(256 * 1024) * 12  # 3 MB, several chunks

    compressed, sha256 = compress_stream(io.BytesIO(body))

    with open_payload(RawPayload(body_zlib=compressed, sha256=sha256)) as restored:
        assert restored.read() == body
    assert len(sha256) == 64


def test_identical_payload_in_a_row_is_stored_once(session, make_source):
    source = make_source("placsp")

    def store(body: bytes, hours: int):
        return store_raw_payload(session, source, None, io.BytesIO(body), NOW + timedelta(hours))

    kept = [store(b"<feed>1</feed>", 0), store(b"<feed>1</feed>", 1), store(b"<feed>2</feed>", 2)]
    kept.append(store(b"<feed>1</feed>", 3))
    session.commit()

    assert [payload is not None for payload in kept] == [True, False, True, True]
    assert session.scalar(select(func.count(RawPayload.id))) == 3
    with open_payload(kept[0]) as body:
        assert body.read() == b"<feed>1</feed>"


def test_payloads_older_than_the_retention_are_pruned(session, make_source):
    source = make_source("placsp")
    for days_ago, body in ((100, b"old"), (10, b"recent")):
        store_raw_payload(session, source, None, io.BytesIO(body), NOW - timedelta(days=days_ago))
    session.commit()

    removed = prune_raw_payloads(session, NOW, retention_days=90)
    session.commit()

    assert removed == 1
    (remaining,) = session.scalars(select(RawPayload)).all()
    with open_payload(remaining) as body:
        assert body.read() == b"recent"
