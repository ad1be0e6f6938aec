"""`safe_href` lets only absolute http(s) addresses become links; `safe_next` keeps a `next`
only when it is a path on this site."""

import pytest

from portal.security.links import safe_href, safe_next

FALLBACK = "/cuenta"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.gob.pe/seace",
        "http://compras.example.pe/aviso/1?x=1&y=2#z",
        "HTTPS://Compras.Example.PE/aviso",
        "https://compras.example.pe:8443/aviso",
    ],
)
def test_web_addresses_stay_links(url):
    assert safe_href(url) == url


def test_surrounding_whitespace_is_trimmed_from_a_web_address():
    assert (
        safe_href("  https://compras.example.pe/aviso/1\n") == "https://compras.example.pe/aviso/1"
    )


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\njavascript:alert(1)",
        "\x01javascript:alert(1)",
        "\x00javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "javascript://compras.example.pe/%0Aalert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "mailto:compras@example.pe",
        "ftp://compras.example.pe/bases.pdf",
        "/oportunidades/1",
        "oportunidades/1",
        "//evil.example/x",
        "/\\evil.example/x",
        "https://",
        "https:///solo-ruta",
        "https:javascript:alert(1)",
        "http://[::1",
        "",
        "   ",
        None,
    ],
)
def test_anything_else_is_never_a_link(url):
    assert safe_href(url) is None


@pytest.mark.parametrize(
    "target",
    ["/", "/cuenta", "/buscar?q=agua&region=15", "/cuenta/alertas/#nueva", "/oportunidades/7"],
)
def test_a_path_on_this_site_is_kept(target):
    assert safe_next(target, FALLBACK) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "cuenta",
        "https://evil.example/",
        "http://evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "/cuenta\\..\\..\\evil",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,hola",
        "mailto:a@b.pe",
        " /cuenta/",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/\x00",
        "\x01//evil.example",
    ],
)
def test_anything_that_could_leave_the_site_falls_back(target):
    assert safe_next(target, FALLBACK) == FALLBACK
