"""Which subscriptions match which new documents, in array operations whose cost follows the
matches rather than subscriptions × documents.

Subscriptions are indexed by what they require: each is reached only through its most
selective requirement in this batch (its rarest keyword, or its buyers, regions, sectors,
procedures, object types or kinds), and only those candidate pairs are verified, with the
search's own filters (`portal.search.rules.filter_masks`) and the search's own analysis
(`portal.search.schema.document_terms`, `portal.search.query.query_terms`): a subscription
matches a document exactly when its saved search would return it, its words found in the same
fields (title, description, buyer, department, codes).

Documents are the index documents `portal.search.documents` builds from committed rows, read
straight from the database, so matching never waits for the index to take them in.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from portal.search.arrays import STRING_COLUMNS, VOCABULARIES
from portal.search.params import SearchParams
from portal.search.query import query_terms
from portal.search.rules import SET_FILTERS, WIDTH, Criteria, criteria_of, filter_masks
from portal.search.schema import document_terms

# Candidate pairs verified at a time: bounds memory (about 100 bytes a pair) on any batch.
PAIRS_PER_ROUND = 250_000
# Requirements a subscription may be reached through, besides its rarest keyword.
ROUTES = ("buyers", "regions", "sectors", "procedure_types", "object_types", "kinds")


@dataclass(frozen=True)
class DocumentBatch:
    """New or changed documents as columns, like one index part that holds just them."""

    keys: list[str]  # doc_key of each document ("opportunity:12")
    columns: dict[str, np.ndarray]
    sector_doc: np.ndarray
    sector_code: np.ndarray
    terms: list[set[str]]

    def __len__(self) -> int:
        return len(self.keys)


def document_batch(documents: Sequence[dict]) -> DocumentBatch:
    """Columns coded with the index's own vocabularies (codes are process-wide)."""
    columns = {
        name: np.array(
            [VOCABULARIES[name].code(doc[name].decode()) for doc in documents], dtype=np.int32
        )
        for name in STRING_COLUMNS
    }
    for name in ("buyer", "value", "published", "deadline"):
        columns[name] = np.array([doc[name] for doc in documents], dtype=np.float64)
    sector_doc, sector_code = [], []
    for position, doc in enumerate(documents):
        for code in doc["sectors"].split():
            sector_doc.append(position)
            sector_code.append(VOCABULARIES["sectors"].code(code.decode()))
    return DocumentBatch(
        keys=[doc["doc_key"] for doc in documents],
        columns=columns,
        sector_doc=np.array(sector_doc, dtype=np.int64),
        sector_code=np.array(sector_code, dtype=np.int64),
        terms=[document_terms(doc) for doc in documents],
    )


@dataclass(frozen=True)
class SubscriptionIndex:
    """Subscriptions' criteria as arrays, and their required terms as a CSR table."""

    criteria: Criteria
    term_ids: dict[str, int]
    term_start: np.ndarray  # terms of row i: term_list[term_start[i]:term_start[i + 1]]
    term_list: np.ndarray

    def __len__(self) -> int:
        return len(self.criteria)


def subscription_index(
    searches: Sequence[SearchParams], size_limits: dict[str, float]
) -> SubscriptionIndex:
    """Build after `document_batch`: a value no document has ever held gets no code, and a
    filter on it allows nothing (the search's rule too)."""
    term_ids: dict[str, int] = {}
    starts, term_list = [0], []
    for params in searches:
        for term in query_terms(params.q):
            term_list.append(term_ids.setdefault(term, len(term_ids)))
        starts.append(len(term_list))
    return SubscriptionIndex(
        criteria=criteria_of(searches, size_limits),
        term_ids=term_ids,
        term_start=np.array(starts, dtype=np.int64),
        term_list=np.array(term_list, dtype=np.int64),
    )


@dataclass(frozen=True)
class _DocTerms:
    """(document, term id) of every subscription term a document holds, and the same as a bit
    table over documents × terms some document holds, so that checking a pair's terms is one
    lookup each rather than a binary search over a million keys."""

    doc: np.ndarray
    term: np.ndarray
    column: np.ndarray  # term id -> its column in the bit table; -1: no document holds it
    width: int  # columns of the bit table
    bits: np.ndarray  # uint8, bit (position & 7) of byte (position >> 3), row-major

    def holds(self, docs: np.ndarray, terms: np.ndarray) -> np.ndarray:
        """Whether each document holds the term at the same position."""
        column = self.column[terms]
        position = docs * self.width + np.maximum(column, 0)
        found = (self.bits[position >> 3] >> (position & 7).astype(np.uint8)) & 1
        return (column >= 0) & found.astype(bool)


