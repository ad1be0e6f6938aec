"""Incremental writes merge segments in tiers, so no write rewrites the whole index.

Real Whoosh indexes on disk, with the tier sizes scaled down so a few hundred documents show
what a million would: batches of 2, tiers of 4, segments sealed at 32 live documents.
"""

import pytest

from portal.search import store
from portal.search.store import ARCHIVE, MERGE_FACTOR, open_part, write_documents

BATCH = 2


@pytest.fixture
def small_tiers(monkeypatch):
    monkeypatch.setattr(store, "SMALLEST_TIER_DOCS", BATCH)
    monkeypatch.setattr(store, "SEALED_SEGMENT_DOCS", BATCH * MERGE_FACTOR**2)
    return BATCH * MERGE_FACTOR**2


def archived(number: int) -> dict:
    return {
        "doc_key": f"opportunity:{number}",
        "title": f"Adquisición de cemento lote {number}",
        "kind": b"opportunity",
        "db_id": number,
        "status": b"closed",
    }


def segments(index_dir) -> list[tuple[str, int, int]]:
    """(segment id, documents written, documents live) of the archive part."""
    ix = open_part(index_dir, ARCHIVE, mmap=False)
    return [
        (segment.segment_id(), segment.doc_count_all(), segment.doc_count())
        for segment in ix._segments()
    ]


def write_batches(index_dir, start: int, batches: int) -> None:
    for first in range(start, start + batches * BATCH, BATCH):
        write_documents(index_dir, [archived(n) for n in range(first, first + BATCH)])


def test_no_merge_writes_more_than_a_tier_of_sealed_segments(tmp_path, small_tiers):
    largest_written = 0
    for first in range(0, 600, BATCH):
        write_batches(tmp_path, first, 1)
        largest_written = max([largest_written, *(written for _, written, _ in segments(tmp_path))])

    assert largest_written <= MERGE_FACTOR * small_tiers + BATCH
    live = sum(count for _, _, count in segments(tmp_path))
    assert live == 600
    with open_part(tmp_path, ARCHIVE).searcher() as searcher:
        assert searcher.doc_count() == 600
        assert searcher.document(doc_key="opportunity:599")["title"].endswith("lote 599")


def test_sealed_segments_are_left_alone_and_the_rest_stays_few(tmp_path, small_tiers):
    write_batches(tmp_path, 0, 100)
    sealed = {sid for sid, _, live in segments(tmp_path) if live >= small_tiers}

    write_batches(tmp_path, 1000, 100)

    after = segments(tmp_path)
    assert sealed and sealed <= {sid for sid, _, _ in after}
    unsealed = [live for _, _, live in after if live < small_tiers]
    tiers = 3  # below 2, below 8 and below 32 live documents... and sealed from 32 on
    assert len(unsealed) <= tiers * MERGE_FACTOR


def test_a_sealed_segment_that_lost_most_documents_merges_again(tmp_path, small_tiers):
    write_batches(tmp_path, 0, 100)
    sid, written, _ = max(segments(tmp_path), key=lambda segment: segment[1])
    with open_part(tmp_path, ARCHIVE).searcher() as searcher:
        keys = [fields["doc_key"] for fields in searcher.all_stored_fields()]
    mine = [key for key in keys if _segment_of(tmp_path, key) == sid]
    assert len(mine) == written >= small_tiers

    write_documents(tmp_path, [], deleted_keys=mine[: written - 1])  # one stays live
    for number in range(5000, 5000 + MERGE_FACTOR):  # single notices: the lowest tier
        write_documents(tmp_path, [archived(number)])

    assert sid not in {segment_id for segment_id, _, _ in segments(tmp_path)}
    with open_part(tmp_path, ARCHIVE).searcher() as searcher:
        assert searcher.document(doc_key=mine[-1]) is not None
        assert searcher.doc_count() == 200 - (written - 1) + MERGE_FACTOR


def _segment_of(index_dir, key: str) -> str:
    ix = open_part(index_dir, ARCHIVE, mmap=False)
    with ix.reader() as reader:
        docnum = next(reader.postings("doc_key", key).all_ids())
        for (segment_reader, offset), segment in zip(
            reader.leaf_readers(), ix._segments(), strict=True
        ):
            if offset <= docnum < offset + segment_reader.doc_count_all():
                return segment.segment_id()
    raise AssertionError(key)
