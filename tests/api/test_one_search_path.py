"""One search path: every listing is the search page's search, read through the index.

For the same query string, the API without and with `q`, the plans API, the RSS and Atom
feeds and the iCalendar, OCDS, CSV and XLSX exports list what /buscar lists, in its order
wherever the order is the page's; on SQLite and PostgreSQL alike (the `app` fixture).
"""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import feedparser
import numpy as np
import openpyxl
import pytest
from factories import NOW
from icalendar import Calendar
from sqlalchemy import select

from portal.api.listing import after_in_arrays
from portal.db import db
from portal.opportunities.models import ObjectType, Opportunity, OpportunityStatus
from portal.search.sync import repair

SHORT = {"minimum_days": 6, "minimum_day_kind": "business", "minimum_basis": "legal"}
DETAIL = re.compile(r"/oportunidades/(\d+)$")


@pytest.fixture
def corpus(session, make_buyer, make_opportunity, make_plan) -> dict:
    """Notices and plans that each filter splits differently; returns the buyers' ids."""
    first, second = make_buyer(region_code="08"), make_buyer(region_code="15")
    same_day = NOW - timedelta(days=2)
    make_opportunity(
        title="Adquisición de uniformes escolares",
        region_code="08",
        classifications=("53102700",),
        estimated_value=Decimal("45000"),
        deadline_at=NOW + timedelta(days=2),
        procedure_type_code="AS",
        buyer=first,
        **SHORT,
        given_days=9,
    )
    make_opportunity(
        title="Uniformes para serenazgo",
        object_type=ObjectType.SERVICES,
        estimated_value=Decimal("120000"),
        deadline_at=NOW + timedelta(days=20),
        published_at=NOW - timedelta(days=10),
        buyer=second,
    )
    make_opportunity(
        title="Servicio de limpieza de locales",
        object_type=ObjectType.SERVICES,
        status=OpportunityStatus.CLOSED,
        deadline_at=NOW - timedelta(days=5),
        estimated_value=None,
        published_at=same_day,
    )
    make_opportunity(
        title="Mantenimiento de carreteras vecinales",
        object_type=ObjectType.WORKS,
        region_code="08",
        estimated_value=Decimal("2500000"),
        deadline_at=None,
        procedure_type_code="LP",
        published_at=same_day,
        buyer=first,
    )
    make_opportunity(
        title="Adquisición de computadoras portátiles",
        classifications=("43211500",),
        estimated_value=Decimal("8000"),
        deadline_at=NOW + timedelta(hours=3),
        **SHORT,
        given_days=2,
        short_deadline=True,
    )
    make_opportunity(
        title="Consultoría para estudio de agua potable",
        object_type=ObjectType.CONSULTING,
        region_code="04",
        status=OpportunityStatus.AWARDED,
        published_at=NOW - timedelta(days=40),
        deadline_at=NOW - timedelta(days=20),
    )
    make_opportunity(title="Víveres para comedores", deadline_at=NOW - timedelta(hours=1))
    make_opportunity(title="Uniformes deportivos", status=OpportunityStatus.CANCELLED)
    make_opportunity(
        title="Uniformes de invierno",
        published_at=same_day,
        deadline_at=NOW + timedelta(days=2),  # ties with the first on closing
        estimated_value=Decimal("45000"),  # and on value
    )
    amended = _plans(session, make_plan, first, second)
    return {"first": first.id, "second": second.id, "amended": amended}


def _plans(session, make_plan, first, second) -> int:
    """The id of the first buyer's plan version 2, which amends its version 1."""
    make_plan(buyer=first, version=1, lines=2)
    amended = make_plan(buyer=first, version=2, lines=3, published_at=NOW - timedelta(days=3))
    amended.lines[0].description = "Uniformes escolares para el nivel inicial"
    amended.lines[0].classification_code = "53102700"
    other = make_plan(buyer=second, lines=2)
    other.lines[0].description = "Servicio de vigilancia de locales"
    other.lines[0].object_type = ObjectType.SERVICES
    other.lines[0].region_code = "08"
    other.lines[1].estimated_value = Decimal("900000")
    make_plan(buyer=second, fiscal_year=NOW.year - 1, lines=1)
    session.commit()
    return amended.id


