"""Whole runs against hostile sources: a "next page" that is a local file or an internal host, and
pages past their cap. The run fails saying why, what earlier pages stored stands, and nothing of
the refused page is kept, not even its raw payload."""

import ipaddress
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.opportunities.models import Opportunity
from scrapers import addresses
from scrapers.fetch import Fetcher, HostRegistry, settings_from_config
from scrapers.limits import MAX_PAGE_BYTES, MB
from scrapers.models import RawPayload, RunStatus, SourceKind
from scrapers.pipeline import run_source
from scrapers.plan_table import MAX_FILE_BYTES
from scrapers.raw import open_payload

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SECRET = "clave-del-servidor-0451"
LISTING_CONFIG = {
    "row": "table.avisos tr.aviso",
    "title": "td.titulo",
    "link": "td.titulo a@href",
    "next": "a.siguiente@href",
}


def listing(*titles: str, next_link: str | None = None) -> bytes:
    rows = "".join(
        f'<tr class="aviso"><td class="titulo"><a href="/aviso/{number}">{title}</a></td></tr>'
        for number, title in enumerate(titles, start=1)
    )
    following = f'<a class="siguiente" href="{next_link}">Siguiente</a>' if next_link else ""
    return f'<html><body><table class="avisos">{rows}</table>{following}</body></html>'.encode()


def titles(session) -> set[str]:
    return set(session.scalars(select(Opportunity.title)))


def payloads(session) -> list[bytes]:
    ids = session.scalars(select(RawPayload.id).order_by(RawPayload.id)).all()
    return [open_payload(session, payload_id).read() for payload_id in ids]


@pytest.fixture
def scrape(session, fetcher):
    return lambda source: run_source(session, source, NOW, fetcher)


def test_a_next_page_link_to_a_local_file_is_never_read(
    session, http_server, make_source, scrape, tmp_path
):
    """The issue's case: the file was read and kept as a raw payload of the run."""
    secret = tmp_path / "secreto.txt"  # inside the folders local sources may use
    secret.write_text(f"<html><table class='avisos'><tr class='aviso'><td class='titulo'>{SECRET}")
    page = listing("Compra de carpetas", next_link=secret.as_uri())
    url = http_server.route("/convocatorias", http_server.Reply(body=page))
    source = make_source("municipal", SourceKind.HTML, url, config=LISTING_CONFIG)

    run = scrape(source)

    assert run.status == RunStatus.FAILED
    assert "enlace no permitido" in run.error and "solo se siguen direcciones http" in run.error
    assert titles(session) == {"Compra de carpetas"}
    assert payloads(session) == [page]


def test_a_next_page_link_to_an_internal_host_is_refused_for_a_public_source(
    session, http_server, start_http_server, make_source, scrape, monkeypatch
):
    internal = start_http_server("127.0.0.2")
    internal.route("/avisos", internal.Reply(body=listing(SECRET)))
    public = ipaddress.ip_address("127.0.0.1")  # stands in for the publisher's public address
    real_resolve, real_is_public = addresses.resolve, addresses.is_public
    monkeypatch.setattr(
        addresses,
        "resolve",
        lambda host, port: [public] if host == "datos.example.pe" else real_resolve(host, port),
    )
    monkeypatch.setattr(addresses, "is_public", lambda a: a == public or real_is_public(a))
    page = listing("Compra de carpetas", next_link=internal.base_url + "/avisos")
    http_server.route("/convocatorias", http_server.Reply(body=page))
    url = http_server.base_url.replace("127.0.0.1", "datos.example.pe") + "/convocatorias"
    source = make_source("municipal", SourceKind.HTML, url, config=LISTING_CONFIG)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and "127.0.0.2 no es una dirección pública" in run.error
    assert internal.seen("/avisos") == []
    assert titles(session) == {"Compra de carpetas"} and len(payloads(session)) == 1


