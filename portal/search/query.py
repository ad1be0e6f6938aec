"""The search: BM25F over the query terms' postings, filters and facets as array operations.

All words of the query must appear (title or description); the title counts 2.5x. Facets are
disjunctive: each facet counts the hits under every filter except its own, so choosing one
region still shows how many hits the other regions would give. Plan lines have no status:
the status filter and facet apply to opportunities only. "open" means open in the database
with a deadline still ahead (or none), as on the home page.
"""

import time
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from flask import current_app
from whoosh.searching import Searcher

from portal.db import db
from portal.search.arrays import VOCABULARIES, IndexArrays, postings
from portal.search.documents import OPPORTUNITY, PLAN_LINE
from portal.search.highlight import highlight_snippet, highlight_title
from portal.search.params import SearchParams
from portal.search.schema import ANALYZER, WORD_ANALYZER
from portal.search.size import size_value_limit
from portal.search.store import ARCHIVE, OPEN, READERS

FIELD_WEIGHTS = (("title", 2.5), ("body", 1.0))
K1, B = 1.2, 0.75
FACETS = ("sector", "region", "buyer", "object_type", "procedure_type", "status", "kind")
FACET_LIMIT = 50


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


def _term_frequencies(arrays: IndexArrays, term: str) -> np.ndarray:
    """BM25F pseudo-frequency of one term for every document (0 where absent)."""
    combined = np.zeros(arrays.count, dtype=np.float32)
    for field, weight in FIELD_WEIGHTS:
        ids, frequencies = postings(arrays, field, term)
        if len(ids):
            combined[ids] += weight * frequencies / arrays.norms[field][ids]
    return combined


def _scores(parts: list[_Part], terms: tuple[str, ...], require_all: bool) -> list:
    """(scores, matched) per part; idf from the document frequency over all searched parts."""
    frequencies = [[_term_frequencies(part.arrays, term) for term in terms] for part in parts]
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


def _codes(column: str, values) -> np.ndarray:
    return VOCABULARIES[column].lookup(values)


def _filters(arrays: IndexArrays, params: SearchParams, now: float, size_limit) -> dict:
    """One boolean mask per filter, keyed by the facet it must not narrow."""
    columns = arrays.columns
    masks: dict[str, np.ndarray] = {}
    if params.kinds:
        masks["kind"] = np.isin(columns["kind"], _codes("kind", params.kinds))
    if params.statuses:
        is_plan = columns["kind"] == VOCABULARIES["kind"].codes.get(PLAN_LINE, -1)
        masks["status"] = is_plan | _status_matches(arrays, params.statuses, now)
    for facet, values in (
        ("region", params.regions),
        ("object_type", params.object_types),
        ("procedure_type", params.procedure_types),
    ):
        if values:
            masks[facet] = np.isin(columns[facet], _codes(facet, values))
    if params.buyer_ids:
        masks["buyer"] = np.isin(columns["buyer"], np.array(params.buyer_ids, dtype=np.float64))
    if params.sectors:
        masks["sector"] = np.zeros(arrays.count, dtype=bool)
        chosen = np.isin(arrays.sector_code, _codes("sectors", params.sectors))
        masks["sector"][arrays.sector_doc[chosen]] = True
    masks.update(_range_filters(arrays, params, now, size_limit))
    return masks


def _status_matches(arrays: IndexArrays, statuses, now: float) -> np.ndarray:
    columns = arrays.columns
    matches = np.isin(columns["status"], _codes("status", statuses))
    return matches & ~_expired_open(arrays, now)


def _expired_open(arrays: IndexArrays, now: float) -> np.ndarray:
    is_open = arrays.columns["status"] == VOCABULARIES["status"].codes.get("open", -1)
    return is_open & (arrays.columns["deadline"] <= now)


def _range_filters(arrays: IndexArrays, params: SearchParams, now: float, size_limit) -> dict:
    value, published = arrays.columns["value"], arrays.columns["published"]
    deadline = arrays.columns["deadline"]
    masks = {}
    if params.value_min is not None:
        masks["value_min"] = value >= float(params.value_min)
    if params.value_max is not None:
        masks["value_max"] = (value >= 0) & (value <= float(params.value_max))
    if size_limit is not None:
        masks["size"] = (value >= 0) & (value <= size_limit)
    if params.published_within_days is not None:
        masks["published"] = published >= now - params.published_within_days * 86400
    if params.closing_within_days is not None:
        horizon = now + params.closing_within_days * 86400
        masks["closing"] = (deadline >= now) & (deadline <= horizon)
    return masks


def _all_of(base: np.ndarray, masks: dict, leave_out: str | None = None) -> np.ndarray:
    combined = base.copy()
    for name, mask in masks.items():
        if name != leave_out:
            combined &= mask
    return combined


def _facet_counts(parts, bases, masks_per_part, now: float) -> dict:
    """Counts per value code summed over the parts, then the top values turned into text."""
    facets = {}
    for facet in FACETS:
        totals = np.zeros(0, dtype=np.int64)
        for part, base, masks in zip(parts, bases, masks_per_part, strict=True):
            selected = _all_of(base, masks, leave_out=facet)
            counts = _count_codes(part.arrays, facet, selected, now)
            if len(counts) > len(totals):
                counts[: len(totals)] += totals
                totals = counts
            else:
                totals[: len(counts)] += counts
        facets[facet] = _top_values(facet, totals)
    return facets


