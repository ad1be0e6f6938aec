"""RSS and Atom as feed readers see them (feedparser), checked against the API's answer."""

from calendar import timegm
from datetime import timedelta
from decimal import Decimal

import feedparser
import lxml.html
import pytest
from factories import NOW

from portal.opportunities.models import OpportunityStatus

FEEDS = ("/buscar.rss", "/buscar.atom")


def _feed(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    return feed


def _epoch(moment) -> int:
    return int(moment.timestamp())


def _paragraphs(html: str) -> list[str]:
    """The text of each paragraph of an entry's HTML summary, as a reader renders it."""
    return [p.text_content() for p in lxml.html.fragment_fromstring(html, "div").iter("p")]


@pytest.fixture
def calls_and_newer_forecasts(make_opportunity, make_plan):
    """Two open calls, and a plan published after them whose lines sort first by date."""
    calls = [
        make_opportunity(title="Adquisición de cemento", published_at=NOW - timedelta(days=2)),
        make_opportunity(title="Compra de fierro", published_at=NOW - timedelta(days=1)),
    ]
    make_plan(lines=3, published_at=NOW - timedelta(hours=1))
    return calls


@pytest.mark.parametrize("query", ["", "?status=all", "?sort=published"])
def test_a_search_feed_lists_calls_before_forecasts(client, calls_and_newer_forecasts, query):
    for path in FEEDS:
        feed = _feed(client, path + query)

        links = [entry.link for entry in feed.entries]
        call_links = {
            f"http://localhost/oportunidades/{call.id}" for call in calls_and_newer_forecasts
        }
        assert set(links[:2]) == call_links, path
        assert all("/planes/" in link for link in links[2:]), path
        assert len(links) == 5, path


def test_a_short_feed_keeps_the_calls_and_leaves_out_forecasts(client, calls_and_newer_forecasts):
    for path in FEEDS:
        feed = _feed(client, f"{path}?per_page=2")

        assert all("/oportunidades/" in entry.link for entry in feed.entries), path
        assert len(feed.entries) == 2


def test_feed_titles_say_what_the_feed_holds(client, calls_and_newer_forecasts):
    for path in FEEDS:
        calls_only = _feed(client, f"{path}?kind=opportunity&q=cemento").feed.title
        forecasts = _feed(client, f"{path}?kind=plan_line")
        both = _feed(client, path).feed.title

        assert "convocatorias" in calls_only.lower() and "cemento" in calls_only
        assert "pronóstico" not in calls_only.lower()
        assert "pronósticos" in forecasts.feed.title.lower()
        assert "convocatorias" not in forecasts.feed.title.lower()
        assert all("/planes/" in entry.link for entry in forecasts.entries)
        assert "convocatorias" in both.lower() and "pronósticos" in both.lower()


def test_the_channel_link_is_the_search_page_and_self_is_the_feed(client, make_opportunity):
    make_opportunity(title="Adquisición de cemento")

    rss = _feed(client, "/buscar.rss?q=cemento&sort=closing").feed
    atom = _feed(client, "/buscar.atom?q=cemento&sort=closing").feed

    assert rss.link == "http://localhost/buscar?q=cemento&sort=closing"
    for feed, path in ((rss, "buscar.rss"), (atom, "buscar.atom")):
        rels = {link.rel: link.href for link in feed.links}
        assert rels["alternate"] == "http://localhost/buscar?q=cemento&sort=closing"
        assert rels["self"] == f"http://localhost/{path}?q=cemento&sort=closing"
    assert _feed(client, "/buscar.rss").feed.link == "http://localhost/buscar"


def test_an_entry_summary_is_escaped_html_with_a_paragraph_per_fact(
    client, make_buyer, make_opportunity
):
    buyer = make_buyer(name="Municipalidad de Villa El Salvador", ruc="20131705434")
    make_opportunity(
        title="Adquisición de cemento",
        buyer=buyer,
        description="Ofertas en dos <sobres> & copias\nSegunda línea",
        estimated_value=Decimal("3099000.00"),
        deadline_at=NOW.replace(hour=21, minute=30) + timedelta(days=3),
    )

    for path in FEEDS:
        [entry] = _feed(client, f"{path}?q=cemento").entries
        paragraphs = _paragraphs(entry.summary)

        assert entry.summary_detail.type == "text/html", path
        assert paragraphs[0].endswith("Municipalidad de Villa El Salvador"), path
        assert any("16:30" in text for text in paragraphs), path  # Lima is UTC-5
        assert any("S/ 3,099,000.00" in text for text in paragraphs), path
        assert paragraphs[-1] == "Ofertas en dos <sobres> & copiasSegunda línea", path
        assert "<br" in entry.summary.split("copias")[1], path


def test_entries_are_updated_when_the_notice_changed_and_match_the_api(
    client, session, make_buyer, make_opportunity
):
    buyer = make_buyer(name="Gobierno Regional del Cusco")
    changed = make_opportunity(title="Obra de saneamiento", buyer=buyer)
    make_opportunity(title="Obra de saneamiento rural", published_at=NOW - timedelta(days=3))
    changed.deadline_at = NOW + timedelta(days=20)
    changed.updated_at = NOW - timedelta(minutes=5)
    session.commit()
    api = client.get("/api/v1/opportunities?q=saneamiento&sort=published").get_json()["data"]

    for path in FEEDS:
        entries = _feed(client, f"{path}?q=saneamiento&sort=published").entries

        assert [entry.link for entry in entries] == [row["html_url"] for row in api], path
        assert [entry.title for entry in entries] == [row["title"] for row in api], path
        first = entries[0]
        assert timegm(first.updated_parsed) == _epoch(changed.updated_at), path
        assert timegm(first.published_parsed) == _epoch(changed.published_at), path


def test_atom_names_an_author_for_the_feed_and_each_buyer(client, make_buyer, make_opportunity):
    buyer = make_buyer(name="Municipalidad de Ilo")
    make_opportunity(title="Compra de cemento", buyer=buyer)
    make_opportunity(
        title="Compra de cemento sin entidad", buyer=None, published_at=NOW - timedelta(days=2)
    )

    feed = _feed(client, "/buscar.atom?q=cemento&sort=published")

    assert feed.feed.author == "Compras MYPE"
    assert [entry.get("author") for entry in feed.entries] == ["Municipalidad de Ilo", None]


def test_feed_of_cancelled_calls_shows_their_status(client, make_opportunity):
    make_opportunity(title="Compra de cemento", status=OpportunityStatus.CANCELLED)

    for path in FEEDS:
        [entry] = _feed(client, f"{path}?q=cemento&status=cancelled").entries

        assert any("Cancelada" in text for text in _paragraphs(entry.summary)), path
