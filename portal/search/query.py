"""The search: BM25F over the query terms' postings, filters and facets as array operations.

All words of the query must appear, each in the title, the description, the buyer's name,
acronym or RUC, the department or a code of the notice (portal.search.schema.FIELD_WEIGHTS:
the title counts 2.5x). A query, or a part of it between blanks, that is a notice's code
(nomenclature, OCDS id, reference) or its buyer's RUC or acronym, as a whole, puts the
documents it names first when sorted by relevance. Facets are
disjunctive: each facet counts the hits under every filter except its own, so choosing one
region still shows how many hits the other regions would give. Plan lines have no status:
the status filter and facet apply to opportunities only. "open" means open in the database
with a deadline still ahead (or none), as on the home page. The sector facet offers UNSPSC
segments and, once one is chosen, the families (first four digits) under it.
"""

import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

import numpy as np
from flask import current_app
from whoosh.searching import Searcher

from portal.db import db
from portal.search.arrays import VOCABULARIES, IndexArrays, postings
from portal.search.documents import OPPORTUNITY, PLAN_LINE, department_names
from portal.search.highlight import highlight_snippet, highlight_title
from portal.search.params import SearchParams
from portal.search.readers import READERS
from portal.search.rules import Criteria, criteria_of, expired_open, filter_masks
from portal.search.schema import (
    ANALYZER,
    FIELD_WEIGHTS,
    WORD_ANALYZER,
    folded,
    query_code_keys,
    term_of,
)
from portal.search.size import size_value_limit
from portal.search.store import ARCHIVE, OPEN, PARTS

K1, B = 1.2, 0.75
TEXT_FIELDS = FIELD_WEIGHTS[:2]  # what a notice itself says: similar notices share it
# Added to the relevance of a document per exact key of the query it holds: far above any
# BM25F score (each term adds less than its idf, ~14 at a million documents).
EXACT_FIRST = 1e6
FACETS = (
    "sector",
    "family",
    "region",
    "buyer",
    "object_type",
    "procedure_type",
    "deadline_check",
    "status",
    "kind",
)
# facet -> the filter it leaves out; families are chosen through the sector filter
FACET_FILTERS = {facet: facet for facet in FACETS} | {"family": "sector"}
FACET_LIMIT = 50
SEGMENT_SUFFIX, FAMILY_SUFFIX = "000000", "0000"
CLOSING_SHIFT = 1e12  # seconds; far beyond any timestamp, so the two deadline tiers never mix


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: int
    score: float
    title_html: str
    snippet_html: str


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, tuple[FacetCount, ...]]
    page: int
    per_page: int
    suggestion: str | None
    elapsed_ms: float


@dataclass(frozen=True)
class _Part:
    name: str
    searcher: Searcher
    arrays: IndexArrays


@dataclass(frozen=True)
class _Matched:
    """One part's documents under the query: scores (empty if unranked), the text match and
    each filter's mask."""

    part: _Part
    scores: np.ndarray
    base: np.ndarray
    masks: dict[str, np.ndarray]
    exact: np.ndarray | None = None  # per document, exact keys of the query it holds


def query_terms(text: str) -> tuple[str, ...]:
    """Analysed, de-duplicated terms in query order (stop words gone, stems folded)."""
    return tuple(dict.fromkeys(token.text for token in ANALYZER(text)))


def _parts_needed(params: SearchParams) -> tuple[str, ...]:
    wants_opportunities = OPPORTUNITY in params.kinds
    archive = wants_opportunities and (not params.statuses or set(params.statuses) - {"open"})
    needs_open = PLAN_LINE in params.kinds or (
        wants_opportunities and (not params.statuses or "open" in params.statuses)
    )
    return tuple(part for part, wanted in ((OPEN, needs_open), (ARCHIVE, archive)) if wanted)


def _open_parts(names) -> list[_Part]:
    index_dir = current_app.config["PORTAL_INDEX_DIR"]
    parts = []
    for name in names:
        snapshot = READERS.get(index_dir, name)
        parts.append(_Part(name, snapshot.searcher, snapshot.arrays))
    return parts


def _term_frequencies(arrays: IndexArrays, term: str, fields=FIELD_WEIGHTS) -> np.ndarray:
    """BM25F pseudo-frequency of one term for every document (0 where absent). Title and
    description are length-normalised; names, places and codes are short and are not."""
    combined = np.zeros(arrays.count, dtype=np.float32)
    for field, weight in fields:
        ids, frequencies = postings(arrays, field, term)
        if len(ids):
            norms = arrays.norms.get(field)
            combined[ids] += weight * frequencies / (norms[ids] if norms is not None else 1.0)
    return combined


