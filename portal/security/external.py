"""What a request says about where it came from: the visitor's address through the trusted
proxies only, and with PORTAL_BASE_URL the scheme of every external link, so https links come
out even behind a proxy that speaks http to gunicorn."""

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_configured_proxies(app: Flask) -> None:
    """X-Forwarded-For is believed for exactly PORTAL_TRUSTED_PROXIES hops: more would let a
    visitor forge the address that throttling counts, fewer would count the proxy instead."""
    hops = app.config.get("PORTAL_TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)


def force_configured_scheme(app: Flask) -> None:
    base = app.config.get("PORTAL_BASE_URL")
    if not app.config.get("SERVER_NAME") or not base:
        return
    scheme = urlsplit(base).scheme
    inner = app.wsgi_app

    def with_scheme(environ, start_response):
        environ["wsgi.url_scheme"] = scheme
        return inner(environ, start_response)

    app.wsgi_app = with_scheme
