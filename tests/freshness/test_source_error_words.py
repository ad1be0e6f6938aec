"""The last error of a failing source in plain words: what kind of trouble, never the address,
path or library message the run recorded. The reasons are the scrapers' own wording."""

import pytest

from portal.app import create_app
from portal.freshness.errors import plain_error
from scrapers.limits import MB, too_large

URL = "https://contratacionesabiertas.oece.gob.pe/api/v1/releasesAfter"


@pytest.fixture(scope="module")
def words_app(tmp_path_factory):
    """Wording needs only the translations: an app without a database to reset."""
    instance = tmp_path_factory.mktemp("instance")
    config = {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    return create_app(config, instance_path=str(instance))


@pytest.mark.parametrize(
    ("recorded", "said"),
    [
        (f"{URL}: HTTP 404", "la dirección de la fuente ya no existe (HTTP 404)"),
        (f"{URL}: HTTP 403", "el sitio de la fuente negó el acceso (HTTP 403)"),
        (f"{URL}: HTTP 429", "el sitio de la fuente pidió menos consultas (HTTP 429)"),
        (f"{URL}: HTTP 502 tras 3 intentos", "el sitio de la fuente tuvo una falla (HTTP 502)"),
        (f"{URL}: HTTP 418", "el sitio de la fuente respondió con un error (HTTP 418)"),
        (
            f"{URL}: tiempo de espera agotado (ReadTimeout) tras 3 intentos",
            "el sitio de la fuente no respondió a tiempo",
        ),
        (
            f"robots.txt no permite {URL}",
            "el sitio de la fuente no permite la recolección automática",
        ),
        (
            f"{URL}: {too_large(20 * MB)}",
            "la fuente envió un archivo más grande que el máximo admitido",
        ),
        (
            "enlace no permitido: file:///etc/passwd (solo se siguen direcciones http y https)",
            "la fuente llevó a una dirección que el portal no sigue por seguridad",
        ),
        (
            f"{URL}: 10.0.0.5 no es una dirección pública",
            "la fuente llevó a una dirección que el portal no sigue por seguridad",
        ),
        (
            f"{URL}: [Errno -2] Name or service not known tras 3 intentos",
            "no se pudo conectar con el sitio de la fuente",
        ),
        (
            "layout changed: no element matches the row selector 'tr.fila'",
            "la página de la fuente cambió de diseño y no se pudo leer",
        ),
        ("not an HTML page", "la fuente envió un contenido que no se pudo leer"),
        ("not valid JSON: lexical error", "la fuente envió un contenido que no se pudo leer"),
        ("la fuente no tiene URL", "la fuente no tiene una dirección configurada"),
        ("KeyError: 'tender'", "un error inesperado al recolectar la fuente"),
        (None, "un error inesperado al recolectar la fuente"),
    ],
)
def test_a_recorded_error_is_told_in_plain_words(words_app, recorded, said):
    with words_app.test_request_context():
        assert plain_error(recorded) == said