def _doc_terms(batch: DocumentBatch, index: SubscriptionIndex) -> _DocTerms:
    docs, terms = [], []
    for position, held in enumerate(batch.terms):
        for term in held:
            term_id = index.term_ids.get(term)
            if term_id is not None:
                docs.append(position)
                terms.append(term_id)
    doc, term = np.array(docs, dtype=np.int64), np.array(terms, dtype=np.int64)
    column = np.full(len(index.term_ids), -1, dtype=np.int64)
    used = _distinct(term)
    column[used] = np.arange(len(used))
    width = max(len(used), 1)
    bits = np.zeros((len(batch) * width + 7) // 8, dtype=np.uint8)
    position = doc * width + column[term]
    np.bitwise_or.at(bits, position >> 3, np.left_shift(1, position & 7).astype(np.uint8))
    return _DocTerms(doc, term, column, width, bits)


def _join(left_row, left_key, right) -> tuple[np.ndarray, np.ndarray]:
    """Every (row, item) whose keys are equal: an equi-join of two key arrays, the right one
    given as (items, keys) sorted by key (`_sorted_side`)."""
    right_item, right_key = right
    low = np.searchsorted(right_key, left_key, "left")
    counts = np.searchsorted(right_key, left_key, "right") - low
    rows = np.repeat(left_row, counts)
    ends = np.cumsum(counts)
    offsets = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - counts, counts)
    return rows, right_item[np.repeat(low, counts) + offsets]


