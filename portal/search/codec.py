"""The index's codec: Whoosh's W3 with big postings blocks and a compact term table.

Postings are read a block at a time (portal.search.arrays): 1,024 per block instead of 128
cuts the per-block Python overhead that dominated common-term queries.

While a segment is written, Whoosh's term table (an on-disk hash) keeps every term's hash and
file position as a Python tuple in one of 256 lists, about 128 bytes per distinct term: a merge
writing 400,000 notices of ~5 distinct codes and numbers each held 250 MB in it alone. Here
each bucket keeps the two numbers in C arrays, about 16 bytes per term; the file is the
same, so readers need nothing of this. Segments name their codec in the index's table of
contents, pickled: CompactCodec must stay importable under this name.
"""

from array import array

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter

HASH_BUCKETS = 256  # whoosh.filedb.filetables.HashWriter's


class CompactCodec(W3Codec):
    def field_writer(self, storage, segment):
        return CompactFieldWriter(self, storage, segment)


class CompactFieldWriter(W3FieldWriter):
    def __init__(self, codec, storage, segment) -> None:
        super().__init__(codec, storage, segment)
        self._tindex.buckets = [HashBucket() for _ in range(HASH_BUCKETS)]  # still empty


class HashBucket:
    """(hash, position) pairs as HashWriter appends and iterates them, in two C arrays."""

    __slots__ = ("hashes", "positions")

    def __init__(self) -> None:
        self.hashes = array("I")  # the table stores 32-bit hashes ("!Iq")
        self.positions = array("q")

    def append(self, pair: tuple[int, int]) -> None:
        self.hashes.append(pair[0])
        self.positions.append(pair[1])

    def __len__(self) -> int:
        return len(self.hashes)

    def __iter__(self):
        return zip(self.hashes, self.positions, strict=True)


CODEC = CompactCodec(blocklimit=1024)