def _exact_counts(arrays: IndexArrays, keys: tuple[str, ...]) -> np.ndarray:
    """Per document, how many of the keys its codes field holds as a whole."""
    counts = np.zeros(arrays.count, dtype=np.int16)
    for key in keys:
        counts[postings(arrays, "codes", key)[0]] += 1
    return counts


def _scores(
    parts: list[_Part], terms: tuple[str, ...], require_all: bool, fields=FIELD_WEIGHTS
) -> list:
    """(scores, matched) per part; idf from the document frequency over all searched parts."""
    frequencies = [
        [_term_frequencies(part.arrays, term, fields) for term in terms] for part in parts
    ]
    total = sum(int(part.arrays.live.sum()) for part in parts) or 1
    results = []
    document_counts = [
        sum(
            int(np.count_nonzero((per_part[i] > 0) & part.arrays.live))
            for per_part, part in zip(frequencies, parts, strict=True)
        )
        for i in range(len(terms))
    ]
    for per_term, part in zip(frequencies, parts, strict=True):
        scores = np.zeros(part.arrays.count, dtype=np.float32)
        hits = np.zeros(part.arrays.count, dtype=np.int16)
        for frequency, df in zip(per_term, document_counts, strict=True):
            idf = np.log(1 + (total - df + 0.5) / (df + 0.5))
            scores += idf * frequency / (K1 + frequency)
            hits += frequency > 0
        matched = hits == len(terms) if require_all else hits > 0
        results.append((scores, matched))
    return results


def _containing_all(arrays: IndexArrays, terms: tuple[str, ...]) -> np.ndarray:
    """Live documents holding every term, unscored: all a facet count needs."""
    matched = arrays.live.copy()
    for term in terms:
        holds = np.zeros(arrays.count, dtype=bool)
        for field, _weight in FIELD_WEIGHTS:
            holds[postings(arrays, field, term)[0]] = True
        matched &= holds
    return matched


def _criteria(params: SearchParams, now: datetime) -> Criteria:
    size_limits = {params.size_class: _size_limit(params, now)} if params.size_class else {}
    return criteria_of([params], size_limits)


def _filters(arrays: IndexArrays, criteria: Criteria, now: float) -> dict:
    """One boolean mask per filter, keyed by the facet it must not narrow (portal.search.rules:
    the same masks decide what an alert matches)."""
    sectors = (arrays.sector_doc, arrays.sector_code)
    return filter_masks(arrays.columns, sectors, 0, criteria, now)


def _all_of(base: np.ndarray, masks: dict, leave_out: str | None = None) -> np.ndarray:
    combined = base.copy()
    for name, mask in masks.items():
        if name != leave_out:
            combined &= mask
    return combined


def _size_limit(params: SearchParams, now: datetime) -> float:
    return size_value_limit(db.session, params.size_class, now)


def _matched_parts(params: SearchParams, now: datetime, terms: tuple[str, ...]) -> list:
    """The searched parts scored together (one idf), each with its filter masks and, for a
    ranked search, the exact keys of the query each document holds."""
    parts = _open_parts(_parts_needed(params))
    criteria = _criteria(params, now)
    keys = query_code_keys(params.q) if terms and params.sort == "relevance" else ()
    matched = []
    for part, (scores, hits) in zip(parts, _scores(parts, terms, require_all=True), strict=True):
        base = part.arrays.live & hits if terms else part.arrays.live.copy()
        masks = _filters(part.arrays, criteria, now.timestamp())
        exact = _exact_counts(part.arrays, keys) if keys else None
        matched.append(_Matched(part, scores, base, masks, exact))
    return matched


def _status_only_parts(params: SearchParams, now: datetime, terms: tuple[str, ...]) -> list:
    """Parts the status filter kept out of the results, matched unscored: the status facet
    still counts every status there (a default search reads only the small open part)."""
    if OPPORTUNITY not in params.kinds:
        return []
    searched = _parts_needed(params)
    names = [name for name in PARTS if name not in searched]
    criteria = _criteria(params, now) if names else None
    return [
        _Matched(
            part,
            np.zeros(0, dtype=np.float32),  # never ranked
            _containing_all(part.arrays, terms),
            _filters(part.arrays, criteria, now.timestamp()),
        )
        for part in _open_parts(names)
    ]


def _wanted_facets(params: SearchParams) -> tuple[str, ...]:
    """Families are offered only under a chosen segment: all of them at once would be noise."""
    return FACETS if params.sectors else tuple(facet for facet in FACETS if facet != "family")


