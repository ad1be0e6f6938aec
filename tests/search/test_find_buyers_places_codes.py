"""What people type finds its notices and plan lines: a buyer's name, acronym or RUC, a place,
the codes a page shows; an exact code or RUC comes first; the spelling suggestion never
replaces a word that names a place, a buyer or a code; the alert matcher agrees."""

import shutil
from dataclasses import replace
from datetime import timedelta

import pytest
from whoosh.filedb.filestore import FileStorage

from notifications.match_engine import document_batch, match, subscription_index
from portal.opportunities.models import OpportunityStatus
from portal.search.documents import (
    BuyerFacts,
    make_document,
    opportunity_documents,
    plan_line_documents,
)
from portal.search.params import SearchParams
from portal.search.query import search
from portal.search.schema import SCHEMA_VERSION, build_schema, code_key, query_code_keys
from portal.search.store import OPEN, PARTS, open_part, part_dir
from portal.search.sync import RepairReport, repair

VES_RUC = "20131705434"  # a valid RUC: portal.buyers.ruc checks its digit


def _everything(q: str, **changes) -> SearchParams:
    return SearchParams(q=q, statuses=(), per_page=100, **changes)


def _found(q: str, now, **changes) -> list[tuple[str, int]]:
    return [(hit.kind, hit.id) for hit in search(_everything(q, **changes), now).hits]


@pytest.fixture
def villa(make_buyer, session):
    buyer = make_buyer("Municipalidad Distrital de Villa El Salvador", region_code="15")
    buyer.acronym, buyer.ruc, buyer.identifier_scheme, buyer.identifier = (
        "MVES",
        VES_RUC,
        "PE-RUC",
        VES_RUC,
    )
    session.commit()
    return buyer


@pytest.fixture
def world(villa, make_buyer, make_opportunity, make_plan_line):
    """Notices whose titles name neither their buyer nor their place."""
    cusco = make_buyer("Gobierno Regional del Cusco", region_code="08")
    paita = make_buyer("Municipalidad Provincial de Paita", region_code="20")
    return {
        "villa_call": make_opportunity("Adquisición de cemento", buyer_id=villa.id),
        "villa_line": make_plan_line("Adquisición de fierro corrugado", buyer=villa),
        "cusco_call": make_opportunity("Servicio de limpieza", buyer_id=cusco.id, region_code="08"),
        "paita_call": make_opportunity(
            "Mantenimiento de pistas", buyer_id=paita.id, region_code="20"
        ),
        "unknown_buyer": make_opportunity("Adquisición de papel", region_code=None),
    }


def _key(row) -> tuple[str, int]:
    kind = "plan_line" if type(row).__name__ == "PlanLine" else "opportunity"
    return kind, row.id


@pytest.mark.parametrize(
    "query", ["Villa El Salvador", "villa el salvador", "MVES", "mves", VES_RUC, "salvador"]
)
def test_a_buyers_name_acronym_or_ruc_finds_its_notices_and_plan_lines(world, now, query):
    assert set(_found(query, now)) == {_key(world["villa_call"]), _key(world["villa_line"])}


def test_buyer_words_narrow_like_any_other_word(world, now):
    assert _found("cemento villa salvador", now) == [_key(world["villa_call"])]
    assert _found("fierro MVES", now) == [_key(world["villa_line"])]
    assert _found("cemento Cusco", now) == []


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("Cusco", {"cusco_call"}),
        ("CUSCO", {"cusco_call"}),
        ("Piura", {"paita_call"}),  # the department of the notice
        ("Paita", {"paita_call"}),  # the province, named by its buyer
        ("Lima", {"villa_call", "villa_line"}),  # the line's region is its buyer's
    ],
)
def test_a_place_finds_the_notices_there(world, now, query, names):
    found = set(_found(query, now))
    assert found == {_key(world[name]) for name in names}
    assert _key(world["unknown_buyer"]) not in found  # in no department


def test_a_department_with_accents_is_found_without_them(make_opportunity, now):
    junin = make_opportunity("Servicio de vigilancia", region_code="12")
    ancash = make_opportunity("Servicio de vigilancia", region_code="02")
    assert _found("junin", now) == [("opportunity", junin.id)]
    assert _found("Áncash", now) == _found("ancash", now) == [("opportunity", ancash.id)]


@pytest.mark.parametrize(
    "query",
    [
        "AS-SM-219-2026-MVES-1",
        "as-sm-219-2026-mves-1",
        "AS SM 219 2026 MVES 1",
        "  AS-SM-219-2026-MVES-1 ",
    ],
)
def test_a_nomenclature_finds_its_notice_first(make_opportunity, villa, now, query):
    """The notice the code names comes before one differing in the last number, which holds
    the same words many more times."""
    named = make_opportunity(
        "Adquisición de cemento",
        procedure_text="AS-SM-219-2026-MVES-1",
        buyer_id=villa.id,
    )
    second_call = make_opportunity(
        "AS SM 219 2026 MVES: segunda convocatoria AS SM 219 2026 MVES",
        "AS-SM-219-2026-MVES-2 AS SM 219 2026 MVES",
        buyer_id=villa.id,
    )
    hits = _found(query, now)
    assert hits == [("opportunity", named.id), ("opportunity", second_call.id)]


