"""Links that came from a source, or from a visitor, checked before they reach a page."""

from urllib.parse import urlsplit

from portal.web_urls import web_url


def safe_href(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) address, else None: a feed's `javascript:` or
    `data:` link must never become a clickable href. The scrapers store only such links
    (the same `web_url`); this check stays for rows stored before they did."""
    return web_url(url)


def safe_next(target: str | None, fallback: str) -> str:
    """A `next` parameter kept only when it is a path on this site: never a scheme, a host, a
    protocol-relative `//host` or a backslash that browsers read as one."""
    if not target or any(ord(character) < 32 for character in target):
        return fallback
    if not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return fallback
    try:
        parts = urlsplit(target)
    except ValueError:
        return fallback
    if parts.scheme or parts.netloc:
        return fallback
    return target
