"""The one definition of a link the portal will follow or show: an absolute http(s) address.

Plain and import-free beyond the standard library, so parsers in a child process, the fetcher
and the templates' `safe_href` all use it without loading Flask.
"""

from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")


def web_url(url: str | None) -> str | None:
    """The URL, stripped, if it is an absolute http(s) address with a host, else None:
    `javascript:`, `data:`, `file:`, `ftp:` and relative fragments never pass."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not hostname:
        return None
    return url