def test_codes_a_page_shows_find_their_notice(make_opportunity, now):
    from_listing = make_opportunity("Servicio de vigilancia", source_ref="CP SER-SM-1-2026-MDCC-1")
    from_ocds = make_opportunity(
        "Servicio de vigilancia",
        source_ref="ocds-dgv273-seacev3-774411",
        ocid="ocds-dgv273-seacev3-774411",
    )
    in_prose = make_opportunity(
        "Servicio de vigilancia", "Según las bases del LP-ABR-3-2026-GRC-1. Bases integradas."
    )
    assert _found("CP SER-SM-1-2026-MDCC-1", now) == [("opportunity", from_listing.id)]
    assert _found("ocds-dgv273-seacev3-774411", now) == [("opportunity", from_ocds.id)]
    assert _found("LP-ABR-3-2026-GRC-1", now) == [("opportunity", in_prose.id)]
    assert _found("vigilancia 774411", now) == [("opportunity", from_ocds.id)]


def test_a_plan_lines_code_finds_it_but_a_bare_line_number_does_not(make_plan_line, now):
    coded = make_plan_line("Adquisición de combustible", reference_number="PAC-2026-0042")
    numbered = make_plan_line("Adquisición de combustible", reference_number="42")
    assert _found("PAC-2026-0042", now) == [("plan_line", coded.id)]
    assert ("plan_line", numbered.id) not in _found("42", now)


def test_a_ruc_puts_the_buyers_notices_before_mentions(make_opportunity, villa, now):
    """A notice that only mentions the RUC (a consortium member, a former supplier) matches,
    after every notice of the buyer, however often it repeats the number."""
    mention = make_opportunity(
        f"Servicio de transporte {VES_RUC}", f"Proveedor con RUC {VES_RUC}, RUC {VES_RUC}."
    )
    own = [
        make_opportunity("Adquisición de cemento", buyer_id=villa.id),
        make_opportunity("Servicio de limpieza", buyer_id=villa.id),
    ]
    hits = _found(VES_RUC, now)
    assert set(hits[:2]) == {("opportunity", row.id) for row in own}
    assert hits[2:] == [("opportunity", mention.id)]


def test_exact_codes_order_only_relevance(make_opportunity, villa, now):
    named = make_opportunity("Cemento", procedure_text="AS-SM-219-2026-MVES-1", buyer_id=villa.id)
    later = make_opportunity("Cemento AS-SM-219-2026-MVES-2", published_at=now - timedelta(days=1))
    by_date = _found("AS-SM-219-2026-MVES-1", now, sort="published")
    assert by_date == [("opportunity", later.id), ("opportunity", named.id)]


def test_the_query_parts_that_may_be_codes():
    assert code_key(" CP SER-SM-1-2026-MDCC-1.") == "cp-ser-sm-1-2026-mdcc-1"
    assert code_key("AS-SM-2-2020-MPH/CS-1") == code_key("as sm 2 2020 mph cs 1")
    assert query_code_keys("Lima 20131705434") == (
        "lima-20131705434",
        "lima",
        "20131705434",
    )
    assert query_code_keys("a") == ()


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("lima medicamemtos", "lima medicamentos"),
        ("salvador medicamemtos", "salvador medicamentos"),
        ("mves medicamemtos", "mves medicamentos"),
        ("ucayali medicamemtos", "ucayali medicamentos"),  # a department no notice is in
        ("mdcc medicamemtos", "mdcc medicamentos"),  # a code's word
    ],
)
def test_a_suggestion_never_replaces_a_place_buyer_or_code(
    make_opportunity, villa, now, query, suggestion
):
    make_opportunity("Construcción de losa deportiva", buyer_id=villa.id, region_code="15")
    make_opportunity("Construcción de losas", source_ref="CP SER-SM-1-2026-MDCC-1")
    make_opportunity("Adquisición de medicamentos", region_code="04")
    results = search(SearchParams(q=query), now)
    assert results.total == 0
    assert results.suggestion == suggestion


def test_lima_finds_lima_and_suggests_nothing(make_opportunity, now):
    """The report: "lima" gave 0 results and "¿Quisiste decir losa?"."""
    in_lima = make_opportunity("Construcción de losa deportiva", region_code="15")
    results = search(SearchParams(q="lima"), now)
    assert [hit.id for hit in results.hits] == [in_lima.id]
    assert results.suggestion is None


def test_a_misspelt_place_is_suggested(make_opportunity, now):
    make_opportunity("Servicio de vigilancia", region_code="08")
    results = search(SearchParams(q="cuzko"), now)
    assert results.total == 0
    assert results.suggestion == "cusco"


