"""Security defaults every response and every page gets, whatever blueprint served it."""

from flask import Flask

from portal.security.external import force_configured_scheme, trust_configured_proxies
from portal.security.headers import add_security_headers
from portal.security.links import safe_href


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.add_template_filter(safe_href, "safe_href")
    trust_configured_proxies(app)
    force_configured_scheme(app)
