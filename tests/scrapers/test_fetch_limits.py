"""Body caps, enforced while the body streams: with or without Content-Length, and on what a
compressed body becomes, never on what the server says it is."""

import gzip
import tracemalloc
import zlib

import pytest

from scrapers.fetch import FetchError
from scrapers.limits import MAX_PAGE_BYTES, MB

GZIP = (("Content-Encoding", "gzip"),)


def test_a_body_declared_past_the_cap_is_refused(http_server, fetcher):
    url = http_server.route("/avisos", http_server.Reply(body=b"x" * (2 * MB)))

    with pytest.raises(FetchError, match="respuesta demasiado grande: más de 1 MB"):
        fetcher.fetch(url, max_bytes=1 * MB)


def test_a_body_without_content_length_is_stopped_at_the_page_cap(http_server, fetcher):
    body = b"<rss>" + b"x" * MAX_PAGE_BYTES
    url = http_server.route("/avisos", http_server.Reply(body=body, send_length=False))

    with pytest.raises(FetchError, match="respuesta demasiado grande: más de 20 MB"):
        fetcher.fetch(url)


def test_a_body_at_the_cap_is_read_whole(http_server, fetcher):
    body = b"y" * MB
    url = http_server.route("/avisos", http_server.Reply(body=body, send_length=False))

    with fetcher.fetch(url, max_bytes=MB).body as read:
        assert read.read() == body


def test_a_compression_bomb_is_stopped_without_expanding_in_memory(http_server, fetcher):
    """45 KB of gzip that would be 45 MB: the cap counts what it inflates to, piece by piece."""
    bomb = gzip.compress(b"\0" * (45 * MB))
    url = http_server.route("/avisos", http_server.Reply(body=bomb, headers=GZIP))

    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="más de 20 MB"):
            fetcher.fetch(url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert len(bomb) < 100_000
    assert peak < 4 * MB  # httpx's own decoder held the whole 45 MB at once


def test_a_compressed_body_under_the_cap_is_decompressed(http_server, fetcher):
    feed = b"<rss><channel><title>Avisos</title></channel></rss>" * 1000
    url = http_server.route("/avisos", http_server.Reply(body=gzip.compress(feed), headers=GZIP))

    with fetcher.fetch(url).body as body:
        assert body.read() == feed
    assert http_server.seen("/avisos")[0].headers["Accept-Encoding"] == "gzip"


def test_a_zlib_deflate_body_is_decompressed(http_server, fetcher):
    page = b"<html>convocatorias</html>" * 100
    deflate = (("Content-Encoding", "deflate"),)
    url = http_server.route("/avisos", http_server.Reply(body=zlib.compress(page), headers=deflate))

    with fetcher.fetch(url).body as body:
        assert body.read() == page


@pytest.mark.parametrize(
    "encoding, body, message",
    [
        ("br", b"\x1b\x00", "codificación de contenido no admitida: br"),
        ("gzip", b"\x1f\x8b\x08\x00roto" * 10, "respuesta comprimida ilegible"),
    ],
)
def test_an_undecodable_body_is_refused_with_a_reason(
    http_server, fetcher, encoding, body, message
):
    headers = (("Content-Encoding", encoding),)
    url = http_server.route("/avisos", http_server.Reply(body=body, headers=headers))

    with pytest.raises(FetchError, match=message):
        fetcher.fetch(url)
    assert len(http_server.seen("/avisos")) == 1  # not retried: the same bytes would come back


def test_a_local_file_past_the_cap_is_refused_without_reading_it(fetcher, tmp_path):
    path = tmp_path / "avisos.atom"
    with open(path, "wb") as file:
        file.truncate(MAX_PAGE_BYTES + 1)  # sparse: nothing is written, nothing need be read

    with pytest.raises(FetchError, match="respuesta demasiado grande: más de 20 MB"):
        fetcher.fetch(path.as_uri())
