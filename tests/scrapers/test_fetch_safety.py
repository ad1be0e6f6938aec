"""What a fetch may reach: redirects and links keep to http(s) and public addresses (internal ones
only for a source that is itself on one), checked on the address the connection really uses.

The servers are real, on loopback. Where a source must look public, `public_names` resolves its
name to 127.0.0.1 and lets 127.0.0.1 stand in for the public internet; 127.0.0.2 stays loopback,
the internal host a hostile redirect aims at.
"""

import ipaddress
import re
import socket
from dataclasses import replace

import pytest

from scrapers import addresses
from scrapers.fetch import Fetcher, FetchError, HostRegistry

PUBLIC_STAND_IN = ipaddress.ip_address("127.0.0.1")
SECRET = b"clave interna del servidor"


@pytest.fixture
def internal(start_http_server):
    """A service on 127.0.0.2 that no public source may reach."""
    server = start_http_server("127.0.0.2")
    server.route("/secreto", server.Reply(body=SECRET))
    return server


@pytest.fixture
def public_names(monkeypatch):
    """Names resolved as the test says; 127.0.0.1 counts as a public address."""
    names: dict[str, list[str]] = {}
    real_resolve, real_is_public = addresses.resolve, addresses.is_public

    def resolve(host, port):
        if host in names:
            return [ipaddress.ip_address(address) for address in names[host]]
        return real_resolve(host, port)

    monkeypatch.setattr(addresses, "resolve", resolve)
    monkeypatch.setattr(addresses, "is_public", lambda a: a == PUBLIC_STAND_IN or real_is_public(a))
    return names


@pytest.fixture
def public_source(http_server, public_names):
    """The local server under the name of a publisher: datos.example.pe."""
    public_names["datos.example.pe"] = ["127.0.0.1"]
    return http_server.base_url.replace("127.0.0.1", "datos.example.pe")


def redirect(to: str) -> dict:
    return {"status": 302, "headers": (("Location", to),)}


def test_redirect_from_a_public_source_to_a_loopback_port_is_refused(
    http_server, fetcher, public_source, internal
):
    http_server.route("/avisos", http_server.Reply(**redirect(internal.base_url + "/secreto")))

    with pytest.raises(FetchError, match="127.0.0.2 no es una dirección pública"):
        fetcher.fetch(public_source + "/avisos")

    assert internal.seen("/secreto") == []


@pytest.mark.parametrize(
    "name, address",
    [
        ("interno.example.pe", "10.20.30.40"),  # private network
        ("metadatos.example.pe", "169.254.169.254"),  # link-local: the cloud metadata service
        ("cgnat.example.pe", "100.64.0.7"),  # carrier-grade NAT
        ("mapeado.example.pe", "::ffff:127.0.0.2"),  # loopback written as IPv6
        ("nada.example.pe", "0.0.0.0"),
    ],
)
def test_redirect_to_a_name_on_an_internal_address_is_refused_before_connecting(
    http_server, fetcher, public_source, public_names, name, address
):
    public_names[name] = [address]
    target = f"http://{name}:9/secreto"
    http_server.route("/avisos", http_server.Reply(**redirect(target)))

    with pytest.raises(FetchError, match=f"{re.escape(name)} .+ no es una dirección pública"):
        fetcher.fetch(public_source + "/avisos")


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/", "http://[::1]:9/"])
def test_redirect_to_an_internal_address_literal_is_refused(
    http_server, fetcher, public_source, target
):
    http_server.route("/avisos", http_server.Reply(**redirect(target)))

    with pytest.raises(FetchError, match="no es una dirección pública"):
        fetcher.fetch(public_source + "/avisos")


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://datos.example.pe/a", "gopher://x/", "data:,hola"]
)
def test_redirect_to_anything_but_http_is_refused(http_server, fetcher, public_source, target):
    http_server.route("/avisos", http_server.Reply(**redirect(target)))

    with pytest.raises(FetchError, match="solo se siguen direcciones http y https"):
        fetcher.fetch(public_source + "/avisos")


def test_every_hop_of_a_redirect_chain_is_checked(
    http_server, fetcher, public_source, public_names, internal
):
    public_names["espejo.example.pe"] = ["127.0.0.1"]
    mirror = http_server.base_url.replace("127.0.0.1", "espejo.example.pe")
    http_server.route("/avisos", http_server.Reply(**redirect(mirror + "/paso")))
    http_server.route("/paso", http_server.Reply(**redirect(internal.base_url + "/secreto")))

    with pytest.raises(FetchError, match="no es una dirección pública"):
        fetcher.fetch(public_source + "/avisos")

    assert len(http_server.seen("/paso")) == 1 and internal.seen("/secreto") == []


