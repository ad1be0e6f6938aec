"""Index columns and postings as numpy arrays: filters, facets and BM25F become vector maths.

Measured on 100k notices: Whoosh's per-document scorer and `groupedby` facets cost 10-40x more
than reading the query terms' postings block by block and counting column values in one pass.
Column arrays are cached per segment (segments never change; only their deletions do), so a
reader reopened after a small write loads only the new segment.
"""

import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import IndexReader

STRING_COLUMNS = ("kind", "status", "region", "object_type", "procedure_type", "deadline_check")
NUMBER_COLUMNS = ("db_id", "buyer", "value", "published", "deadline", "stamp")
LENGTH_COLUMNS = ("title_len", "body_len")


class Vocabulary:
    """Process-wide codes for column strings, append-only so codes stay valid everywhere."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.values: list[str] = []
        self._lock = threading.Lock()

    def code(self, value: str) -> int:
        found = self.codes.get(value)
        if found is None:
            with self._lock:
                found = self.codes.setdefault(value, len(self.values))
                if found == len(self.values):
                    self.values.append(value)
        return found

    def lookup(self, values) -> np.ndarray:
        """Codes of values already seen; -1 for values no document holds."""
        return np.array([self.codes.get(value, -1) for value in values], dtype=np.int64)


VOCABULARIES = {name: Vocabulary() for name in (*STRING_COLUMNS, "sectors")}


@dataclass(frozen=True)
class SegmentArrays:
    count: int
    columns: dict[str, np.ndarray]
    sector_doc: np.ndarray  # one row per (document, sector code) pair
    sector_code: np.ndarray


@dataclass(frozen=True)
class IndexArrays:
    """A searcher generation's documents in global doc-number order (segment offsets applied)."""

    segments: dict[str, SegmentArrays]
    offsets: list[tuple[object, int]]  # (segment reader, first global doc number)
    count: int
    live: np.ndarray
    columns: dict[str, np.ndarray]
    sector_doc: np.ndarray
    sector_code: np.ndarray

    @cached_property
    def norms(self) -> dict[str, np.ndarray]:
        """BM25 length normalisation per field: 1 - b + b * length / average length."""
        norms = {}
        for field in ("title", "body"):
            lengths = self.columns[f"{field}_len"].astype(np.float32)
            average = float(lengths[self.live].mean()) if self.live.any() else 1.0
            norms[field] = 0.25 + 0.75 * lengths / max(average, 1.0)
        return norms


def _fixed_column(reader, count: int, default: float) -> np.ndarray:
    """Bulk-read a NumericColumn's packed big-endian values (Whoosh reads them one by one)."""
    stored = reader._count
    raw = reader._dbfile.get(reader._basepos, stored * reader._fixedlen)
    values = np.frombuffer(raw, dtype=np.dtype(">" + reader._typecode)).astype(np.float64)
    if stored < count:
        values = np.concatenate([values, np.full(count - stored, default)])
    return values[:count]


def _string_column(reader, count: int, vocabulary: Vocabulary) -> np.ndarray:
    refs = np.frombuffer(
        reader._dbfile.get(reader._basepos, count * reader._itemsize),
        dtype=np.dtype(">" + reader._typecode),
    )
    lookup = np.array([vocabulary.code(v.decode()) for v in reader._uniques], dtype=np.int32)
    return lookup[refs.astype(np.int64)]


def _column(segment_reader, name: str, count: int) -> np.ndarray:
    perdoc = segment_reader._perdoc
    if name in STRING_COLUMNS:
        # "" when empty, also in a segment written before the column joined the schema
        if not perdoc.has_column(name):
            return np.full(count, VOCABULARIES[name].code(""), dtype=np.int32)
        column = segment_reader.schema[name].column_type
        return _string_column(perdoc.column_reader(name, column), count, VOCABULARIES[name])
    if name not in segment_reader.schema:  # an index written before the column existed
        return np.full(count, 0.0, dtype=np.float64)
    column = segment_reader.schema[name].column_type
    default = column.default_value()
    if not perdoc.has_column(name):
        return np.full(count, default, dtype=np.float64)
    return _fixed_column(perdoc.column_reader(name, column), count, default)


def _sectors(segment_reader, count: int) -> tuple[np.ndarray, np.ndarray]:
    if not segment_reader._perdoc.has_column("sectors"):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    reader = segment_reader.column_reader("sectors")
    vocabulary = VOCABULARIES["sectors"]
    docs: list[int] = []
    codes: list[int] = []
    for docnum, packed in enumerate(reader):
        for code in packed.split():
            docs.append(docnum)
            codes.append(vocabulary.code(code.decode()))
    return np.array(docs, dtype=np.int64), np.array(codes, dtype=np.int32)


