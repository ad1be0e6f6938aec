"""Raw payloads: stored in compressed chunks, kept once per change, pruned after the retention."""

import hashlib
import io
import os
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from portal.db import db
from portal.migrate import downgrade_database, upgrade_database
from scrapers.models import RawPayload, RawPayloadChunk
from scrapers.raw import CHUNK_BYTES, open_payload, prune_raw_payloads, store_raw_payload

NOW = datetime(2026, 6, 1, tzinfo=UTC)
MEGABYTE = 1024 * 1024


def chunk_count(session, payload_id: int | None = None) -> int:
    query = select(func.count()).select_from(RawPayloadChunk)
    if payload_id is not None:
        query = query.where(RawPayloadChunk.payload_id == payload_id)
    return session.scalar(query)


def test_large_body_round_trips_through_several_stored_chunks(session, make_source):
    body = os.urandom(256 * 1024) * 12  # 3 MB, compressible enough to fit in fewer chunks
    body += os.urandom(2 * MEGABYTE)  # and 2 MB that does not compress at all
    payload = store_raw_payload(session, make_source("placsp"), None, io.BytesIO(body), NOW)
    session.commit()

    with open_payload(session, payload.id) as restored:
        assert restored.read() == body
    assert chunk_count(session, payload.id) >= 3
    assert payload.sha256 == hashlib.sha256(body).hexdigest()


def test_storing_and_reparsing_a_large_payload_keeps_memory_far_below_its_size(
    session, make_source, tmp_path
):
    size = 48 * MEGABYTE
    path, digest = tmp_path / "grande.json", hashlib.sha256()
    with path.open("wb") as file:
        for number in range(size // MEGABYTE):  # random halves fill chunks, zeros inflate hugely
            piece = os.urandom(MEGABYTE) if number % 2 else bytes(MEGABYTE)
            digest.update(piece)
            file.write(piece)
    source = make_source("ocds-grande")

    tracemalloc.start()
    try:
        with path.open("rb") as body:
            payload_id = store_raw_payload(session, source, None, body, NOW).id
        session.commit()
        restored = hashlib.sha256()
        with open_payload(session, payload_id) as stream:
            while piece := stream.read(MEGABYTE):
                restored.update(piece)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert restored.hexdigest() == digest.hexdigest()
    assert chunk_count(session, payload_id) >= size // 2 // CHUNK_BYTES
    assert peak < size // 4


def test_identical_payload_in_a_row_is_stored_once(session, make_source):
    source = make_source("placsp")

    def store(body: bytes, hours: int):
        return store_raw_payload(session, source, None, io.BytesIO(body), NOW + timedelta(hours))

    kept = [store(b"<feed>1</feed>", 0), store(b"<feed>1</feed>", 1), store(b"<feed>2</feed>", 2)]
    kept.append(store(b"<feed>1</feed>", 3))
    session.commit()

    assert [payload is not None for payload in kept] == [True, False, True, True]
    assert session.scalar(select(func.count(RawPayload.id))) == 3
    with open_payload(session, kept[0].id) as body:
        assert body.read() == b"<feed>1</feed>"


def test_payloads_older_than_the_retention_are_pruned_with_their_chunks(session, make_source):
    source = make_source("placsp")
    for days_ago, body in ((100, b"old"), (10, b"recent")):
        store_raw_payload(session, source, None, io.BytesIO(body), NOW - timedelta(days=days_ago))
    session.commit()

    removed = prune_raw_payloads(session, NOW, retention_days=90)
    session.commit()

    assert removed == 1
    (remaining,) = session.scalars(select(RawPayload)).all()
    assert chunk_count(session) == chunk_count(session, remaining.id) == 1
    with open_payload(session, remaining.id) as body:
        assert body.read() == b"recent"


def test_payload_with_a_missing_chunk_is_refused_not_read_short(session, make_source):
    body = os.urandom(3 * MEGABYTE)
    payload = store_raw_payload(session, make_source("placsp"), None, io.BytesIO(body), NOW)
    session.execute(RawPayloadChunk.__table__.delete().where(RawPayloadChunk.sequence == 2))
    session.commit()

    with open_payload(session, payload.id) as restored:
        try:
            restored.read()
        except EOFError as error:
            assert "incompleta" in str(error)
        else:
            raise AssertionError("a truncated payload was read without complaint")


def test_payload_bodies_survive_the_chunk_migration_down_and_up(app, session, make_source):
    body = os.urandom(MEGABYTE) * 2 + os.urandom(2 * MEGABYTE)  # more than one chunk either way
    payload_id = store_raw_payload(session, make_source("placsp"), None, io.BytesIO(body), NOW).id
    session.commit()
    session.close()  # the migration needs the tables free of this session's locks

    downgrade_database(app, "0001")
    with db.engine.connect() as connection:
        stored = connection.scalar(text("SELECT body_zlib FROM raw_payloads"))
    upgrade_database(app)

    assert zlib.decompress(stored) == body
    with open_payload(session, payload_id) as restored:
        assert restored.read() == body
