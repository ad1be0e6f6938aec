"""The flag and the minimum where people read about a call: its page, search results (with a
filter and a facet) and the lists on the home page."""

from lxml import html

SHORT = {
    "procedure_type_code": "AS",
    "minimum_days": 8,
    "minimum_day_kind": "business",
    "minimum_basis": "legal",
    "given_days": 5,
    "short_deadline": True,
}
ENOUGH = SHORT | {"procedure_type_code": "LP", "minimum_days": 22, "given_days": 25}
ENOUGH = ENOUGH | {"short_deadline": False}


def text_of(page: str, selector: str) -> list[str]:
    return [
        " ".join(node.text_content().split()) for node in html.fromstring(page).cssselect(selector)
    ]


def facts(page: str) -> dict[str, str]:
    tree = html.fromstring(page)
    terms = tree.cssselect(".opportunity-detail > dl.facts > dt")
    return {
        " ".join(dt.text_content().split()): " ".join(dt.getnext().text_content().split())
        for dt in terms
    }


def test_a_short_call_says_so_in_words_with_its_minimum(client, make_opportunity):
    opportunity = make_opportunity(**SHORT)

    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)

    [warning] = text_of(page, "p.warning.short-deadline")
    assert warning == (
        "⚠ Plazo corto. Plazo legal mínimo: 8 días hábiles; esta convocatoria da 5. Esta "
        "convocatoria da menos días que el mínimo que exige la ley para preparar una oferta."
    )
    assert facts(page)["Plazo legal mínimo"] == "8 días hábiles; esta convocatoria da 5"


def test_a_call_giving_enough_time_shows_its_minimum_without_a_warning(client, make_opportunity):
    opportunity = make_opportunity(**ENOUGH)

    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)

    assert text_of(page, ".short-deadline") == []
    assert facts(page)["Plazo legal mínimo"] == "22 días hábiles; esta convocatoria da 25"


def test_the_portals_floor_and_calendar_days_are_named_as_such(client, make_opportunity):
    floored = make_opportunity(**SHORT | {"procedure_type_code": None, "minimum_basis": "admin"})
    calendar = make_opportunity(**ENOUGH | {"minimum_day_kind": "calendar", "given_days": None})
    page = client.get(f"/oportunidades/{floored.id}").get_data(as_text=True)

    label = "Plazo mínimo del portal (procedimiento sin plazo legal)"
    assert facts(page)[label] == "8 días hábiles; esta convocatoria da 5"
    assert "el mínimo que el portal considera necesario" in text_of(page, ".short-deadline")[0]
    page = client.get(f"/oportunidades/{calendar.id}").get_data(as_text=True)
    assert facts(page)["Plazo legal mínimo"] == "22 días calendario"


def test_a_call_without_a_minimum_says_nothing_about_one(client, make_opportunity):
    opportunity = make_opportunity(procedure_type_code="CD")

    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)

    assert not any("mínimo" in term for term in facts(page))
    assert text_of(page, ".short-deadline") == []


def test_search_results_mark_short_calls_and_filter_and_count_them(client, make_opportunity):
    short = make_opportunity(title="Uniformes escolares, lote 1", **SHORT)
    make_opportunity(title="Uniformes escolares, lote 2", **SHORT | {"given_days": 3})
    make_opportunity(title="Uniformes escolares, lote 3", **ENOUGH)
    make_opportunity(title="Uniformes escolares, lote 4")  # no minimum known

    page = client.get("/buscar?q=uniformes&sort=published").get_data(as_text=True)

    assert sorted(text_of(page, ".search-results .short-deadline-badge")) == [
        "⚠ Plazo corto: 3 de 8 días hábiles",
        "⚠ Plazo corto: 5 de 8 días hábiles",
    ]
    assert text_of(page, ".facet-deadline_check h2") == ["Plazo para preparar la oferta"]
    assert text_of(page, ".facet-deadline_check li") == [
        "Plazo corto (menor al mínimo) (2)",
        "Plazo igual o mayor al mínimo (1)",
    ]
    [link] = html.fromstring(page).cssselect(".facet-deadline_check li a")[:1]
    assert "deadline_check=short" in link.get("href")

    filtered = client.get("/buscar?q=uniformes&deadline_check=short").get_data(as_text=True)

    assert text_of(filtered, "#results-heading") == ["2 resultados"]
    assert f'href="/oportunidades/{short.id}"' in filtered and "lote 3" not in filtered
    assert 'option value="short" selected' in filtered
    assert 'href="/buscar.csv?q=uniformes&amp;deadline_check=short"' in filtered  # exports
    enough = client.get("/buscar?q=uniformes&deadline_check=enough").get_data(as_text=True)
    assert text_of(enough, ".search-results .title") == ["Uniformes escolares, lote 3"]


def test_lists_of_calls_show_the_badge(client, make_opportunity):
    make_opportunity(title="Carpetas escolares", **SHORT)

    page = client.get("/").get_data(as_text=True)

    assert "⚠ Plazo corto: 5 de 8 días hábiles" in text_of(page, ".opportunity-list .meta")[0]


def test_an_unknown_deadline_check_is_refused(client):
    response = client.get("/buscar?deadline_check=tight")

    assert response.status_code == 400
    assert "deadline_check" in response.get_data(as_text=True)
