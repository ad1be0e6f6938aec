"""Lists carry a snippet of each description, never the whole of it: a row with a long one (stored
before the cap, or at the cap times a page of 50) must not make every list heavy."""

import pytest

from portal.excerpts import excerpt

WORDS = [f"anexo{number}" for number in range(20_000)]
LONG = " ".join(WORDS)  # about 190,000 characters
TAIL = WORDS[-1]


@pytest.fixture
def long_notice(make_opportunity):
    return make_opportunity(title="Obra de riego en Pisco", description=LONG)


def test_the_api_list_carries_a_snippet(client, long_notice):
    [row] = client.get("/api/v1/opportunities").get_json()["data"]

    assert row["description"] == excerpt(LONG, 300)
    assert row["description"].endswith("…") and len(row["description"]) <= 300


def test_the_api_detail_carries_the_stored_description(client, long_notice):
    row = client.get(f"/api/v1/opportunities/{long_notice.id}").get_json()["data"]

    assert row["description"] == LONG


@pytest.mark.parametrize("path", ["/buscar?q=riego", "/buscar.rss?q=riego", "/buscar.atom?q=riego"])
def test_search_pages_and_feeds_carry_a_snippet(client, long_notice, path):
    response = client.get(path)

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "en Pisco" in text and "anexo0 anexo1" in text  # the title, highlighted in HTML
    assert TAIL not in text and len(text) < 20_000
