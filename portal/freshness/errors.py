"""A run's recorded error told in plain words, for the public /fuentes page.

Runs record the fetcher's or parser's own reason (an address, a status, a library's message)
for whoever runs the portal; the public page says what kind of trouble it is, without the
addresses or file paths a message may hold.
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b")

# (words found in the recorded reason, lower case; what to say), first match wins.
KINDS = (
    (
        ("tiempo de espera", "timeout", "timed out"),
        _l("el sitio de la fuente no respondió a tiempo"),
    ),
    (("robots.txt",), _l("el sitio de la fuente no permite la recolección automática")),
    (
        ("demasiado grande", "supera el máximo", "too large"),
        _l("la fuente envió un archivo más grande que el máximo admitido"),
    ),
    (
        ("redirecci", "enlace no permitido", "dirección pública", "carpetas permitidas"),
        _l("la fuente llevó a una dirección que el portal no sigue por seguridad"),
    ),
    (("no such file", "not a directory"), _l("no se encontró el archivo de la fuente")),
    (
        ("connect", "conexión", "errno", "name or service", "sin direcciones", "network"),
        _l("no se pudo conectar con el sitio de la fuente"),
    ),
    (("layout changed",), _l("la página de la fuente cambió de diseño y no se pudo leer")),
    (("no tiene url",), _l("la fuente no tiene una dirección configurada")),
    (
        ("not a", "not valid", "malformed", "empty", "no json", "no es ", "ilegible", "vacío"),
        _l("la fuente envió un contenido que no se pudo leer"),
    ),
)


def plain_error(error: str | None) -> str:
    status = HTTP_STATUS.search(error or "")
    if status:
        return http_error(int(status.group(1)))
    text = (error or "").casefold()
    for words, said in KINDS:
        if any(word in text for word in words):
            return str(said)
    return _("un error inesperado al recolectar la fuente")


def http_error(status: int) -> str:
    if status in (404, 410):
        return _("la dirección de la fuente ya no existe (HTTP %(status)d)", status=status)
    if status in (401, 403):
        return _("el sitio de la fuente negó el acceso (HTTP %(status)d)", status=status)
    if status == 429:
        return _("el sitio de la fuente pidió menos consultas (HTTP %(status)d)", status=status)
    if status >= 500:
        return _("el sitio de la fuente tuvo una falla (HTTP %(status)d)", status=status)
    return _("el sitio de la fuente respondió con un error (HTTP %(status)d)", status=status)