def _segment_arrays(segment_reader) -> SegmentArrays:
    count = segment_reader.doc_count_all()
    names = (*STRING_COLUMNS, *NUMBER_COLUMNS, *LENGTH_COLUMNS)
    columns = {name: _column(segment_reader, name, count) for name in names}
    sector_doc, sector_code = _sectors(segment_reader, count)
    return SegmentArrays(count, columns, sector_doc, sector_code)


def load_arrays(reader: IndexReader, previous: IndexArrays | None = None) -> IndexArrays:
    """Arrays for a reader, reusing segments already loaded by `previous`."""
    known = previous.segments if previous else {}
    segments: dict[str, SegmentArrays] = {}
    offsets = []
    parts = []
    live_parts = []
    for segment_reader, offset in reader.leaf_readers():
        if segment_reader.segment() is None:  # an index with no segments yet
            continue
        segment_id = segment_reader.segment().segment_id()
        arrays = known.get(segment_id) or _segment_arrays(segment_reader)
        segments[segment_id] = arrays
        offsets.append((segment_reader, offset))
        parts.append((arrays, offset))
        live = np.ones(arrays.count, dtype=bool)
        deleted = list(segment_reader.segment().deleted_docs())
        live[np.array(deleted, dtype=np.int64)] = False
        live_parts.append(live)
    return _concatenate(segments, offsets, parts, live_parts)


def live_columns(reader: IndexReader, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Only the named columns, of live documents only, every segment concatenated.

    A repair compares three columns of every document; `load_arrays` would read them all.
    """
    chunks: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for segment_reader, _offset in reader.leaf_readers():
        if segment_reader.segment() is None:  # an index with no segments yet
            continue
        count = segment_reader.doc_count_all()
        live = np.ones(count, dtype=bool)
        live[np.array(list(segment_reader.segment().deleted_docs()), dtype=np.int64)] = False
        for name in names:
            chunks[name].append(_column(segment_reader, name, count)[live])
    return {name: np.concatenate(parts) if parts else np.zeros(0) for name, parts in chunks.items()}


def _concatenate(segments, offsets, parts, live_parts) -> IndexArrays:
    names = (*STRING_COLUMNS, *NUMBER_COLUMNS, *LENGTH_COLUMNS)
    if not parts:
        empty = {name: np.zeros(0) for name in names}
        empty.update({name: np.zeros(0, dtype=np.int32) for name in STRING_COLUMNS})
        nothing = np.zeros(0, dtype=np.int64)
        return IndexArrays({}, [], 0, np.zeros(0, dtype=bool), empty, nothing, nothing)
    columns = {name: np.concatenate([a.columns[name] for a, _ in parts]) for name in names}
    sector_doc = np.concatenate([a.sector_doc + offset for a, offset in parts])
    sector_code = np.concatenate([a.sector_code for a, _ in parts])
    count = sum(a.count for a, _ in parts)
    live = np.concatenate(live_parts)
    return IndexArrays(segments, offsets, count, live, columns, sector_doc, sector_code)


def postings(arrays: IndexArrays, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Global doc numbers and term frequencies of one term, read a block at a time."""
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    for segment_reader, offset in arrays.offsets:
        if (field, text) not in segment_reader:
            continue
        ids, weights = _segment_postings(segment_reader.postings(field, text))
        id_parts.append(ids + offset)
        weight_parts.append(weights)
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(id_parts), np.concatenate(weight_parts)


def _segment_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(matcher, W3LeafMatcher):  # short lists are inlined in the term info
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)
    id_blocks, weight_blocks = [], []
    while not matcher._atend:
        matcher._read_data()
        deltas, weights = matcher._data[0], matcher._data[1]
        id_blocks.append(np.cumsum(np.array(deltas, dtype=np.int64)))
        if weights is None or isinstance(weights, float):
            weight_blocks.append(np.full(len(deltas), weights or 1.0, dtype=np.float32))
        else:
            weight_blocks.append(np.asarray(weights, dtype=np.float32))
        matcher._next_block()
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def document_frequency(arrays: IndexArrays, field: str, text: str) -> int:
    return sum(reader.doc_frequency(field, text) for reader, _ in arrays.offsets)
