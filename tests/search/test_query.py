"""Spanish relevance, filters, facets and paging of portal.search.query, checked against SQL."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.opportunities.models import ObjectType, Opportunity, OpportunityStatus
from portal.search.params import SearchParams
from portal.search.query import search, similar_opportunities
from portal.search.size import size_value_limit


def _ids(results) -> list[int]:
    return [hit.id for hit in results.hits]


def _everything(**changes) -> SearchParams:
    """All statuses, opportunities only, a page big enough to hold the whole corpus."""
    values = {"statuses": (), "kinds": ("opportunity",), "per_page": 100, **changes}
    return SearchParams(**values)


def test_accents_are_folded_both_ways(make_opportunity, now):
    with_accent = make_opportunity("Adquisición de computadoras")
    without_accent = make_opportunity("ADQUISICION DE IMPRESORAS")
    for query in ("adquisicion", "adquisición", "ADQUISICIÓN"):
        assert set(_ids(search(SearchParams(q=query), now))) == {with_accent.id, without_accent.id}


def test_plurals_and_singulars_meet_through_stemming(make_opportunity, now):
    plural = make_opportunity("Adquisición de uniformes escolares")
    singular = make_opportunity("Confección de uniforme institucional")
    make_opportunity("Servicio de limpieza")
    assert set(_ids(search(SearchParams(q="uniformes"), now))) == {plural.id, singular.id}
    assert set(_ids(search(SearchParams(q="uniforme"), now))) == {plural.id, singular.id}


def test_stop_words_are_ignored(make_opportunity, now):
    opportunity = make_opportunity("Mantenimiento de la carretera")
    assert _ids(search(SearchParams(q="el mantenimiento de las carreteras"), now)) == [
        opportunity.id
    ]


def test_every_query_word_must_match(make_opportunity, now):
    both = make_opportunity("Servicio de mantenimiento de ascensores")
    make_opportunity("Servicio de vigilancia")
    assert _ids(search(SearchParams(q="servicio ascensores"), now)) == [both.id]


def test_title_match_ranks_above_description_match(make_opportunity, now):
    in_description = make_opportunity(
        "Servicio de consultoría", "Incluye la adquisición de uniformes para el personal."
    )
    in_title = make_opportunity("Adquisición de uniformes", "Para el personal de serenazgo.")
    assert _ids(search(SearchParams(q="adquisición uniformes"), now)) == [
        in_title.id,
        in_description.id,
    ]


def test_highlights_mark_matches_and_escape_html(make_opportunity, now):
    make_opportunity("Compra de <b>útiles</b> de escritorio", "Útiles & papelería para oficinas.")
    hit = search(SearchParams(q="utiles"), now).hits[0]
    assert hit.title_html == "Compra de &lt;b&gt;<mark>útiles</mark>&lt;/b&gt; de escritorio"
    assert hit.snippet_html == "<mark>Útiles</mark> &amp; papelería para oficinas."


def test_default_search_shows_open_notices_only(make_opportunity, now):
    open_one = make_opportunity("Adquisición de cemento")
    make_opportunity("Adquisición de cemento", status=OpportunityStatus.AWARDED)
    make_opportunity("Adquisición de cemento", deadline_at=now - timedelta(days=1))
    assert _ids(search(SearchParams(q="cemento"), now)) == [open_one.id]
    assert search(SearchParams(q="cemento", statuses=()), now).total == 3


def test_plan_lines_are_returned_with_their_kind(make_plan_line, make_opportunity, now):
    line = make_plan_line("Adquisición de combustible diésel", classification_code="15101505")
    opportunity = make_opportunity("Suministro de combustible")
    results = search(SearchParams(q="combustible"), now)
    assert {(hit.kind, hit.id) for hit in results.hits} == {
        ("plan_line", line.id),
        ("opportunity", opportunity.id),
    }
    assert dict((f.value, f.count) for f in results.facets["kind"]) == {
        "plan_line": 1,
        "opportunity": 1,
    }
    only_plans = search(SearchParams(q="combustible", kinds=("plan_line",)), now)
    assert [(hit.kind, hit.id) for hit in only_plans.hits] == [("plan_line", line.id)]


def test_older_plan_versions_are_not_searchable(make_plan_line, make_buyer, now):
    buyer = make_buyer()
    make_plan_line("Adquisición de llantas", buyer=buyer, version=1)
    amended = make_plan_line("Adquisición de llantas", buyer=buyer, version=2)
    assert [hit.id for hit in search(SearchParams(q="llantas"), now).hits] == [amended.id]


def test_pages_are_stable_and_disjoint(make_opportunity, now):
    for number in range(25):
        make_opportunity(f"Adquisición de repuestos lote {number}")
    seen = []
    for page in (1, 2, 3):
        params = SearchParams(q="repuestos", per_page=10, page=page)
        first, again = search(params, now), search(params, now)
        assert _ids(first) == _ids(again)
        seen.extend(_ids(first))
    assert len(seen) == len(set(seen)) == 25


@pytest.mark.parametrize("sort", ["closing", "published", "value"])
def test_sorts_follow_the_column(make_opportunity, now, sort):
    for days in (3, 1, 7):
        make_opportunity(
            "Servicio de transporte",
            deadline_at=now + timedelta(days=days),
            published_at=now - timedelta(days=days),
            estimated_value=Decimal(days * 1000),
        )
    results = search(SearchParams(q="transporte", sort=sort), now)
    rows = [search_row for search_row in results.hits]
    expected = {"closing": [1, 3, 7], "published": [1, 3, 7], "value": [7, 3, 1]}[sort]
    by_id = {o.id: o for o in _all(search_row for search_row in rows)}
    assert [int(by_id[hit.id].estimated_value / 1000) for hit in rows] == expected


def _all(hits):
    from portal.db import db

    return db.session.scalars(select(Opportunity).where(Opportunity.id.in_([h.id for h in hits])))


def test_no_hits_suggest_a_correction_from_the_index(make_opportunity, now):
    make_opportunity("Adquisición de medicamentos oncológicos")
    results = search(SearchParams(q="medicamemtos"), now)
    assert results.total == 0
    assert results.suggestion == "medicamentos"
    assert search(SearchParams(q="medicamentos"), now).suggestion is None


def test_similar_opportunities_share_title_words(make_opportunity):
    source = make_opportunity("Adquisición de insumos médicos para hospital")
    close = make_opportunity("Insumos médicos para el hospital regional")
    make_opportunity("Servicio de vigilancia")
    assert similar_opportunities(source.id) == [close.id]


@pytest.fixture
def corpus(make_opportunity, make_buyer, now):
    """A dozen notices spread over every filtered column."""
    buyers = [make_buyer(), make_buyer(), make_buyer()]
    rows = [
        ("15", ObjectType.GOODS, "LP", OpportunityStatus.OPEN, 50_000, ("43211500",), 0, 5, 2),
        ("15", ObjectType.SERVICES, "CP", OpportunityStatus.OPEN, 900_000, ("80101500",), 1, 20, 9),
        (
            "04",
            ObjectType.GOODS,
            "LP",
            OpportunityStatus.OPEN,
            None,
            ("43211500", "80101500"),
            2,
            3,
            40,
        ),
        ("04", ObjectType.WORKS, None, OpportunityStatus.CLOSED, 5_000_000, (), 0, -2, 60),
        (
            "08",
            ObjectType.GOODS,
            "CP",
            OpportunityStatus.AWARDED,
            20_000,
            ("53101600",),
            1,
            -30,
            90,
        ),
        (
            "08",
            ObjectType.CONSULTING,
            "LP",
            OpportunityStatus.OPEN,
            300_000,
            ("53101600",),
            2,
            40,
            1,
        ),
        (None, ObjectType.GOODS, None, OpportunityStatus.CANCELLED, 10_000, (), 0, None, 5),
        (
            "15",
            ObjectType.SERVICES,
            "LP",
            OpportunityStatus.OPEN,
            1_200,
            ("80111600",),
            0,
            None,
            10,
        ),
    ]
    made = []
    for region, object_type, procedure, status, value, codes, buyer, deadline, age in rows:
        made.append(
            make_opportunity(
                "Adquisición de equipos y servicio de soporte",
                codes=codes,
                region_code=region,
                object_type=object_type,
                procedure_type_code=procedure,
                status=status,
                estimated_value=None if value is None else Decimal(value),
                buyer_id=buyers[buyer].id,
                deadline_at=None if deadline is None else now + timedelta(days=deadline),
                published_at=now - timedelta(days=age),
            )
        )
    return made


def _is_open(opportunity, now) -> bool:
    return opportunity.status == OpportunityStatus.OPEN and (
        opportunity.deadline_at is None or opportunity.deadline_at > now
    )


def _database(session, now, keep) -> set[int]:
    rows = session.scalars(select(Opportunity)).all()
    return {row.id for row in rows if keep(row)}


FILTERS = {
    "regions": (("04", "08"), lambda o, now: o.region_code in ("04", "08")),
    "object_types": (("goods",), lambda o, now: o.object_type == ObjectType.GOODS),
    "procedure_types": (("CP",), lambda o, now: o.procedure_type_code == "CP"),
    "statuses": (("closed", "awarded"), lambda o, now: o.status in ("closed", "awarded")),
    "value_min": (Decimal(30_000), lambda o, now: (o.estimated_value or -1) >= 30_000),
    "value_max": (
        Decimal(60_000),
        lambda o, now: o.estimated_value is not None and o.estimated_value <= 60_000,
    ),
    "published_within_days": (7, lambda o, now: o.published_at >= now - timedelta(days=7)),
    "closing_within_days": (
        10,
        lambda o, now: o.deadline_at is not None and now <= o.deadline_at <= now + timedelta(10),
    ),
    "sectors": (("80000000",), lambda o, now: "80000000" in o.sector_codes()),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_each_filter_matches_the_equivalent_database_query(corpus, session, now, name):
    value, keep = FILTERS[name]
    results = search(_everything(q="equipos", **{name: value}), now)
    assert set(_ids(results)) == _database(session, now, lambda o: keep(o, now))
    assert results.total == len(results.hits)


def test_buyer_filter_matches_the_database(corpus, session, now):
    buyer_id = corpus[1].buyer_id
    results = search(_everything(buyer_ids=(buyer_id,)), now)
    assert set(_ids(results)) == _database(session, now, lambda o: o.buyer_id == buyer_id)


def test_open_status_excludes_notices_past_their_deadline(corpus, session, now):
    results = search(_everything(statuses=("open",)), now)
    assert set(_ids(results)) == _database(session, now, lambda o: _is_open(o, now))


def test_size_class_keeps_values_within_the_rule(corpus, session, now):
    limit = size_value_limit(session, "micro", now)
    assert limit == 0.5 * 150 * 5500
    results = search(_everything(size_class="micro"), now)
    expected = _database(
        session, now, lambda o: o.estimated_value is not None and o.estimated_value <= limit
    )
    assert set(_ids(results)) == expected


def _facet(results, name) -> dict[str, int]:
    return {facet.value: facet.count for facet in results.facets[name]}


def _status_of(o, now) -> str | None:
    if o.status == OpportunityStatus.OPEN and not _is_open(o, now):
        return None
    return o.status.value


def test_facets_count_the_hits_under_the_other_filters(corpus, session, now):
    params = _everything(q="servicio", regions=("15",), object_types=("goods", "services"))
    results = search(params, now)
    rows = session.scalars(select(Opportunity)).all()
    in_types = [o for o in rows if o.object_type in (ObjectType.GOODS, ObjectType.SERVICES)]
    in_region = [o for o in rows if o.region_code == "15"]
    hits = [o for o in in_types if o.region_code == "15"]
    assert _facet(results, "region") == Counter(o.region_code for o in in_types if o.region_code)
    assert _facet(results, "object_type") == Counter(o.object_type.value for o in in_region)
    assert _facet(results, "buyer") == Counter(str(o.buyer_id) for o in hits)
    assert _facet(results, "procedure_type") == Counter(
        o.procedure_type_code for o in hits if o.procedure_type_code
    )
    statuses = Counter(_status_of(o, now) for o in hits)
    statuses.pop(None, None)
    assert _facet(results, "status") == statuses
    segments = Counter(code for o in hits for code in o.sector_codes() if code.endswith("000000"))
    assert _facet(results, "sector") == segments
    assert _facet(results, "kind") == {"opportunity": len(hits)}
    assert results.total == len(hits)


def test_a_page_past_the_end_is_empty_but_keeps_the_total(make_opportunity, now):
    make_opportunity("Adquisición de cemento")
    results = search(SearchParams(q="cemento", page=5), now)
    assert (results.total, results.hits, results.page) == (1, (), 5)


def test_a_query_of_stop_words_only_lists_everything(make_opportunity, now):
    make_opportunity("Adquisición de cemento")
    make_opportunity("Servicio de limpieza")
    assert search(SearchParams(q="de la"), now).total == 2


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        (SearchParams(), lambda o: True),
        (SearchParams(q="soporte"), lambda o: True),
        (SearchParams(regions=("04", "08")), lambda o: o.region_code in ("04", "08")),
        (SearchParams(kinds=("opportunity",), statuses=("closed",)), lambda o: True),
    ],
)
def test_status_facet_counts_every_status_whatever_the_status_filter(
    corpus, session, now, params, keep
):
    results = search(params, now)
    rows = [o for o in session.scalars(select(Opportunity)) if keep(o)]
    statuses = Counter(_status_of(o, now) for o in rows)
    statuses.pop(None, None)
    assert _facet(results, "status") == statuses
    wanted = set(params.statuses)
    assert set(_ids(results)) == {o.id for o in rows if _status_of(o, now) in wanted}


def _families(o) -> set[str]:
    return {code for code in o.sector_codes() if not code.endswith("000000")}


def test_families_of_a_chosen_segment_are_counted_under_the_other_filters(corpus, session, now):
    params = _everything(sectors=("80000000",), regions=("15",))
    results = search(params, now)
    in_region = [o for o in session.scalars(select(Opportunity)) if o.region_code == "15"]
    families = Counter(code for o in in_region for code in _families(o) if code[:2] == "80")
    assert _facet(results, "family") == families == {"80100000": 1, "80110000": 1}
    assert "family" not in search(_everything(regions=("15",)), now).facets


def test_a_family_filter_keeps_only_that_family(corpus, session, now):
    results = search(_everything(sectors=("80110000",)), now)
    assert set(_ids(results)) == _database(session, now, lambda o: "80110000" in _families(o))
    assert _facet(results, "family") == {"80100000": 2, "80110000": 1}


def test_closing_sort_puts_deadlines_still_ahead_before_those_passed(make_opportunity, now):
    passed_long_ago = make_opportunity("Servicio de transporte", deadline_at=now - timedelta(90))
    passed_yesterday = make_opportunity("Servicio de transporte", deadline_at=now - timedelta(1))
    later = make_opportunity("Servicio de transporte", deadline_at=now + timedelta(days=9))
    soonest = make_opportunity("Servicio de transporte", deadline_at=now + timedelta(days=2))
    unknown = make_opportunity("Servicio de transporte", deadline_at=None)

    results = search(SearchParams(q="transporte", sort="closing", statuses=()), now)

    expected = [soonest, later, passed_yesterday, passed_long_ago, unknown]
    assert _ids(results) == [opportunity.id for opportunity in expected]


def test_codes_and_numbers_are_never_corrected(make_opportunity, now):
    make_opportunity("Adquisición de medicamentos LP-SM-12-2026")
    results = search(SearchParams(q="medicamemtos LP-SM-17-2026"), now)
    assert results.total == 0
    assert results.suggestion is not None
    assert "17" in results.suggestion and "12" not in results.suggestion
    assert "medicamentos" in results.suggestion
