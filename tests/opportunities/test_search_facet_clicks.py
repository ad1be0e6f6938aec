"""Clicking a facet value selects it: the page it leads to shows what the value names."""

import re


def _page(client, query: str = "") -> str:
    response = client.get(f"/buscar?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _option_link(page: str, label: str) -> str:
    """The query string of the facet option with this label."""
    match = re.search(r'href="/buscar\?([^"]*)">' + re.escape(label) + "</a>", page)
    assert match, f"no facet option {label!r}"
    return match.group(1).replace("&amp;", "&")


def test_clicking_convocatoria_shows_only_calls(client, make_opportunity, make_plan):
    make_opportunity(title="Adquisición planificada de uniformes")
    make_plan(lines=3)  # plan lines described as "planificada"

    everything = _page(client, "q=planificada")
    calls = _page(client, _option_link(everything, "Convocatoria"))

    assert "kind=opportunity" in _option_link(everything, "Convocatoria")
    assert "1 resultado" in calls
    assert "de uniformes" in calls  # the title, its query word highlighted
    assert "Previsto para" not in calls  # no plan line


def test_clicking_the_chosen_kind_again_shows_every_kind(client, make_opportunity, make_plan):
    make_opportunity(title="Adquisición planificada de uniformes")
    make_plan(lines=3)

    calls = _page(client, "q=planificada&kind=opportunity")
    back = _page(client, _option_link(calls, "Convocatoria"))

    assert "kind=" not in _option_link(calls, "Convocatoria")
    assert "4 resultados" in back


def test_with_every_kind_shown_no_kind_is_marked_chosen(client, make_opportunity, make_plan):
    make_opportunity(title="Adquisición planificada de uniformes")
    make_plan(lines=3)

    page = _page(client, "q=planificada")

    facet = page.split('class="facet facet-kind"')[1].split("</section>")[0]
    assert "aria-current" not in facet and 'class="selected"' not in facet