def test_a_buyer_renamed_or_given_a_ruc_is_found_by_it(make_buyer, make_opportunity, session, now):
    buyer = make_buyer("Municipalidad de Villa")
    call = make_opportunity("Adquisición de cemento", buyer_id=buyer.id)
    assert _found(VES_RUC, now) == []

    buyer.name, buyer.acronym, buyer.ruc = (
        "Municipalidad Distrital de Villa El Salvador",
        "MVES",
        VES_RUC,
    )
    session.commit()

    for query in (VES_RUC, "salvador", "MVES"):
        assert _found(query, now) == [("opportunity", call.id)]


NEW_FIELDS = ("entity", "place", "refs", "codes", "version")  # SCHEMA_VERSION 2


@pytest.mark.parametrize("upgrade", ["index without the new fields", "older version column"])
def test_repair_rewrites_documents_of_an_older_index_layout(
    app, villa, make_opportunity, session, now, upgrade
):
    """An index written before buyers and places were indexed (or, later, under any older
    SCHEMA_VERSION): `repair`, which the scheduler runs at start-up and every 10 minutes,
    rewrites those documents as `rebuild` would; until then they are found as before."""
    call = make_opportunity("Adquisición de cemento", buyer_id=villa.id, region_code="08")
    index_dir = app.config["PORTAL_INDEX_DIR"]
    [document] = opportunity_documents(session, [call.id])
    old = {name: value for name, value in document.items() if name not in NEW_FIELDS}
    if upgrade == "index without the new fields":
        shutil.rmtree(index_dir)
        schema = build_schema()
        for name in NEW_FIELDS:
            schema.remove(name)
        for part in PARTS:
            part_dir(index_dir, part).mkdir(parents=True)
            FileStorage(str(part_dir(index_dir, part))).create_index(schema)
    else:
        old["version"] = SCHEMA_VERSION - 1
    writer = open_part(index_dir, OPEN).writer()
    writer.delete_by_term("doc_key", document["doc_key"])
    writer.add_document(**old)
    writer.commit()
    assert _found("cemento", now) == [("opportunity", call.id)]
    assert _found("Cusco", now) == []

    assert repair(session, index_dir) == RepairReport(missing=0, stale=1, orphans=0)

    assert _found("Cusco", now) == _found("MVES", now) == [("opportunity", call.id)]
    assert repair(session, index_dir) == RepairReport(0, 0, 0)


QUERIES = [
    "Villa El Salvador",
    VES_RUC,
    "MVES cemento",
    "Lima",
    "Cusco",
    "Paita",
    "AS-SM-219-2026-MVES-1",
    "ocds-dgv273-seacev3-774411",
    "limpieza",
]


def test_the_matcher_agrees_with_the_search_on_buyers_places_and_codes(
    world, villa, make_opportunity, session, now
):
    coded = make_opportunity(
        "Adquisición de cemento",
        procedure_text="AS-SM-219-2026-MVES-1",
        ocid="ocds-dgv273-seacev3-774411",
        buyer_id=villa.id,
    )
    closed = make_opportunity(
        "Servicio de limpieza", region_code="08", status=OpportunityStatus.CLOSED
    )
    opportunity_ids = [row.id for name, row in world.items() if name != "villa_line"]
    opportunity_ids += [coded.id, closed.id]
    documents = [
        *opportunity_documents(session, opportunity_ids),
        *plan_line_documents(session, [world["villa_line"].id]),
    ]
    searches = [SearchParams(q=q) for q in QUERIES] + [_everything(q) for q in QUERIES]
    batch = document_batch(documents)
    subs, docs = match(subscription_index(searches, {}), batch, now.timestamp())
    matched = {(int(sub), batch.keys[int(doc)]) for sub, doc in zip(subs, docs, strict=True)}

    expected = set()
    for row, params in enumerate(searches):
        hits = search(replace(params, per_page=100), now).hits
        expected |= {(row, f"{hit.kind}:{hit.id}") for hit in hits}
    assert matched == expected
    keys = {key for _row, key in matched}
    assert {f"opportunity:{coded.id}", f"opportunity:{closed.id}"} <= keys


def test_documents_say_who_buys_where_and_which_codes():
    document = make_document(
        kind="opportunity",
        db_id=7,
        title="Adquisición de cemento",
        description="Según bases del AS-SM-219-2026-MVES-1.",
        status="open",
        region="15",
        object_type="goods",
        procedure_type="AS",
        buyer_id=3,
        sectors=(),
        value=None,
        published=None,
        deadline=None,
        stamp=0.0,
        buyer=BuyerFacts("Municipalidad Distrital de Villa El Salvador", "MVES", VES_RUC),
        places=["Lima"],
        codes=["ocds-dgv273-seacev3-1", "https://example.gob.pe/aviso/12", "7"],
    )
    assert document["entity"] == f"Municipalidad Distrital de Villa El Salvador MVES {VES_RUC}"
    assert document["place"] == "Lima"
    assert document["refs"] == "ocds-dgv273-seacev3-1"  # no link, no bare short number
    assert document["codes"].split() == [
        "ocds-dgv273-seacev3-1",
        "del-as-sm-219-2026-mves-1",  # the pattern allows a word before: "CP SER-SM-…"
        "as-sm-219-2026-mves-1",
        VES_RUC,
        "mves",
    ]
    assert document["version"] == SCHEMA_VERSION