OPPORTUNITY_QUERIES = [
    "",
    "status=all",
    "q=uniformes",
    "q=uniforme&status=all&sort=closing",
    "q=adquisicion&region=08",
    "status=all&sort=closing",
    "status=all&sort=published",
    "status=all&sort=value",
    "status=all&sort=value_asc",
    "region=08&status=all",
    "sector=53000000&status=all",
    "object_type=services&object_type=works&status=all",
    "value_min=10000&value_max=200000&status=all",
    "size=micro&status=all",
    "buyer={first}",
    "published_within=7&status=all",
    "closing_within=0",
    "closing_within=3&sort=closing",
    "deadline_check=short&status=all",
    "deadline_check=enough",
    "procedure=LP&status=all",
    "status=closed&status=awarded",
]


def _ids_in(urls) -> list[int]:
    return [int(DETAIL.search(urlsplit(url).path).group(1)) for url in urls]


def page_ids(client, query: str) -> list[int]:
    """The opportunities /buscar shows, in its order."""
    page = client.get(f"/buscar?{query}&kind=opportunity&per_page=100").get_data(as_text=True)
    return [int(i) for i in dict.fromkeys(re.findall(r'href="/oportunidades/(\d+)"', page))]


def api_ids(client, query: str) -> list[int]:
    """Every page of the API, two rows at a time through its cursor."""
    ids, url = [], f"/api/v1/opportunities?{query}&per_page=2"
    while url:
        body = client.get(url).get_json()
        ids.extend(row["id"] for row in body["data"])
        url = body["next"]
        assert len(ids) < 100
    return ids


def feed_ids(client, path: str, query: str) -> list[int]:
    feed = feedparser.parse(client.get(f"{path}?{query}&kind=opportunity&per_page=100").data)
    return _ids_in(entry.link for entry in feed.entries)


def calendar_ids(client, query: str) -> list[int]:
    calendar = Calendar.from_ical(client.get(f"/buscar.ics?{query}").data)
    return _ids_in(str(event["url"]) for event in calendar.walk("VEVENT"))


def ocds_ids(client, path: str, query: str) -> list[int]:
    """Releases name the notice by its reference at the source (`tender.id`)."""
    by_reference = dict(db.session.execute(select(Opportunity.source_ref, Opportunity.id)).all())
    response = client.get(f"{path}?{query}")
    if response.status_code == 404:  # no hits: OCDS 1.1 has no empty release package
        return []
    releases = response.get_json()["releases"]
    return [by_reference[release["tender"]["id"]] for release in releases]


def csv_ids(client, query: str) -> list[int]:
    text = client.get(f"/buscar.csv?{query}").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return _ids_in(row[-1] for row in rows[1:])


