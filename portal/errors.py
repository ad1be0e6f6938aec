"""Error pages in the site's layout and language, for every path outside the API.

A visitor who mistypes an address or meets a failure should stay on the portal, in Spanish
(or English), with a way on: the search and the home page. The API answers errors in JSON
(`portal.api.views.http_error`) and hands every other path to `error_page`.
"""

from flask import render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

TITLES = {
    400: _l("Solicitud no válida"),
    403: _l("No tienes acceso a esta página"),
    404: _l("No encontramos esta página"),
    405: _l("Esta página no acepta esa acción"),
    413: _l("El archivo es demasiado grande"),
    429: _l("Demasiadas solicitudes"),
    500: _l("Algo salió mal de nuestro lado"),
}
EXPLANATIONS = {
    400: _l(
        "La dirección o el formulario traen datos que no podemos leer. Revísalos e "
        "inténtalo de nuevo."
    ),
    403: _l("Tu cuenta no tiene permiso para ver esto. Si crees que es un error, escríbenos."),
    404: _l(
        "La dirección puede estar mal escrita, o la convocatoria ya no está publicada. "
        "Prueba a buscarla."
    ),
    405: _l("Vuelve a la página anterior y usa sus botones y formularios."),
    413: _l("Sube un archivo más pequeño."),
    429: _l("Espera un momento y vuelve a intentarlo."),
    500: _l(
        "No pudimos completar tu solicitud. Ya quedó registrado; inténtalo de nuevo en "
        "unos minutos."
    ),
}


def error_page(error: HTTPException):
    """The error's page with its status code, and the headers it must carry (405's Allow)."""
    code = error.code or 500
    title = TITLES.get(code) or _l("No pudimos atender tu solicitud")
    explanation = EXPLANATIONS.get(code) or _l("Vuelve a la página de inicio o busca de nuevo.")
    if error.description and error.description != type(error).description:
        explanation = error.description  # the portal's own reason: abort(400, description=...)
    response = error.get_response()
    response.set_data(
        render_template("errors/page.html", code=code, title=title, explanation=explanation)
    )
    response.mimetype = "text/html"
    return response
