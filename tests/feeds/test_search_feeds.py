import json
from datetime import UTC, timedelta
from decimal import Decimal

import feedparser
from factories import NOW
from icalendar import Calendar


def test_rss_and_atom_carry_the_search_results(client, make_opportunity):
    first = make_opportunity(title="Adquisición de uniformes escolares")
    second = make_opportunity(title="Uniformes para serenazgo")
    make_opportunity(title="Mantenimiento de carreteras")

    for path, version in (("/buscar.rss", "rss20"), ("/buscar.atom", "atom10")):
        response = client.get(f"{path}?q=uniformes")
        assert response.status_code == 200
        feed = feedparser.parse(response.data)
        assert feed.version == version
        titles = {entry.title for entry in feed.entries}
        links = {entry.link for entry in feed.entries}
        assert titles == {first.title, second.title}
        assert links == {
            f"http://localhost/oportunidades/{first.id}",
            f"http://localhost/oportunidades/{second.id}",
        }


def test_feed_lists_plan_lines_with_a_link_to_the_plan(client, make_plan):
    plan = make_plan(lines=1)

    feed = feedparser.parse(client.get("/buscar.rss?q=planificada").data)

    [entry] = feed.entries
    assert entry.link.endswith(
        f"/planes/{plan.buyer_id}/{plan.fiscal_year}?linea={plan.lines[0].reference_number}#linea-{plan.lines[0].reference_number}"
    )
    assert "Pronóstico (plan anual)" in entry.description


def test_calendar_has_one_utc_event_per_deadline(client, make_opportunity):
    dated = make_opportunity(title="Pintura de colegio", deadline_at=NOW + timedelta(days=3))
    make_opportunity(title="Pintura sin plazo", deadline_at=None)

    response = client.get("/buscar.ics?q=pintura")

    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    start = events[0].decoded("dtstart")
    assert start.utcoffset() == timedelta(0) and start == dated.deadline_at.astimezone(UTC)
    assert str(events[0]["url"]).endswith(f"/oportunidades/{dated.id}")
    assert "DTSTART:" in response.get_data(as_text=True) and "Z\r\n" in response.get_data(
        as_text=True
    )


def test_single_opportunity_calendar_entry(client, make_opportunity):
    opportunity = make_opportunity()

    calendar = Calendar.from_ical(client.get(f"/oportunidades/{opportunity.id}.ics").data)

    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == opportunity.deadline_at
    assert client.get("/oportunidades/999999.ics").status_code == 404


def test_ocds_export_is_a_release_package_with_expected_ocids(client, make_buyer, make_opportunity):
    buyer = make_buyer(name="Municipalidad de Arequipa")
    stored = make_opportunity(
        title="Compra de cemento",
        ocid="ocds-dgv273-seacev3-1234",
        buyer=buyer,
        classifications=("30111601",),
        estimated_value=Decimal("1500.50"),
    )
    derived = make_opportunity(title="Compra de cemento portland")

    for path in ("/buscar.ocds.json", "/api/v1/opportunities.ocds.json"):
        package = json.loads(client.get(f"{path}?q=cemento").data)
        assert package["version"] == "1.1"
        assert package["publisher"]["name"] and package["license"] and package["publishedDate"]
        assert package["uri"].startswith("http://localhost/")
        releases = {release["ocid"]: release for release in package["releases"]}
        assert stored.ocid in releases and len(releases) == 2
        [derived_ocid] = set(releases) - {stored.ocid}
        assert derived_ocid.startswith("ocds-compras-mype-test-")
        assert releases[derived_ocid]["tender"]["id"] == derived.source_ref
        release = releases[stored.ocid]
        assert release["tag"] == ["tender"]
        assert release["buyer"]["name"] == "Municipalidad de Arequipa"
        tender = release["tender"]
        assert tender["title"] == "Compra de cemento"
        assert tender["status"] == "active"
        assert tender["value"] == {"amount": 1500.5, "currency": "PEN"}
        assert tender["tenderPeriod"]["endDate"].endswith("Z")
        assert tender["items"][0]["classification"] == {"scheme": "UNSPSC", "id": "30111601"}


def test_feeds_refuse_bad_parameters_with_400(client):
    for path in ("/buscar.rss", "/buscar.atom", "/buscar.ics", "/buscar.ocds.json"):
        assert client.get(f"{path}?sort=nonsense").status_code == 400
    response = client.get("/api/v1/opportunities.ocds.json?sort=nonsense")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "sort"


def test_control_characters_in_scraped_text_are_dropped_from_every_format(
    client, make_buyer, make_opportunity
):
    buyer = make_buyer(name="Municipalidad\x0b de Ilo")
    make_opportunity(title="Compra de\x01 cemento\x1f", description="Lote\x08 único", buyer=buyer)

    for path in ("/buscar.rss", "/buscar.atom"):
        response = client.get(f"{path}?q=cemento")
        assert response.status_code == 200, path
        feed = feedparser.parse(response.data)
        assert not feed.bozo, path
        assert [entry.title for entry in feed.entries] == ["Compra de cemento"]
    events = Calendar.from_ical(client.get("/buscar.ics?q=cemento").data).walk("VEVENT")
    assert str(events[0]["summary"]) == "Cierre: Compra de cemento"
    assert str(events[0]["description"]).startswith("Municipalidad de Ilo")
    [release] = json.loads(client.get("/buscar.ocds.json?q=cemento").data)["releases"]
    assert release["tender"]["title"] == "Compra de cemento"
    assert release["buyer"]["name"] == "Municipalidad de Ilo"


def test_a_control_character_in_the_query_is_refused_by_every_feed(client):
    for path in ("/buscar.rss", "/buscar.atom", "/buscar.ics", "/buscar.ocds.json"):
        assert client.get(f"{path}?q=%01").status_code == 400, path