def _sorted_side(items: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A join's right side, sorted once per batch rather than once per round."""
    order = np.argsort(keys, kind="stable")
    return items[order], keys[order]


def _route_items(batch: DocumentBatch, route: str) -> tuple[np.ndarray, np.ndarray]:
    """(document, value code) pairs a route joins on."""
    if route == "sectors":
        return batch.sector_doc, batch.sector_code
    column = SET_FILTERS[route][1]
    values = batch.columns[column].astype(np.int64)
    return np.arange(len(batch), dtype=np.int64), values


def _route_costs(index: SubscriptionIndex, batch: DocumentBatch, doc_terms: _DocTerms):
    """Per route, per subscription: how many candidates it would give (inf: route unusable);
    for keywords also the rarest term of each subscription."""
    count = len(index)
    costs = {}
    for route in ROUTES:
        allowed = index.criteria.sets[route]
        docs, codes = _route_items(batch, route)
        values, frequency = np.unique(codes, return_counts=True)
        key_codes = allowed.keys % WIDTH
        positions = np.minimum(np.searchsorted(values, key_codes), max(len(values) - 1, 0))
        found = (values[positions] == key_codes) if len(values) else np.zeros(0, dtype=bool)
        per_key = np.where(found, frequency[positions] if len(values) else 0, 0)
        cost = np.bincount(allowed.keys // WIDTH, weights=per_key, minlength=count)
        costs[route] = np.where(allowed.filtering, cost, np.inf)
    term_frequency = np.bincount(doc_terms.term, minlength=len(index.term_ids))
    lengths = np.diff(index.term_start)
    owners = np.repeat(np.arange(count), lengths)
    order = np.lexsort((term_frequency[index.term_list], owners))  # by owner, rarest first
    first = index.term_start[:-1][lengths > 0]
    rarest = np.full(count, -1, dtype=np.int64)
    rarest[lengths > 0] = index.term_list[order][first]
    keyword_cost = np.full(count, np.inf)
    keyword_cost[lengths > 0] = term_frequency[rarest[lengths > 0]]
    costs["keywords"] = keyword_cost
    return costs, rarest


def _candidates(rows: np.ndarray, route: str, index, side, rarest) -> tuple[np.ndarray, np.ndarray]:
    """(subscription row, document) pairs reached through `route` for the given rows; `side`
    is the route's (document, value code) pairs as `_sorted_side` gives them."""
    if route == "keywords":
        return _join(rows, rarest[rows], side)
    allowed = index.criteria.sets[route]
    chosen = np.zeros(len(index), dtype=bool)
    chosen[rows] = True
    wanted = chosen[allowed.keys // WIDTH]
    key_rows, key_codes = allowed.keys[wanted] // WIDTH, allowed.keys[wanted] % WIDTH
    return _join(key_rows, key_codes, side)


class _PairColumns(Mapping):
    """Each pair's document columns, picked when a filter first reads them: most filters go
    unused by every subscription, and a round holds up to PAIRS_PER_ROUND pairs."""

    def __init__(self, columns: dict[str, np.ndarray], docs: np.ndarray):
        self._columns, self._docs, self._picked = columns, docs, {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._picked:
            self._picked[name] = self._columns[name][self._docs]
        return self._picked[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def _sector_table(batch: DocumentBatch) -> tuple[np.ndarray, np.ndarray]:
    """Sector codes grouped by document: those of document d are codes[start[d]:start[d + 1]]."""
    per_doc = np.bincount(batch.sector_doc, minlength=len(batch))
    start = np.concatenate([[0], np.cumsum(per_doc)])
    return start, batch.sector_code[np.argsort(batch.sector_doc, kind="stable")]


def _verified(
    subs: np.ndarray, docs: np.ndarray, index, batch, doc_terms, sectors, now: float
) -> tuple[np.ndarray, np.ndarray]:
    """The candidate pairs the subscription's search would return. Terms first: a bit lookup
    per term that turns away most candidates (three in five in the benchmark), so the
    filters' binary searches run on the rest only."""
    held = _holds_all_terms(subs, docs, index, doc_terms)
    subs, docs = subs[held], docs[held]
    columns = _PairColumns(batch.columns, docs)
    doc_start, doc_codes = sectors
    counts = (doc_start[1:] - doc_start[:-1])[docs]
    owner = np.repeat(np.arange(len(docs)), counts)
    ends = np.cumsum(counts)
    within = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - counts, counts)
    codes = doc_codes[np.repeat(doc_start[docs], counts) + within]
    keep = np.ones(len(docs), dtype=bool)
    for mask in filter_masks(columns, (owner, codes), subs, index.criteria, now).values():
        keep &= mask
    return subs[keep], docs[keep]


def _holds_all_terms(subs, docs, index: SubscriptionIndex, doc_terms: _DocTerms) -> np.ndarray:
    """Every keyword term of the subscription is in the document (any searched field)."""
    wanted = index.term_start[subs + 1] - index.term_start[subs]
    pair = np.repeat(np.arange(len(subs)), wanted)
    ends = np.cumsum(wanted)
    within = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - wanted, wanted)
    terms = index.term_list[np.repeat(index.term_start[subs], wanted) + within]
    found = doc_terms.holds(docs[pair], terms)
    return np.bincount(pair[found], minlength=len(subs)) == wanted


def match(index: SubscriptionIndex, batch: DocumentBatch, now: float):
    """(subscription rows, document positions) of every match, each pair once, as int32
    (millions of pairs for a large batch)."""
    rounds = list(match_rounds(index, batch, now))
    if not rounds:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    subs, docs = zip(*rounds, strict=True)
    return np.concatenate(subs), np.concatenate(docs)


def match_rounds(
    index: SubscriptionIndex, batch: DocumentBatch, now: float, owners: np.ndarray | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The matches a round at a time, as (subscription rows, document positions) int32 arrays,
    each pair once. Rounds take subscription rows in order; with `owners` (an id per row, rows
    grouped by it) a round never splits an owner's rows, so a round holds every match of the
    users it covers, and rounds come in the rows' order."""
    if not len(index) or not len(batch):
        return
    doc_terms = _doc_terms(batch, index)
    costs, rarest = _route_costs(index, batch, doc_terms)
    names = ("keywords", *ROUTES)
    table = np.stack([costs[name] for name in names])
    best = np.argmin(table, axis=0)
    cheapest = table[best, np.arange(len(index))]
    sectors = _sector_table(batch)
    sides = {
        name: _sorted_side(doc_terms.doc, doc_terms.term)
        if name == "keywords"
        else _sorted_side(*_route_items(batch, name))
        for position, name in enumerate(names)
        if (best == position).any()
    }
    for rows in _rounds(cheapest, owners):
        matched_subs, matched_docs = [], []
        for position, route in enumerate(names):
            chosen = rows[best[rows] == position]
            if not len(chosen):
                continue
            subs, docs = _candidates(chosen, route, index, sides[route], rarest)
            if route == "sectors":  # a document in two sectors a subscription chose
                pair_keys = _distinct(subs * len(batch) + docs)
                subs, docs = pair_keys // len(batch), pair_keys % len(batch)
            subs, docs = _verified(subs, docs, index, batch, doc_terms, sectors, now)
            matched_subs.append(subs.astype(np.int32))
            matched_docs.append(docs.astype(np.int32))
        if matched_subs:
            yield np.concatenate(matched_subs), np.concatenate(matched_docs)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """np.unique by sorting: numpy 2's hash-based np.unique is ~100x slower on these keys."""
    keys = np.sort(keys)
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return keys[first]


def _rounds(cheapest: np.ndarray, owners: np.ndarray | None):
    """Subscription rows in groups whose candidates stay near PAIRS_PER_ROUND; an owner's
    rows all go with its first row."""
    total = np.cumsum(np.minimum(cheapest, PAIRS_PER_ROUND))  # finite: inf is "no route"
    round_of = (total // PAIRS_PER_ROUND).astype(np.int64)
    if owners is not None and len(owners):
        first = np.ones(len(owners), dtype=bool)
        first[1:] = owners[1:] != owners[:-1]
        round_of = round_of[np.flatnonzero(first)[np.cumsum(first) - 1]]
    starts = np.flatnonzero(np.diff(round_of, prepend=-1))
    for start, end in zip(starts, [*starts[1:], len(round_of)], strict=True):
        yield np.arange(start, end)
