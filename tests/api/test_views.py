import re
from datetime import timedelta
from decimal import Decimal

import pytest
from factories import NOW

from portal.opportunities.models import ObjectType, OpportunityStatus


def _all_pages(client, url: str) -> list[dict]:
    rows, pages = [], 0
    while url:
        body = client.get(url).get_json()
        rows.extend(body["data"])
        url, pages = body["next"], pages + 1
        assert pages < 50
    return rows


def test_list_serialises_times_in_utc_and_values_as_strings(client, make_opportunity):
    opportunity = make_opportunity(title="Servicio de limpieza", estimated_value=Decimal("1234.50"))

    body = client.get("/api/v1/opportunities").get_json()

    [row] = body["data"]
    assert row["id"] == opportunity.id
    assert row["estimated_value"] == "1234.50"
    assert row["deadline_at"].endswith("Z")
    assert row["deadline_at"].startswith(opportunity.deadline_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert body["next"] is None


def test_filters_apply_as_on_the_search_page(client, make_opportunity):
    make_opportunity(title="Uniformes escolares", region_code="08", classifications=("53102700",))
    make_opportunity(title="Uniformes policiales", region_code="15")
    make_opportunity(title="Computadoras", region_code="08", status=OpportunityStatus.CLOSED)

    def titles(query: str) -> set[str]:
        return {
            row["title"] for row in client.get(f"/api/v1/opportunities?{query}").get_json()["data"]
        }

    assert titles("q=uniformes") == {"Uniformes escolares", "Uniformes policiales"}
    assert titles("region=08") == {"Uniformes escolares"}
    assert titles("region=08&status=all") == {"Uniformes escolares", "Computadoras"}
    assert titles("sector=53000000") == {"Uniformes escolares"}
    assert titles("status=closed") == {"Computadoras"}


def test_cursor_pagination_returns_every_row_exactly_once_in_each_sort(client, make_opportunity):
    for index in range(23):
        make_opportunity(
            published_at=NOW - timedelta(days=index % 4),
            deadline_at=None if index % 5 == 0 else NOW + timedelta(days=index % 3 + 1),
            estimated_value=None if index % 7 == 0 else Decimal(100 * (index % 4)),
        )

    for text in ("", "q=bienes&"):  # without words and with: both through the index
        for sort in ("relevance", "published", "closing", "value"):
            rows = _all_pages(client, f"/api/v1/opportunities?{text}sort={sort}&per_page=5")
            ids = [row["id"] for row in rows]
            assert len(ids) == 23 and len(set(ids)) == 23, (text, sort)


def _page_ids(client, query: str) -> set[int]:
    page = client.get(f"/buscar?{query}&kind=opportunity&per_page=100").get_data(as_text=True)
    return {int(found) for found in re.findall(r'href="/oportunidades/(\d+)"', page)}


@pytest.mark.parametrize(
    "query",
    [
        "q=adquisicion",
        "q=ADQUISICIÓN+uniforme&region=08",
        "q=uniformes&sector=53000000",
        "q=servicio&status=all&sort=value",
        "q=de+la",  # stop words only: every notice, as on the page
    ],
)
def test_text_queries_return_the_same_notices_as_the_search_page(client, make_opportunity, query):
    make_opportunity(title="Adquisición de uniformes escolares", region_code="08")
    make_opportunity(title="Adquisicion de uniforme policial", classifications=("53102700",))
    make_opportunity(title="Servicio de limpieza", status=OpportunityStatus.CLOSED)
    make_opportunity(title="Servicio de vigilancia", description="Adquisición no incluida")

    api_ids = {row["id"] for row in _all_pages(client, f"/api/v1/opportunities?{query}&per_page=1")}

    assert api_ids == _page_ids(client, query)
    assert api_ids


def test_closing_sort_is_soonest_first(client, make_opportunity):
    late = make_opportunity(deadline_at=NOW + timedelta(days=20))
    soon = make_opportunity(deadline_at=NOW + timedelta(days=2))

    rows = client.get("/api/v1/opportunities?sort=closing").get_json()["data"]

    assert [row["id"] for row in rows] == [soon.id, late.id]


def test_closing_sort_puts_deadlines_ahead_first_then_the_passed_latest_first(
    client, make_opportunity
):
    closed = OpportunityStatus.CLOSED
    long_ago = make_opportunity(deadline_at=NOW - timedelta(days=400), status=closed)
    none = make_opportunity(deadline_at=None)
    late = make_opportunity(deadline_at=NOW + timedelta(days=20))
    passed = make_opportunity(deadline_at=NOW - timedelta(days=2), status=closed)
    soon = make_opportunity(deadline_at=NOW + timedelta(days=2))
    expected = [soon.id, late.id, passed.id, long_ago.id, none.id]

    for text in ("", "q=bienes&"):  # without words and with: the same order
        url = f"/api/v1/opportunities?{text}status=all&sort=closing&per_page=2"
        assert [row["id"] for row in _all_pages(client, url)] == expected, text


def test_bad_parameters_answer_400_with_json_error(client):
    for query, field in (
        ("per_page=0", "per_page"),
        ("status=nonsense", "status"),
        ("cursor=forged", "cursor"),
        ("buyer=99999999999", "buyer"),
        ("q=a%00b", "q"),
    ):
        response = client.get(f"/api/v1/opportunities?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["error"]["field"] == field, query
    assert client.get("/api/v1/plans?year=²").get_json()["error"]["field"] == "year"


def test_cursor_from_another_sort_is_refused(client, make_opportunity):
    for _ in range(3):
        make_opportunity()
    following = client.get("/api/v1/opportunities?per_page=1").get_json()["next"]
    cursor = following.split("cursor=")[1]

    response = client.get(f"/api/v1/opportunities?sort=value&cursor={cursor}")

    assert response.status_code == 400


def test_detail_includes_changes_and_unknown_id_is_json_404(client, make_opportunity):
    opportunity = make_opportunity()

    found = client.get(f"/api/v1/opportunities/{opportunity.id}").get_json()
    missing = client.get("/api/v1/opportunities/987654")

    assert found["data"]["changes"] == []
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"]


def test_plans_filter_by_buyer_year_region_and_words(client, session, make_buyer, make_plan):
    lima = make_buyer(region_code="15")
    cusco = make_buyer(region_code="08")
    make_plan(buyer=lima, version=1)
    newest = make_plan(buyer=lima, version=2, lines=3)
    old = make_plan(buyer=cusco, fiscal_year=NOW.year - 1)
    for line in old.lines:  # the region filter reads the line's department, as the search does
        line.region_code = "08"
    newest.lines[2].description = "Adquisición de uniformes escolares"
    session.commit()

    def ids(query: str) -> list[int]:
        return [plan["id"] for plan in client.get(f"/api/v1/plans?{query}").get_json()["data"]]

    assert ids("") == [newest.id, old.id]
    assert ids(f"year={NOW.year - 1}") == [old.id]
    assert ids("region=15") == [newest.id]
    assert ids(f"buyer={cusco.id}") == [old.id]
    [plan] = client.get("/api/v1/plans?q=uniforme adquisicion").get_json()["data"]  # stems
    assert [line["reference_number"] for line in plan["lines"]] == ["3"]
    assert len(_all_pages(client, "/api/v1/plans?per_page=1")) == 2


def test_open_excludes_passed_deadlines_and_size_keeps_small_values(client, make_opportunity):
    small = make_opportunity(estimated_value=Decimal("20000"))
    make_opportunity(estimated_value=Decimal("90000000"))
    make_opportunity(deadline_at=NOW - timedelta(hours=1))

    open_ids = [row["id"] for row in client.get("/api/v1/opportunities").get_json()["data"]]
    micro = client.get("/api/v1/opportunities?size=micro").get_json()["data"]

    assert len(open_ids) == 2
    assert [row["id"] for row in micro] == [small.id]


def test_plans_apply_the_line_filters_and_list_only_matching_lines(client, session, make_plan):
    plan = make_plan(lines=3)  # goods lines worth 5 000, 10 000 and 15 000
    plan.lines[0].classification_code = "53102700"
    plan.lines[1].object_type = ObjectType.SERVICES
    plan.lines[2].estimated_value = Decimal("900000")
    other = make_plan(lines=1)
    session.commit()

    def lines(query: str) -> dict[int, list[str]]:
        body = client.get(f"/api/v1/plans?{query}").get_json()
        return {
            row["id"]: [line["reference_number"] for line in row["lines"]] for row in body["data"]
        }

    assert lines("sector=53000000") == lines("sector=53100000") == {plan.id: ["1"]}
    assert lines("sector=53110000") == {}
    assert lines("object_type=services") == {plan.id: ["2"]}
    assert lines("value_min=10000") == {plan.id: ["2", "3"]}
    assert lines("value_max=5000") == {plan.id: ["1"], other.id: ["1"]}
    assert lines("size=micro&kind=plan_line") == {plan.id: ["1", "2"], other.id: ["1"]}


def test_plans_refuse_search_parameters_that_plans_do_not_have(client):
    for query, field in (
        ("kind=opportunity", "kind"),
        ("status=closed", "status"),
        ("sort=value", "sort"),
        ("closing_within=5", "closing_within"),
    ):
        response = client.get(f"/api/v1/plans?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["error"]["field"] == field, query


def test_unknown_paths_and_methods_under_the_api_answer_json(client):
    for path in ("/api/v1/nothing", "/api/v1/opportunities/abc", "/api/v2/opportunities"):
        response = client.get(path)
        assert (response.status_code, response.mimetype) == (404, "application/json"), path
        assert response.get_json()["error"]["message"], path
    refused = client.post("/api/v1/opportunities")
    assert (refused.status_code, refused.mimetype) == (405, "application/json")
    assert "GET" in refused.headers["Allow"]
    assert client.get("/nothing").mimetype == "text/html"  # pages keep their HTML errors