def _facet_counts(params: SearchParams, matched: list, status_only: list, now: float) -> dict:
    """Counts per value code summed over the parts, then the top values turned into text."""
    facets = {}
    for facet in _wanted_facets(params):
        totals = np.zeros(0, dtype=np.int64)
        counted = [*matched, *status_only] if facet == "status" else matched
        for item in counted:
            selected = _all_of(item.base, item.masks, leave_out=FACET_FILTERS[facet])
            totals = _added(totals, _count_codes(item.part.arrays, facet, selected, now))
        facets[facet] = _top_values(facet, totals, params.sectors)
    return facets


def _added(totals: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Element-wise sum of two count arrays of possibly different lengths."""
    if len(counts) > len(totals):
        counts[: len(totals)] += totals
        return counts
    totals[: len(counts)] += counts
    return totals


def _count_codes(arrays: IndexArrays, facet: str, selected: np.ndarray, now: float) -> np.ndarray:
    """Hits per value code in one pass over the column (buyer ids are their own codes)."""
    if facet in ("sector", "family"):
        codes = arrays.sector_code[selected[arrays.sector_doc]]
        return np.bincount(codes, minlength=len(VOCABULARIES["sectors"].values))
    if facet == "buyer":
        return np.bincount(arrays.columns["buyer"][selected].astype(np.int64))
    if facet == "status":
        is_opportunity = arrays.columns["kind"] == VOCABULARIES["kind"].codes.get(OPPORTUNITY)
        selected = selected & is_opportunity & ~expired_open(arrays.columns, now)
    return np.bincount(arrays.columns[facet][selected], minlength=len(VOCABULARIES[facet].values))


def _offered_sector(facet: str, code: str, chosen_sectors: tuple[str, ...]) -> bool:
    """Segments always; families only under a chosen segment (or beside a chosen family)."""
    if facet == "sector":
        return code.endswith(SEGMENT_SUFFIX)
    segments = {chosen[:2] for chosen in chosen_sectors}
    return (
        code.endswith(FAMILY_SUFFIX) and not code.endswith(SEGMENT_SUFFIX) and code[:2] in segments
    )


def _top_values(facet: str, counts: np.ndarray, chosen_sectors=()) -> tuple[FacetCount, ...]:
    """Most frequent first, ties by value; empty values (no region, no buyer) left out."""
    if facet == "buyer":
        counts[:1] = 0
        names = None
    else:
        names = VOCABULARIES["sectors" if facet in ("sector", "family") else facet].values
        for code in np.flatnonzero(counts):
            if not names[code] or (
                facet in ("sector", "family")
                and not _offered_sector(facet, names[code], chosen_sectors)
            ):
                counts[code] = 0
    codes = np.flatnonzero(counts)
    if len(codes) > FACET_LIMIT:
        codes = codes[np.argsort(-counts[codes], kind="stable")[: FACET_LIMIT * 2]]
    values = [(str(code) if names is None else names[code], int(counts[code])) for code in codes]
    values.sort(key=lambda item: (-item[1], item[0]))
    return tuple(FacetCount(value, count) for value, count in values[:FACET_LIMIT])


def _sort_key(
    arrays: IndexArrays,
    sort: str,
    scores: np.ndarray,
    has_terms: bool,
    now: float,
    exact: np.ndarray | None = None,
) -> np.ndarray:
    """Bigger first; unknown dates and values sort last; an exact code or RUC first."""
    columns = arrays.columns
    if sort == "relevance" and has_terms:
        key = scores.astype(np.float64)
        return key + EXACT_FIRST * exact if exact is not None else key
    if sort == "closing":
        return _closing_key(columns["deadline"], now)
    if sort == "value":
        return columns["value"]
    if sort == "value_asc":  # smallest first, unknown values (stored as -1) still last
        value = columns["value"]
        return np.where(value >= 0, -value, -np.inf)
    return np.nan_to_num(columns["published"], nan=-np.inf)


def _closing_key(deadline: np.ndarray, now: float) -> np.ndarray:
    """Deadlines still ahead first, soonest first; then those passed, latest first; then none.

    Each tier is a fixed shift of the deadline, so a key does not move with the clock and an API
    cursor holding one stays valid between pages.
    """
    ahead = np.where(deadline >= now, CLOSING_SHIFT - deadline, deadline - CLOSING_SHIFT)
    return np.nan_to_num(ahead, nan=-np.inf)


@dataclass(frozen=True)
class _Ranked:
    """Every hit over all parts: its sort key, unique id (db id * 2 + is plan) and location."""

    keys: np.ndarray
    uids: np.ndarray
    locations: np.ndarray  # (part index, document number) per hit


def _ranked(matched: list, sort: str, by_score: bool, now: float) -> _Ranked:
    keys, uids, where = [], [], []
    plan_code = VOCABULARIES["kind"].codes.get(PLAN_LINE)
    for index, item in enumerate(matched):
        columns = item.part.arrays.columns
        rows = np.flatnonzero(_all_of(item.base, item.masks))
        key = _sort_key(item.part.arrays, sort, item.scores, by_score, now, item.exact)
        keys.append(key[rows])
        is_plan = columns["kind"][rows] == plan_code
        uids.append(columns["db_id"][rows].astype(np.int64) * 2 + is_plan)
        where.append(np.stack([np.full(len(rows), index), rows]))
    if not matched:
        return _Ranked(np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros((2, 0), dtype=np.int64))
    return _Ranked(np.concatenate(keys), np.concatenate(uids), np.concatenate(where, axis=1))


def _page(keys: np.ndarray, uids: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Positions of the page's rows, ordered by key then uid (stable across pages)."""
    if stop < len(keys) // 4:
        threshold = np.partition(-keys, stop - 1)[stop - 1]
        candidates = np.flatnonzero(-keys <= threshold)
    else:
        candidates = np.arange(len(keys))
    order = np.lexsort((-uids[candidates], -keys[candidates]))
    return candidates[order][start:stop]


def search(params: SearchParams, now: datetime) -> SearchResults:
    """One results page with total, disjunctive facets, highlights and a spelling suggestion."""
    started = time.perf_counter()
    terms = query_terms(params.q)
    matched = _matched_parts(params, now, terms)
    ranked = _ranked(matched, params.sort, bool(terms), now.timestamp())
    start = (params.page - 1) * params.per_page
    chosen = _page(ranked.keys, ranked.uids, start, start + params.per_page)
    hits = []
    for position in chosen:
        item = matched[int(ranked.locations[0, position])]
        docnum = int(ranked.locations[1, position])
        hits.append(_hit(item.part, docnum, float(item.scores[docnum]), terms))
    total = len(ranked.keys)
    parts = [item.part for item in matched]
    status_only = _status_only_parts(params, now, terms)
    return SearchResults(
        total=total,
        hits=tuple(hits),
        facets=_facet_counts(params, matched, status_only, now.timestamp()),
        page=params.page,
        per_page=params.per_page,
        suggestion=_suggestion(parts, params.q) if total == 0 and terms else None,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


def ranked_opportunity_ids(params: SearchParams, now: datetime, limit: int) -> list[int]:
    """The first `limit` matching opportunities in the search's own order, for exports."""
    params = replace(params, kinds=(OPPORTUNITY,))
    terms = query_terms(params.q)
    ranked = _ranked(_matched_parts(params, now, terms), params.sort, bool(terms), now.timestamp())
    return [
        int(ranked.uids[position]) // 2 for position in _page(ranked.keys, ranked.uids, 0, limit)
    ]


def common_title_words(
    params: SearchParams, now: datetime, limit: int = 10, sample: int = 1000
) -> list[tuple[str, int]]:
    """Title words most shared among the search's first `sample` hits, with how many of them
    hold each: ways to narrow a search that finds too much. Forms of one stem count once, shown
    as written most often; the query's own words, stop words, numbers and words every sampled
    hit holds (they would narrow nothing) are left out.
    """
    terms = query_terms(params.q)
    matched = _matched_parts(params, now, terms)
    ranked = _ranked(matched, params.sort, bool(terms), now.timestamp())
    chosen = _page(ranked.keys, ranked.uids, 0, sample)
    documents: Counter[str] = Counter()  # stem -> hits holding it
    forms: Counter[tuple[str, str]] = Counter()  # (stem, word) -> occurrences
    for position in chosen:
        item = matched[int(ranked.locations[0, position])]
        title = item.part.searcher.stored_fields(int(ranked.locations[1, position]))["title"]
        words = [token.text for token in WORD_ANALYZER(title)]
        stems = {word: term_of(word) for word in words if not any(c.isdigit() for c in word)}
        documents.update(set(stems.values()))
        forms.update((stem, word) for word, stem in stems.items())
    shown = {}
    for (stem, word), _count in sorted(forms.items(), key=lambda item: (-item[1], item[0][1])):
        shown.setdefault(stem, word)
    common = [
        (shown[stem], count)
        for stem, count in documents.items()
        if count < len(chosen) and stem not in terms
    ]
    common.sort(key=lambda item: (-item[1], item[0]))
    return common[:limit]


def opportunity_sort_keys(params: SearchParams, now: datetime) -> tuple[np.ndarray, np.ndarray]:
    """(sort key, id) of every matching opportunity, bigger key first, for keyset paging.

    Relevance is read as newest first: scores move whenever other notices are indexed, so a
    cursor holding one would skip or repeat rows between pages.
    """
    params = replace(params, kinds=(OPPORTUNITY,))
    matched = _matched_parts(params, now, query_terms(params.q))
    ranked = _ranked(matched, params.sort, False, now.timestamp())
    return ranked.keys, ranked.uids // 2


def matching_plan_lines(params: SearchParams, now: datetime) -> tuple[np.ndarray, np.ndarray]:
    """(id, buyer id) of every plan line the search matches, ids ascending, for the plans API
    to list each plan with its matching lines."""
    ids, buyers = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for item in _matched_parts(replace(params, kinds=(PLAN_LINE,)), now, query_terms(params.q)):
        rows = np.flatnonzero(_all_of(item.base, item.masks))
        ids.append(item.part.arrays.columns["db_id"][rows].astype(np.int64))
        buyers.append(item.part.arrays.columns["buyer"][rows].astype(np.int64))
    unique, first = np.unique(np.concatenate(ids), return_index=True)  # written twice: once
    return unique, np.concatenate(buyers)[first]


def _hit(part: _Part, docnum: int, score: float, terms: tuple[str, ...]) -> SearchHit:
    stored = part.searcher.stored_fields(docnum)
    kind, db_id = stored["doc_key"].split(":")
    wanted = frozenset(terms)
    return SearchHit(
        kind=kind,
        id=int(db_id),
        score=score,
        title_html=highlight_title(stored["title"], wanted),
        snippet_html=highlight_snippet(stored.get("snippet", ""), wanted),
    )


def _known(parts: list[_Part], word: str) -> bool:
    """A word of the index's vocabulary: in a title, a buyer's name or a department's name
    as written, or, stemmed, in any searched field (a code's words, an acronym, a RUC), or
    the name of one of Peru's departments. Such a word is never "corrected"."""
    if any(len(postings(part.arrays, "words", word)[0]) for part in parts):
        return True
    term = term_of(word)
    if term and any(
        len(postings(part.arrays, field, term)[0])
        for part in parts
        for field in ("entity", "place", "refs")
    ):
        return True
    return word in _department_words()


@cache
def _department_words() -> frozenset[str]:
    return frozenset(folded(word) for name in department_names().values() for word in name.split())


def _suggestion(parts: list[_Part], text: str) -> str | None:
    """Each unknown word replaced by the closest indexed word (titles, buyers, departments).

    Words with digits (expediente numbers, years, quantities) are left as typed: a code one
    digit away from another is a different notice, not a misspelling; so is a word that
    names a place, a buyer or a code the index holds (`_known`).
    """
    words = [token.text for token in WORD_ANALYZER(text)]
    correctors = [part.searcher.corrector("words") for part in parts]
    corrected = []
    for word in words:
        replacement = word
        if not any(character.isdigit() for character in word) and not _known(parts, word):
            for corrector in correctors:
                suggestions = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
                if suggestions:
                    replacement = suggestions[0]
                    break
        corrected.append(replacement)
    return " ".join(corrected) if corrected != words else None


def similar_opportunities(opportunity_id: int, limit: int = 5) -> list[int]:
    """Open opportunities sharing the most distinctive title words with the given one."""
    parts = _open_parts((OPEN, ARCHIVE))
    key = f"{OPPORTUNITY}:{opportunity_id}"
    title = None
    for part in parts:
        stored = part.searcher.document(doc_key=key)
        if stored:
            title = stored["title"]
            break
    terms = query_terms(title or "")[:12]
    if not terms:
        return []
    open_part = parts[0]
    scores, matched = _scores([open_part], terms, require_all=False, fields=TEXT_FIELDS)[0]
    columns = open_part.arrays.columns
    is_opportunity = columns["kind"] == VOCABULARIES["kind"].codes.get(OPPORTUNITY)
    candidates = matched & open_part.arrays.live & is_opportunity
    candidates &= columns["db_id"] != opportunity_id
    rows = np.flatnonzero(candidates)
    order = np.lexsort((-columns["db_id"][rows], -scores[rows]))[:limit]
    return [int(columns["db_id"][row]) for row in rows[order]]