def test_a_page_past_the_cap_fails_the_run_and_keeps_nothing_of_it(
    session, http_server, make_source, scrape
):
    first = listing("Compra de carpetas", next_link="/convocatorias?page=2")
    huge = listing(*["Pintado de aulas"] * 10) + b" " * MAX_PAGE_BYTES
    Reply = http_server.Reply
    url = http_server.route("/convocatorias", Reply(body=first))
    http_server.route("/convocatorias?page=2", Reply(body=huge, send_length=False))
    source = make_source("municipal", SourceKind.HTML, url, config=LISTING_CONFIG)

    run = scrape(source)

    assert run.status == RunStatus.FAILED
    assert run.error.endswith("respuesta demasiado grande: más de 20 MB")
    assert titles(session) == {"Compra de carpetas"} and payloads(session) == [first]
    assert (run.new, source.consecutive_failures) == (1, 1)


def test_a_feed_past_the_cap_stores_nothing(session, http_server, make_source, scrape):
    item = "<item><guid>a{0}</guid><title>Agua {0}</title></item>"
    items = "".join(item.format(number) for number in range(100))
    feed = f'<rss version="2.0"><channel><title>x</title>{items}'.encode()
    body = feed + b" " * MAX_PAGE_BYTES + b"</channel></rss>"
    url = http_server.route("/avisos.rss", http_server.Reply(body=body, send_length=False))
    source = make_source("agua", SourceKind.FEED, url)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and "más de 20 MB" in run.error
    assert titles(session) == set() and payloads(session) == []


def test_an_ocds_dump_has_the_configured_cap(session, http_server, make_source, fetch_settings):
    release = {"ocid": "ocds-x-1", "id": "1", "date": "2026-05-01T00:00:00Z", "tag": ["tender"]}
    dump = json.dumps({"releases": [release] * 20_000}).encode()
    url = http_server.route("/releases.json", http_server.Reply(body=dump))
    source = make_source("ocds", SourceKind.OCDS, url)
    settings = settings_from_config(
        {"PORTAL_USER_AGENT": "ComprasMYPE-test/1.0", "PORTAL_FETCH_MAX_DUMP_MB": "1"}
    )
    assert len(dump) > MB and settings.max_dump_bytes == MB

    with Fetcher(replace(fetch_settings, max_dump_bytes=MB), HostRegistry()) as fetcher:
        run = run_source(session, source, NOW, fetcher)

    assert run.status == RunStatus.FAILED and "más de 1 MB" in run.error
    assert payloads(session) == []


def test_an_ocds_dump_past_the_page_cap_is_read(session, http_server, make_source, scrape):
    """Dumps stream to disk and through ijson: the small cap of pages does not apply."""
    release = {
        "ocid": "ocds-x-1",
        "id": "1",
        "date": "2026-05-01T00:00:00Z",
        "tag": ["tender"],
        "buyer": {"name": "Municipalidad de Pisco"},
        "tender": {"id": "t1", "title": "Compra de carpetas", "description": "x" * 1000},
    }
    releases = [release | {"id": str(number)} for number in range(MAX_PAGE_BYTES // 1000 + 10)]
    dump = json.dumps({"releases": releases}).encode()
    url = http_server.route("/releases.json", http_server.Reply(body=dump))
    source = make_source("ocds", SourceKind.OCDS, url)

    run = scrape(source)

    assert len(dump) > MAX_PAGE_BYTES
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert titles(session) == {"Compra de carpetas"}


def test_a_plan_file_past_the_plan_cap_is_refused(session, http_server, make_source, scrape):
    body = b"a;b\n" * (MAX_FILE_BYTES // 4 + 1)
    url = http_server.route("/pac.csv", http_server.Reply(body=body, send_length=False))
    source = make_source("pac", SourceKind.PLAN_FILE, url)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and "más de 25 MB" in run.error
    assert payloads(session) == []
    assert session.scalar(select(func.count(RawPayload.id))) == 0
