"""/entidades/ lists every buyer: found by name, acronym or RUC whatever the accents, paged,
each linking to its page with the calls it has open now."""

from datetime import timedelta

import pytest
from factories import NOW
from lxml import html

from portal.buyers.directory import ACCENTED, PER_PAGE, PLAIN
from portal.opportunities.models import OpportunityStatus
from scrapers.text import fold

VILLA_RUC = "20131705434"


def _rows(client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/entidades/?{query}")
    assert response.status_code == 200, response.text[:300]
    page = html.fromstring(response.text)
    rows = []
    for row in page.cssselect("table.directory tbody tr"):
        link = row.cssselect("a.buyer-link")[0]
        cells = row.cssselect("td")
        rows.append(
            {
                "name": link.text_content(),
                "href": link.get("href"),
                "ruc": cells[1].text_content().strip(),
                "open": cells[3].text_content().strip(),
            }
        )
    return rows


def _names(client, query: str) -> list[str]:
    return [row["name"] for row in _rows(client, query)]


@pytest.fixture
def buyers(make_buyer):
    return {
        "villa": make_buyer(
            name="Municipalidad Distrital de Villa El Salvador", acronym="MVES", ruc=VILLA_RUC
        ),
        "ancash": make_buyer(name="Gobierno Regional de Áncash", acronym="GRA"),
        "arequipa": make_buyer(name="Municipalidad Provincial de Arequipa", acronym="MPA"),
        "hospital": make_buyer(name="Hospital Regional Lambayeque", acronym=None),
    }


def test_the_accents_folded_in_sql_are_the_ones_fold_removes():
    assert fold(ACCENTED) == PLAIN


def test_every_buyer_is_listed_in_spanish_order_with_a_link_to_its_page(client, buyers):
    rows = _rows(client)

    assert [row["name"] for row in rows] == [
        "Gobierno Regional de Áncash",  # Á sorts as A, not after Z
        "Hospital Regional Lambayeque",
        "Municipalidad Distrital de Villa El Salvador",
        "Municipalidad Provincial de Arequipa",
    ]
    villa = rows[2]
    assert villa["href"] == f"/entidades/{buyers['villa'].id}" and villa["ruc"] == VILLA_RUC
    assert client.get(villa["href"]).status_code == 200


def test_open_calls_are_counted_as_open_now(client, buyers, make_opportunity):
    villa = buyers["villa"]
    make_opportunity(buyer=villa)
    make_opportunity(buyer=villa, deadline_at=None)
    make_opportunity(buyer=villa, deadline_at=NOW - timedelta(hours=1))  # closed by the clock
    make_opportunity(buyer=villa, status=OpportunityStatus.AWARDED)
    make_opportunity(buyer=buyers["ancash"], status=OpportunityStatus.CLOSED)

    counts = {row["name"]: row["open"] for row in _rows(client)}

    assert counts["Municipalidad Distrital de Villa El Salvador"] == "2"
    assert counts["Gobierno Regional de Áncash"] == "0"
    page = html.fromstring(client.get("/entidades/").text)
    [link] = page.cssselect("td.open-calls a")
    assert link.get("href") == f"/buscar?buyer={villa.id}"
    assert _names(client, "abiertas=1") == ["Municipalidad Distrital de Villa El Salvador"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ancash", ["Gobierno Regional de Áncash"]),
        ("ÁNCASH", ["Gobierno Regional de Áncash"]),
        ("villa salvador", ["Municipalidad Distrital de Villa El Salvador"]),
        ("VILLA EL SALVADOR", ["Municipalidad Distrital de Villa El Salvador"]),
        ("mves", ["Municipalidad Distrital de Villa El Salvador"]),
        (VILLA_RUC, ["Municipalidad Distrital de Villa El Salvador"]),
        ("2013170", ["Municipalidad Distrital de Villa El Salvador"]),
        ("regional", ["Gobierno Regional de Áncash", "Hospital Regional Lambayeque"]),
        ("arequipa cusco", []),  # every word must be found
        ("%", []),  # taken literally, not as a wildcard
        ("_", []),
    ],
)
def test_search_by_name_acronym_or_ruc_ignores_accents_and_case(client, buyers, typed, expected):
    assert _names(client, f"q={typed}") == expected


def test_a_search_that_finds_nothing_says_so_and_keeps_the_words(client, buyers):
    page = html.fromstring(client.get("/entidades/?q=Tumbes").text)

    assert "Ninguna entidad coincide con «Tumbes»" in page.cssselect("p.empty")[0].text_content()
    assert page.cssselect("input#directory-q")[0].get("value") == "Tumbes"


def test_a_long_list_is_paged_and_a_page_past_the_end_shows_the_last(client, make_buyer):
    for number in range(PER_PAGE + 5):
        make_buyer(name=f"Municipalidad Distrital número {number:02d}")

    first = html.fromstring(client.get("/entidades/?q=distrital").text)
    second = html.fromstring(client.get("/entidades/?q=distrital&pagina=2").text)
    beyond = _names(client, "q=distrital&pagina=9")

    assert len(first.cssselect("table.directory tbody tr")) == PER_PAGE
    [following] = first.cssselect(".pagination a[rel=next]")
    assert "pagina=2" in following.get("href") and "q=distrital" in following.get("href")
    assert len(second.cssselect("table.directory tbody tr")) == 5
    assert second.cssselect(".pagination a[rel=prev]")
    assert beyond == [f"Municipalidad Distrital número {n}" for n in range(PER_PAGE, PER_PAGE + 5)]
    count = first.cssselect("p.directory-count")[0].text_content()
    assert count.startswith(f"{PER_PAGE + 5} entidades")


@pytest.mark.parametrize(
    "query", ["q=%00", "q=" + "a" * 201, "pagina=dos", "pagina=0", "pagina=99999999999"]
)
def test_unreadable_requests_get_the_sites_400_page(client, buyers, query):
    response = client.get(f"/entidades/?{query}")

    assert response.status_code == 400
    assert "<html" in response.text and "Traceback" not in response.text


def test_the_header_links_to_the_list(client):
    page = html.fromstring(client.get("/").text)

    assert page.cssselect("nav.main-nav a[href='/entidades/']")
