"""An OCDS export of a search with no hits: OCDS 1.1.5's release package schema requires at
least one release (`releases.minItems: 1`), so instead of an invalid empty package the export
answers 404 with the API's JSON error; with hits it stays a valid package."""

import pytest
from test_ocds_export_fidelity import OCDS_PATHS, RELEASE_PACKAGE, VALIDATOR


def test_the_restated_schema_refuses_an_empty_package_as_ocds_1_1_5_does():
    assert RELEASE_PACKAGE["properties"]["releases"]["minItems"] == 1
    empty = {
        "uri": "https://comprasmype.pe/buscar.ocds.json?q=nada",
        "version": "1.1",
        "publishedDate": "2026-03-01T00:00:00Z",
        "publisher": {"name": "Compras MYPE"},
        "releases": [],
    }
    assert [error.validator for error in VALIDATOR.iter_errors(empty)] == ["minItems"]


@pytest.mark.parametrize("path", OCDS_PATHS)
def test_a_search_without_hits_is_a_json_404_not_an_invalid_package(client, make_opportunity, path):
    make_opportunity(title="Compra de cemento")

    response = client.get(f"{path}?q=helicópteros")

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["field"] is None
    assert "al menos una entrega" in error["message"]


@pytest.mark.parametrize("path", OCDS_PATHS)
def test_a_search_with_hits_is_still_a_valid_package(client, make_opportunity, path):
    make_opportunity(title="Compra de cemento")

    response = client.get(f"{path}?q=cemento")

    assert response.status_code == 200
    assert list(VALIDATOR.iter_errors(response.get_json())) == []


def test_the_openapi_document_states_the_404_and_the_minimum(client):
    document = client.get("/api/v1/openapi.json").get_json()
    export = document["paths"]["/api/v1/opportunities.ocds.json"]["get"]["responses"]

    assert set(export) >= {"200", "400", "404"}
    package = export["200"]["content"]["application/json"]["schema"]
    assert package["properties"]["releases"]["minItems"] == 1