def _count_codes(arrays: IndexArrays, facet: str, selected: np.ndarray, now: float) -> np.ndarray:
    """Hits per value code in one pass over the column (buyer ids are their own codes)."""
    if facet == "sector":
        codes = arrays.sector_code[selected[arrays.sector_doc]]
        return np.bincount(codes, minlength=len(VOCABULARIES["sectors"].values))
    if facet == "buyer":
        return np.bincount(arrays.columns["buyer"][selected].astype(np.int64))
    if facet == "status":
        is_opportunity = arrays.columns["kind"] == VOCABULARIES["kind"].codes.get(OPPORTUNITY)
        selected = selected & is_opportunity & ~_expired_open(arrays, now)
    return np.bincount(arrays.columns[facet][selected], minlength=len(VOCABULARIES[facet].values))


def _top_values(facet: str, counts: np.ndarray) -> tuple[FacetCount, ...]:
    """Most frequent first, ties by value; empty values (no region, no buyer) left out."""
    if facet == "buyer":
        counts[:1] = 0
        names = None
    else:
        names = VOCABULARIES["sectors" if facet == "sector" else facet].values
        for code in np.flatnonzero(counts):
            if not names[code] or (facet == "sector" and not names[code].endswith("000000")):
                counts[code] = 0
    codes = np.flatnonzero(counts)
    if len(codes) > FACET_LIMIT:
        codes = codes[np.argsort(-counts[codes], kind="stable")[: FACET_LIMIT * 2]]
    values = [(str(code) if names is None else names[code], int(counts[code])) for code in codes]
    values.sort(key=lambda item: (-item[1], item[0]))
    return tuple(FacetCount(value, count) for value, count in values[:FACET_LIMIT])


def _sort_key(arrays: IndexArrays, sort: str, scores: np.ndarray, has_terms: bool) -> np.ndarray:
    """Bigger first; unknown dates and values sort last."""
    columns = arrays.columns
    if sort == "relevance" and has_terms:
        return scores.astype(np.float64)
    if sort == "closing":
        return np.nan_to_num(-columns["deadline"], nan=-np.inf)
    if sort == "value":
        return columns["value"]
    return np.nan_to_num(columns["published"], nan=-np.inf)


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
    parts = _open_parts(_parts_needed(params))
    size_limit = size_value_limit(db.session, params.size_class, now) if params.size_class else None
    moment = now.timestamp()
    scored = _scores(parts, terms, require_all=True)
    bases, masks_per_part, keys, uids, where = [], [], [], [], []
    for index, (part, (scores, matched)) in enumerate(zip(parts, scored, strict=True)):
        base = part.arrays.live & matched if terms else part.arrays.live.copy()
        masks = _filters(part.arrays, params, moment, size_limit)
        bases.append(base)
        masks_per_part.append(masks)
        rows = np.flatnonzero(_all_of(base, masks))
        key = _sort_key(part.arrays, params.sort, scores, bool(terms))
        keys.append(key[rows])
        is_plan = part.arrays.columns["kind"][rows] == VOCABULARIES["kind"].codes.get(PLAN_LINE)
        uids.append(part.arrays.columns["db_id"][rows] * 2 + is_plan)
        where.append(
            np.stack(
                [
                    np.full(len(rows), index),
                    rows,
                ]
            )
            if len(rows)
            else np.zeros((2, 0), dtype=np.int64)
        )
    all_keys = np.concatenate(keys) if keys else np.zeros(0)
    all_uids = np.concatenate(uids) if uids else np.zeros(0)
    locations = np.concatenate(where, axis=1) if where else np.zeros((2, 0), dtype=np.int64)
    start = (params.page - 1) * params.per_page
    chosen = _page(all_keys, all_uids, start, start + params.per_page)
    hit_scores = [scored[int(locations[0, i])][0][int(locations[1, i])] for i in chosen]
    hits = tuple(
        _hit(parts[int(locations[0, i])], int(locations[1, i]), float(score), terms)
        for i, score in zip(chosen, hit_scores, strict=True)
    )
    total = len(all_keys)
    return SearchResults(
        total=total,
        hits=hits,
        facets=_facet_counts(parts, bases, masks_per_part, moment),
        page=params.page,
        per_page=params.per_page,
        suggestion=_suggestion(parts, params.q) if total == 0 and terms else None,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


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


def _suggestion(parts: list[_Part], text: str) -> str | None:
    """Each unknown word replaced by the closest title word in the index, if any."""
    words = [token.text for token in WORD_ANALYZER(text)]
    correctors = [part.searcher.corrector("words") for part in parts]
    corrected = []
    for word in words:
        known = any(len(postings(part.arrays, "words", word)[0]) for part in parts)
        replacement = word
        if not known:
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
    scores, matched = _scores([open_part], terms, require_all=False)[0]
    columns = open_part.arrays.columns
    is_opportunity = columns["kind"] == VOCABULARIES["kind"].codes.get(OPPORTUNITY)
    candidates = matched & open_part.arrays.live & is_opportunity
    candidates &= columns["db_id"] != opportunity_id
    rows = np.flatnonzero(candidates)
    order = np.lexsort((-columns["db_id"][rows], -scores[rows]))[:limit]
    return [int(columns["db_id"][row]) for row in rows[order]]
