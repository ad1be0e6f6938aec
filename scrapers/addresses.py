"""Which network addresses a fetch may reach, checked on the address each connection really uses.

Links in fetched pages and redirects come from publishers: they must not turn the scraper into a
reader of the host's own services (loopback, the cloud metadata address, private networks). The
check sits in the connection: the host name is resolved once, every address it gives is checked,
and the socket opens to that checked address, so a name that answers otherwise a moment later
(DNS rebinding) reaches nothing unchecked. TLS still verifies the certificate against the name.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """A host led to an address this fetch may not reach; the message says which."""


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast only: not loopback, private, link-local, CGNAT (100.64/10),
    reserved, multicast or unspecified. An IPv4 address carried in IPv6 (mapped, 6to4) is
    judged as itself, so ::ffff:127.0.0.1 is loopback."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public(embedded)
        if address.is_site_local:
            return False
    return address.is_global and not (address.is_multicast or address.is_reserved)


def is_local_url(url: str) -> bool:
    """Whether a source's own URL names a non-public address itself (tests, local development):
    an IP literal or localhost. Judged by what the URL says, never by what its name resolves to,
    so a publisher's DNS cannot turn a public source into one allowed to reach internal hosts."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not is_public(ipaddress.ip_address(host))
    except ValueError:
        return False


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the name has, in the resolver's order, each once."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:  # socket.gaierror: no such name, resolver down
        raise httpcore.ConnectError(f"{host}: {error}") from error
    addresses = (ipaddress.ip_address(info[4][0].split("%")[0]) for info in found)
    return list(dict.fromkeys(addresses))


def public_addresses(host: str, port: int) -> list[IPAddress]:
    """The host's addresses, all of them public, or AddressRefused: one internal answer among
    public ones is refused too, as the connection might pick it."""
    addresses = resolve(host, port)
    for address in addresses:
        if not is_public(address):
            shown = host if host == str(address) else f"{host} ({address})"
            raise AddressRefused(f"{shown} no es una dirección pública")
    return addresses


class _PublicOnlyBackend(httpcore.SyncBackend):
    """httpcore's own sockets, opened only to the checked addresses of the name."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        failure: Exception | None = None
        for address in public_addresses(host, port):
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error  # the next address may answer, as create_connection does
        raise failure or httpcore.ConnectError(f"{host}: sin direcciones")


def transport(internal_allowed: bool) -> httpx.HTTPTransport:
    """An httpx transport that reaches only public addresses unless internal ones are allowed.

    httpx takes no network backend, so the pool it built is replaced by one with ours (httpx's
    default limits); tests check that a refused address never sees a connection. Proxies from
    the environment are not used: through a proxy the address checked would be the proxy's.
    """
    plain = httpx.HTTPTransport()
    if internal_allowed:
        return plain
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
    plain._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_PublicOnlyBackend(),
    )
    return plain