def test_redirects_between_public_addresses_are_followed(http_server, fetcher, public_source):
    http_server.route("/viejo", http_server.Reply(status=301, headers=(("Location", "/nuevo"),)))
    http_server.route("/nuevo", http_server.Reply(body=b"<rss/>"))

    result = fetcher.fetch(public_source + "/viejo")

    with result.body as body:
        assert body.read() == b"<rss/>"
    assert result.url == public_source + "/nuevo"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_source_on_a_loopback_address_may_reach_internal_hosts(
    http_server, fetcher, internal, host
):
    """Tests and local development: the source itself is internal, so are its links."""
    http_server.route("/avisos", http_server.Reply(**redirect(internal.base_url + "/secreto")))
    source_url = http_server.base_url.replace("127.0.0.1", host) + "/avisos"

    with fetcher.fetch(source_url).body as body:
        assert body.read() == SECRET


def test_a_link_found_in_a_public_source_may_not_reach_an_internal_host(
    fetcher, public_source, internal
):
    with pytest.raises(FetchError, match="no es una dirección pública"):
        fetcher.fetch(internal.base_url + "/secreto", source_url=public_source + "/avisos")

    assert internal.seen("/secreto") == []


@pytest.mark.parametrize(
    "link", ["file:///etc/passwd", "/etc/passwd", "javascript:alert(1)", "ftp://x/y"]
)
def test_a_link_found_in_content_must_be_http(http_server, fetcher, link):
    """Even from a local source: only the source's own URL may be a file."""
    source_url = http_server.route("/avisos", http_server.Reply(body=b"<rss/>"))

    with pytest.raises(FetchError, match="enlace no permitido"):
        fetcher.fetch(link, source_url=source_url)


def test_dns_rebinding_reaches_only_the_address_that_was_checked(
    monkeypatch, http_server, start_http_server, fetch_settings, public_names
):
    """The name answers public first, internal next: the connection uses the checked answer,
    and the next connection checks its own, so the internal server never sees a request."""
    port = int(http_server.base_url.rsplit(":", 1)[1])
    internal = start_http_server("127.0.0.2", port)  # same port: only the address differs
    http_server.route("/avisos", http_server.Reply(body=b"publico"))
    internal.route("/avisos", internal.Reply(body=SECRET))
    answers = iter(["127.0.0.1", "127.0.0.2", "127.0.0.2", "127.0.0.2"])
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "cambiante.example.pe":
            host = next(answers)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://cambiante.example.pe:{port}/avisos"
    settings = replace(fetch_settings, respect_robots=False, attempts=1)

    with Fetcher(settings, HostRegistry()) as fetcher:
        with fetcher.fetch(url).body as body:
            assert body.read() == b"publico"
        with pytest.raises(FetchError, match=r"\(127.0.0.2\) no es una dirección pública"):
            fetcher.fetch(url)

    assert internal.seen("/avisos") == []


def test_a_name_with_one_internal_address_among_public_ones_is_refused(
    http_server, fetcher, public_names
):
    public_names["mixto.example.pe"] = ["127.0.0.1", "10.0.0.5"]
    http_server.route("/avisos", http_server.Reply(body=b"<rss/>"))
    url = http_server.base_url.replace("127.0.0.1", "mixto.example.pe") + "/avisos"

    with pytest.raises(FetchError, match=r"\(10.0.0.5\) no es una dirección pública"):
        fetcher.fetch(url)

    assert http_server.seen("/avisos") == []


def test_robots_txt_of_a_public_source_may_not_redirect_to_an_internal_host(
    http_server, fetcher, public_source, internal
):
    internal.route("/robots.txt", internal.Reply(body=b"User-agent: *\nAllow: /\n"))
    http_server.route(
        "/robots.txt", http_server.Reply(**redirect(internal.base_url + "/robots.txt"))
    )
    http_server.route("/avisos", http_server.Reply(body=b"<rss/>"))

    with pytest.raises(FetchError, match="no es una dirección pública"):
        fetcher.fetch(public_source + "/avisos")

    assert internal.seen("/robots.txt") == []
