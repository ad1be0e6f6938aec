"""Errors outside the API get the site's page, in the visitor's language, with a way on."""

import pytest
from werkzeug.exceptions import BadRequest


def test_an_unknown_address_gets_the_site_page_in_spanish(client):
    response = client.get("/no-existe/de-verdad")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "No encontramos esta página" in page
    assert 'class="site-header"' in page  # the layout, with its navigation
    assert 'name="q"' in page  # a search box to go on
    assert "Not Found" not in page


def test_the_error_page_speaks_english_when_asked(client):
    response = client.get("/no-existe?lang=en")

    assert response.status_code == 404
    assert 'lang="en"' in response.get_data(as_text=True)
    assert "No encontramos esta página" not in response.get_data(as_text=True)


def test_a_wrong_method_keeps_its_allow_header(client):
    response = client.post("/buscar")

    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Esta página no acepta esa acción" in response.get_data(as_text=True)


@pytest.fixture
def failing_app(app):
    """Routes that fail, added before the app serves its first request."""

    @app.get("/prueba-falla")
    def fails():
        raise RuntimeError("boom")

    @app.get("/prueba-solicitud-mala")
    def bad_request():
        raise BadRequest()

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the handler answers
    return app


def test_a_failure_gets_the_site_page_without_its_details(failing_app):
    response = failing_app.test_client().get("/prueba-falla")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Algo salió mal de nuestro lado" in page
    assert "boom" not in page and "Traceback" not in page


def test_a_bad_request_gets_the_site_page(failing_app):
    response = failing_app.test_client().get("/prueba-solicitud-mala")

    assert response.status_code == 400
    assert "Solicitud no válida" in response.get_data(as_text=True)


def test_the_api_still_answers_errors_in_json(client):
    response = client.get("/api/v1/no-existe")

    assert response.status_code == 404
    assert response.json["error"]["message"] == "recurso no encontrado"
