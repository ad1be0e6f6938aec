"""What a subscription would have matched in the last 30 days, read from the search index, so a
user tunes it before the first alert goes out; too broad, it offers ways to narrow it."""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from portal.opportunities.facets import sector_names, segment_of
from portal.opportunities.search_results import SearchPage, run_search
from portal.search.params import SearchParams
from portal.search.query import common_title_words

PREVIEW_DAYS = 30
PREVIEW_SIZE = 10
NARROWING_OPTIONS = 8


@dataclass(frozen=True)
class Narrowing:
    """One way to narrow: a sector to keep alone, or a word to add to the keywords."""

    value: str
    label: str
    count: int | None


@dataclass(frozen=True)
class Preview:
    page: SearchPage
    per_week: float
    too_broad: bool
    sectors: tuple[Narrowing, ...] = ()
    terms: tuple[Narrowing, ...] = ()

    @property
    def total(self) -> int:
        return self.page.results.total


def preview_params(params: SearchParams, size: int = PREVIEW_SIZE) -> SearchParams:
    """The subscription's own search over the last 30 days, in every status: an alert goes out
    when a notice is published, so one closed or awarded since would still have been sent."""
    return replace(params, published_within_days=PREVIEW_DAYS, statuses=(), page=1, per_page=size)


def subscription_preview(
    session: Session,
    params: SearchParams,
    now: datetime,
    broad_per_week: int,
    choosable_sectors: set[str],
    size: int = PREVIEW_SIZE,
) -> Preview:
    """`params` as subscription_params gives them; `choosable_sectors` are the codes the form
    offers (a narrowing must be something the user can pick); `size` results are loaded."""
    window = preview_params(params, size)
    page = run_search(session, window, now)
    per_week = page.results.total * 7 / PREVIEW_DAYS
    if per_week <= broad_per_week:
        return Preview(page, per_week, too_broad=False)
    return Preview(
        page,
        per_week,
        too_broad=True,
        sectors=_narrowing_sectors(session, page, choosable_sectors),
        terms=tuple(
            Narrowing(word, word, None)
            for word, _count in common_title_words(window, now, limit=NARROWING_OPTIONS)
        ),
    )


def _narrowing_sectors(
    session: Session, page: SearchPage, choosable: set[str]
) -> tuple[Narrowing, ...]:
    """Sectors within the current choice that hold part (not all) of the matches: keeping one
    alone narrows. Families show once a segment is chosen (the search's family facet)."""
    chosen = set(page.params.sectors)
    results = page.results
    found = [*results.facets.get("family", ()), *results.facets.get("sector", ())]
    options = [
        item
        for item in found
        if item.value in choosable and item.count < results.total and _within(item.value, chosen)
    ]
    options.sort(key=lambda item: (-item.count, item.value))
    options = options[:NARROWING_OPTIONS]
    names = sector_names(session, [item.value for item in options])
    return tuple(Narrowing(item.value, names[item.value], item.count) for item in options)


def _within(code: str, chosen: set[str]) -> bool:
    """Whether keeping only `code` gives a subset of what `chosen` matches."""
    if not chosen:
        return True
    if code in chosen:
        return len(chosen) > 1
    return segment_of(code) in chosen