def xlsx_ids(client, query: str) -> list[int]:
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/buscar.xlsx?{query}").data)).active
    return _ids_in(row[-1] for row in sheet.iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize("template", OPPORTUNITY_QUERIES)
def test_every_opportunity_listing_agrees_with_the_search_page(client, corpus, template):
    query = template.format(**corpus)
    shown = page_ids(client, query)
    with_deadline = set(
        db.session.scalars(select(Opportunity.id).where(Opportunity.deadline_at.is_not(None)))
    )

    listed = {
        "rss": feed_ids(client, "/buscar.rss", query),
        "atom": feed_ids(client, "/buscar.atom", query),
        "ocds": ocds_ids(client, "/buscar.ocds.json", query),
        "api ocds": ocds_ids(client, "/api/v1/opportunities.ocds.json", query),
        "csv": csv_ids(client, query),
        "xlsx": xlsx_ids(client, query),
    }
    for name, ids in listed.items():
        assert ids == shown, name
    assert calendar_ids(client, query) == [i for i in shown if i in with_deadline]
    api = api_ids(client, query)
    if "q=" in query and "sort=" not in query:  # the API lists relevance newest first
        assert sorted(api) == sorted(shown)
    else:
        assert api == shown


def test_the_corpus_splits_every_listing(client, corpus):
    """The agreement above is not the agreement of empty lists. Closing today depends on the
    hour in Lima: portal.search.rules' own tests fix the clock for it."""
    sizes = {query: len(page_ids(client, query.format(**corpus))) for query in OPPORTUNITY_QUERIES}
    for order in ("", "&sort=closing", "&sort=published", "&sort=value", "&sort=value_asc"):
        assert sizes.pop(f"status=all{order}") == 9
    assert sizes.pop("") == 5  # open with a deadline ahead, or none
    sizes.pop("closing_within=0")
    assert all(0 < size < 9 for size in sizes.values()), sizes
    lines = {query: len(page_lines(client, query.format(**corpus))) for query in PLAN_QUERIES}
    assert lines.pop("") == 6
    assert all(0 < size < 6 for size in lines.values()), lines


PLAN_QUERIES = [
    "",
    "q=uniformes",
    "q=planificada",
    "q=compra&region=15&value_max=10000",
    "sector=53000000",
    "region=08",
    "object_type=services",
    "value_min=100000",
    "size=micro",
    "buyer={second}",
    "published_within=7",
]


def page_lines(client, query: str) -> set[tuple[int, int, str]]:
    """(buyer, fiscal year, line reference) of each forecast /buscar shows."""
    page = client.get(f"/buscar?{query}&kind=plan_line&per_page=100").get_data(as_text=True)
    found = re.findall(r'href="/planes/(\d+)/(\d+)\?linea=([^"#&]+)', page)
    return {(int(buyer), int(year), reference) for buyer, year, reference in found}


def api_lines(client, query: str) -> set[tuple[int, int, str]]:
    lines, url = set(), f"/api/v1/plans?{query}&per_page=1"
    while url:
        body = client.get(url).get_json()
        for plan in body["data"]:
            assert plan["lines"], plan  # a plan is listed for the lines the search finds
            key = (plan["buyer"]["id"], plan["fiscal_year"])
            lines |= {(*key, line["reference_number"]) for line in plan["lines"]}
        url = body["next"]
    return lines


@pytest.mark.parametrize("template", PLAN_QUERIES)
def test_the_plans_api_lists_the_forecasts_the_search_page_shows(client, corpus, template):
    query = template.format(**corpus)

    assert api_lines(client, query) == page_lines(client, query)


def test_plans_list_only_the_latest_version_and_words_are_not_substrings(client, corpus):
    listed = client.get(f"/api/v1/plans?buyer={corpus['first']}").get_json()["data"]

    assert [plan["id"] for plan in listed] == [corpus["amended"]]
    assert [line["reference_number"] for line in listed[0]["lines"]] == ["1", "2", "3"]
    assert api_lines(client, "q=uniforme") == api_lines(client, "q=UNIFORMES") != set()
    assert api_lines(client, "q=anificad") == set()  # inside "planificada": not a word


def test_a_row_reaches_the_listings_when_the_index_has_it(app, client, make_opportunity):
    """Rows are read by id from what the index picked: one the index has not seen yet (a web
    worker's commit, before the scheduler's repair) is listed by neither the page nor the API
    until the repair, and one deleted behind the index's back is listed by none."""
    app.config["PORTAL_INDEX_WRITER"] = False
    unseen = make_opportunity(title="Adquisición de cemento")
    app.config["PORTAL_INDEX_WRITER"] = True

    assert api_ids(client, "") == page_ids(client, "") == []
    repair(db.session, app.config["PORTAL_INDEX_DIR"])
    assert api_ids(client, "") == page_ids(client, "") == [unseen.id]

    app.config["PORTAL_INDEX_WRITER"] = False
    db.session.delete(unseen)
    db.session.commit()
    assert api_ids(client, "") == page_ids(client, "") == []


@pytest.mark.parametrize("buyers_in_query", [1000, 0])  # narrowed to the buyers, or not
def test_plan_pages_skip_plans_without_a_match_and_repeat_none(
    client, session, make_plan, monkeypatch, buyers_in_query
):
    monkeypatch.setattr("portal.api.listing.MAX_BUYERS_IN_QUERY", buyers_in_query)
    plans = [make_plan(lines=2) for _ in range(9)]
    for plan in plans[1::3]:  # the second, fifth and eighth
        plan.lines[1].description = "Mantenimiento de puentes peatonales"
    session.commit()

    ids, url = [], "/api/v1/plans?q=puente&per_page=1"
    while url:
        body = client.get(url).get_json()
        ids.extend(plan["id"] for plan in body["data"])
        assert all(len(plan["lines"]) == 1 for plan in body["data"])
        url = body["next"]

    assert ids == [plan.id for plan in plans[1::3]]
    assert len(client.get("/api/v1/plans?per_page=100").get_json()["data"]) == 9


def test_a_cursor_walks_every_key_once_in_order_ties_and_unknowns_included():
    """Pages pick their rows from a partial sort when the page is small beside the hits."""
    generator = np.random.default_rng(7)
    keys = generator.integers(0, 40, 500).astype(np.float64)
    keys[generator.random(500) < 0.1] = -np.inf  # unknown dates and values sort last
    ids = generator.permutation(np.arange(1, 501))
    expected = np.lexsort((-ids, -keys))

    walked, start = [], None
    while len(walked) < 500:
        positions = after_in_arrays(keys, ids, start, 7)
        walked.extend(positions.tolist())
        start = (keys[positions[-1]], ids[positions[-1]])

    assert walked == expected.tolist()
    assert len(after_in_arrays(keys, ids, start, 7)) == 0
