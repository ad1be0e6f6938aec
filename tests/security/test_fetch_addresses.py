"""Which addresses the scraper may reach from a public source, and which links pass as web links:
each decided in one place (`scrapers.addresses`, `portal.web_urls`)."""

import ipaddress

import pytest

from portal.security.links import safe_href
from portal.web_urls import web_url
from scrapers.addresses import is_local_url, is_public

NOT_PUBLIC = [
    "127.0.0.1",  # loopback
    "127.1.2.3",
    "10.0.0.1",  # private
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # link-local: the cloud metadata service
    "100.64.0.1",  # carrier-grade NAT
    "100.127.255.254",
    "0.0.0.0",  # unspecified
    "0.1.2.3",  # "this network"
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "240.0.0.1",  # reserved
    "255.255.255.255",  # broadcast
    "192.0.2.10",  # documentation
    "198.18.0.1",  # benchmarking
    "::1",
    "::",
    "fe80::1",  # link-local
    "fc00::1",  # unique local
    "fd12:3456::1",
    "fec0::1",  # site-local (deprecated, still routed internally)
    "ff02::1",  # multicast
    "ff0e::1",  # global-scope multicast is still multicast
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::1",  # 6to4 around 127.0.0.1
    "2002:a00:1::1",  # 6to4 around 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 around 127.0.0.1
    "2001:db8::1",  # documentation
]
PUBLIC = ["8.8.8.8", "190.12.0.10", "200.48.225.130", "2606:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_internal_and_special_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_global_unicast_addresses_are_public(address):
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url, local",
    [
        ("http://127.0.0.1:8000/avisos", True),
        ("http://localhost:5000/", True),
        ("http://api.localhost/", True),
        ("http://[::1]/", True),
        ("http://10.1.2.3/avisos", True),
        ("https://contratacionesabiertas.oece.gob.pe/api/v1/releases", False),
        ("http://8.8.8.8/", False),
        ("http://localhost.example.pe/", False),  # a name is judged by its text, not its DNS
        ("file:///srv/datos/avisos.json", False),
    ],
)
def test_a_source_is_local_only_when_its_url_names_an_internal_address(url, local):
    assert is_local_url(url) is local


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>",
        "file:///etc/passwd",
        "ftp://compras.example.pe/x",
        "/aviso/5",
        "//compras.example.pe/aviso",
        "https:///sin-host",
        "http://[::1",
        "",
        None,
    ],
)
def test_web_url_refuses_anything_but_absolute_http(url):
    assert web_url(url) is None and safe_href(url) is None


def test_web_url_keeps_http_and_https_stripped():
    assert web_url("  https://compras.example.pe/aviso/5?x=1 ") == (
        "https://compras.example.pe/aviso/5?x=1"
    )
    assert web_url("HTTP://compras.example.pe") == "HTTP://compras.example.pe"
