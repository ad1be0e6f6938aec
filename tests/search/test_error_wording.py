"""A search the portal cannot read is refused in words a shop owner follows: the field as the
form labels it (never `value_min`), and a message that goes through the translation layer."""

from datetime import date
from urllib.parse import parse_qsl

import pytest
from flask_babel import LazyString
from lxml import html
from werkzeug.datastructures import MultiDict

from portal.opportunities.search_request import search_params_from
from portal.plans.params import parse_page, parse_year
from portal.search.params import InvalidSearchParams
from portal.statistics.filters import parse_breakdown, parse_filters

BAD_SEARCHES = [
    ("value_min=abc", "Valor desde (S/)"),
    ("value_min=90,000&value_max=5,000", "Valor hasta (S/)"),
    ("closing_within=mañana", "Cierran en los próximos"),
    ("published_within=99999", "Publicadas en los últimos"),
    ("sort=precio", "Ordenar por"),
    ("status=abierta", "Estado"),
    ("sector=53", "Sector"),
    ("size=grande", "Adecuadas para"),
    ("q=a&q=b", "Palabras"),
    ("q=" + "x" * 501, "Palabras"),
    ("buyer=cero", "Entidad"),
    ("page=0", "Página"),
]


def _parse(query: str) -> InvalidSearchParams:
    with pytest.raises(InvalidSearchParams) as refused:
        search_params_from(MultiDict(parse_qsl(query, keep_blank_values=True)))
    return refused.value


@pytest.mark.parametrize(("query", "label"), BAD_SEARCHES)
def test_every_refusal_is_translatable_and_names_the_form_label(app, query, label):
    error = _parse(query)

    assert isinstance(error.message, LazyString)
    assert error.label == label
    assert str(error).startswith(f"«{label}» ")
    assert error.field not in str(error)


@pytest.mark.parametrize(("query", "label"), BAD_SEARCHES[:5])
def test_the_search_page_names_the_label_and_never_the_parameter(client, query, label):
    response = client.get(f"/buscar?{query}")

    assert response.status_code == 400
    [alert] = html.fromstring(response.text).cssselect("p.error[role=alert]")
    text = alert.text_content()
    assert f"«{label}»" in text
    assert not any(raw in text for raw in ("value_min", "value_max", "closing_within", "sort="))


def test_a_feed_names_the_label_on_its_error_page(client):
    response = client.get("/buscar.rss?closing_within=mañana")

    assert response.status_code == 400
    assert "«Cierran en los próximos» debe ser un número entero" in response.text
    assert (
        "closing_within" not in html.fromstring(response.text).cssselect("main")[0].text_content()
    )


def test_the_api_names_the_parameter_and_says_what_is_wrong_in_words(client):
    response = client.get("/api/v1/opportunities?value_min=abc")

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "value_min"
    assert error["message"].startswith("debe ser un monto en soles")


@pytest.mark.parametrize(
    ("parse", "label"),
    [
        (lambda: parse_year("dos mil"), "Año"),
        (lambda: parse_page("cero"), "Página"),
        (lambda: parse_filters({"desde": "ayer"}, date(2026, 3, 1)), "Desde"),
        (lambda: parse_breakdown({"por": "color"}, ("region",)), "Desglosar por"),
    ],
)
def test_plan_and_statistics_filters_are_named_as_their_pages_label_them(app, parse, label):
    with pytest.raises(InvalidSearchParams) as refused:
        parse()

    assert isinstance(refused.value.message, LazyString)
    assert str(refused.value).startswith(f"«{label}» ")


def test_plan_pages_say_which_field_they_could_not_read(client):
    response = client.get("/planes/?year=dos-mil")

    assert response.status_code == 400
    assert "«Año» debe ser un año entre 1990 y 2100" in response.text
