"""Paged OCDS APIs (OECE's `releasesAfter`, Find a Tender): `links.next` followed newest first,
only as far as the source's watermark, which moves only when the whole visit succeeded."""

import ipaddress
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.opportunities.models import Opportunity, OpportunityChange
from scrapers import addresses
from scrapers.models import RawPayload, RunStatus, SourceKind
from scrapers.pipeline import reparse, run_source

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
API = "/api/v1/releasesAfter?format=json&order=desc"


def release(number: int, date: str, title: str | None = None) -> dict:
    """A release as OECE writes them: SEACE's ocid prefix, buyer party with its RUC."""
    return {
        "ocid": f"ocds-dgv273-seacev3-{number}",
        "id": f"{number}-{date}",
        "date": date,
        "tag": ["tender"],
        "parties": [
            {
                "id": "PE-RUC-20131312955",
                "name": "Seguro Social de Salud",
                "identifier": {"scheme": "PE-RUC", "id": "20131312955"},
                "roles": ["buyer"],
            }
        ],
        "buyer": {"id": "PE-RUC-20131312955", "name": "Seguro Social de Salud"},
        "tender": {
            "id": f"AS-SM-{number}-2026-ESSALUD-1",
            "title": title or f"Adquisición de insumos {number}",
            "status": "active",
            "value": {"amount": 1000 + number, "currency": "PEN"},
        },
    }


def package(releases: list[dict], next_url: str | None = None) -> bytes:
    """A release package; `links` after `releases`, as a streamed reader meets it last."""
    body = {
        "uri": "https://contratacionesabiertas.oece.gob.pe/api/v1/releasesAfter",
        "version": "1.1",
        "publishedDate": "2026-06-01T06:00:00-05:00",
        "publisher": {"name": "OECE"},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "releases": releases,
    }
    if next_url:
        body["links"] = {"next": next_url}
    return json.dumps(body).encode()


def three_pages(server) -> str:
    """Six releases, newest first, two a page; returns the first page's URL."""
    base = server.base_url + API
    server.route(
        API,
        server.Reply(
            body=package(
                [release(6, "2026-05-31T10:00:00-05:00"), release(5, "2026-05-30T10:00:00-05:00")],
                base + "&searchAfter=5",
            )
        ),
    )
    server.route(
        API + "&searchAfter=5",
        server.Reply(
            body=package(
                [release(4, "2026-05-29T10:00:00-05:00"), release(3, "2026-05-28T10:00:00-05:00")],
                base + "&searchAfter=3",
            )
        ),
    )
    server.route(
        API + "&searchAfter=3",
        server.Reply(
            body=package(
                [release(2, "2026-05-27T10:00:00-05:00"), release(1, "2026-05-26T10:00:00-05:00")]
            )
        ),
    )
    return base


def api_requests(server) -> list[str]:
    return [seen.path for seen in server.requests if seen.path != "/robots.txt"]


def refs(session) -> set[str]:
    return set(session.scalars(select(Opportunity.source_ref)))


@pytest.fixture
def scrape(session, fetcher):
    return lambda source, now=NOW: run_source(session, source, now, fetcher)


def test_first_visit_reads_every_page_newest_first_and_keeps_the_newest_date(
    session, http_server, make_source, scrape
):
    source = make_source("oece", SourceKind.OCDS, three_pages(http_server))

    run = scrape(source)

    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 6)
    assert api_requests(http_server) == [API, API + "&searchAfter=5", API + "&searchAfter=3"]
    assert len(refs(session)) == 6
    assert source.watermark == "2026-05-31T15:00:00+00:00"


def test_second_visit_stops_at_the_watermark_and_reads_only_the_new_page(
    session, http_server, make_source, scrape
):
    source = make_source("oece", SourceKind.OCDS, three_pages(http_server))
    scrape(source)
    newest_stored = release(6, "2026-05-31T10:00:00-05:00")
    new_first_page = package(
        [
            release(8, "2026-06-01T09:00:00-05:00"),
            release(7, "2026-06-01T08:00:00-05:00"),
            newest_stored,
        ],
        http_server.base_url + API + "&searchAfter=6",
    )
    http_server.route(API, http_server.Reply(body=new_first_page))
    http_server.requests.clear()

    run = scrape(source, NOW + timedelta(hours=6))

    assert (run.status, run.new, run.unchanged) == (RunStatus.SUCCEEDED, 2, 1)
    assert api_requests(http_server) == [API]
    assert len(refs(session)) == 8
    assert source.watermark == "2026-06-01T14:00:00+00:00"


def test_a_failing_middle_page_leaves_the_watermark_for_the_next_visit_to_read_again(
    session, http_server, make_source, scrape
):
    source = make_source("oece", SourceKind.OCDS, three_pages(http_server))
    scrape(source)
    base = http_server.base_url + API
    Reply = http_server.Reply
    http_server.route(
        API,
        Reply(body=package([release(8, "2026-06-01T09:00:00-05:00")], base + "&searchAfter=8")),
    )
    middle = package([release(7, "2026-06-01T08:00:00-05:00")], base + "&searchAfter=7")
    http_server.route(API + "&searchAfter=8", Reply(status=404), Reply(body=middle))
    http_server.route(
        API + "&searchAfter=7", Reply(body=package([release(6, "2026-05-31T10:00:00-05:00")]))
    )

    failed = scrape(source, NOW + timedelta(hours=6))

    assert failed.status == RunStatus.FAILED and "HTTP 404" in failed.error
    assert source.watermark == "2026-05-31T15:00:00+00:00"
    assert "ocds-dgv273-seacev3-8" in refs(session)  # the page read before the failure stands

    again = scrape(source, NOW + timedelta(hours=12))

    assert (again.status, again.new) == (RunStatus.SUCCEEDED, 1)
    assert "ocds-dgv273-seacev3-7" in refs(session)
    assert source.watermark == "2026-06-01T14:00:00+00:00"


def test_a_failed_first_visit_leaves_no_watermark(session, http_server, make_source, scrape):
    base = three_pages(http_server)
    http_server.route(API + "&searchAfter=3", http_server.Reply(status=404))
    source = make_source("oece", SourceKind.OCDS, base)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and source.watermark is None
    assert len(refs(session)) == 4


def test_since_bounds_the_first_visit(session, http_server, make_source, scrape):
    source = make_source(
        "oece", SourceKind.OCDS, three_pages(http_server), config={"since": "2026-05-29"}
    )

    run = scrape(source)

    assert run.status == RunStatus.SUCCEEDED
    assert api_requests(http_server) == [API, API + "&searchAfter=5"]
    assert len(refs(session)) == 4


def test_max_pages_before_the_watermark_says_what_may_be_missing(
    session, http_server, make_source, scrape
):
    source = make_source("oece", SourceKind.OCDS, three_pages(http_server), config={"max_pages": 2})
    source.watermark = "2026-05-20T00:00:00+00:00"
    session.commit()

    run = scrape(source)

    assert run.status == RunStatus.SUCCEEDED and len(refs(session)) == 4
    assert "se alcanzó el máximo de 2 páginas" in run.warnings
    assert any(w.startswith("pueden faltar publicaciones entre 2026-05-20") for w in run.warnings)
    assert source.watermark == "2026-05-31T15:00:00+00:00"


def test_an_older_release_on_a_later_page_never_rolls_the_process_back(
    session, http_server, make_source, scrape
):
    base = http_server.base_url + API
    Reply = http_server.Reply
    newer = release(9, "2026-05-31T10:00:00-05:00", title="Adquisición de insumos (rectificada)")
    older = release(9, "2026-05-20T10:00:00-05:00", title="Adquisición de insumos")
    http_server.route(API, Reply(body=package([newer], base + "&searchAfter=9")))
    http_server.route(API + "&searchAfter=9", Reply(body=package([older])))
    source = make_source("oece", SourceKind.OCDS, base)

    run = scrape(source)
    replayed = reparse(session, source, NOW + timedelta(hours=1))

    assert (run.new, run.updated, replayed.updated) == (1, 0, 0)
    assert session.scalar(select(Opportunity.title)) == "Adquisición de insumos (rectificada)"
    assert session.scalar(select(func.count(OpportunityChange.id))) == 0


def test_a_next_link_to_a_local_file_is_never_read(
    session, http_server, make_source, scrape, tmp_path
):
    secret = tmp_path / "secreto.json"  # inside the folders local sources may use
    secret.write_bytes(package([release(99, "2026-05-01T10:00:00-05:00", "clave-0451")]))
    url = http_server.route(
        API,
        http_server.Reply(body=package([release(1, "2026-05-31T10:00:00-05:00")], secret.as_uri())),
    )
    source = make_source("oece", SourceKind.OCDS, url)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and "enlace no permitido" in run.error
    assert refs(session) == {"ocds-dgv273-seacev3-1"}
    assert session.scalar(select(func.count(RawPayload.id))) == 1
    assert source.watermark is None


def test_a_next_link_to_a_loopback_address_is_refused_for_a_public_source(
    session, http_server, start_http_server, make_source, scrape, monkeypatch
):
    internal = start_http_server("127.0.0.2")
    internal.route(API, internal.Reply(body=package([release(99, "2026-05-01T10:00:00Z")])))
    public = ipaddress.ip_address("127.0.0.1")  # stands in for the publisher's public address
    real_resolve, real_is_public = addresses.resolve, addresses.is_public
    monkeypatch.setattr(
        addresses,
        "resolve",
        lambda host, port: [public] if host == "api.example.pe" else real_resolve(host, port),
    )
    monkeypatch.setattr(addresses, "is_public", lambda a: a == public or real_is_public(a))
    first = package([release(1, "2026-05-31T10:00:00-05:00")], internal.base_url + API)
    http_server.route(API, http_server.Reply(body=first))
    url = http_server.base_url.replace("127.0.0.1", "api.example.pe") + API
    source = make_source("oece", SourceKind.OCDS, url)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and "127.0.0.2 no es una dirección pública" in run.error
    assert internal.seen(API) == []
    assert refs(session) == {"ocds-dgv273-seacev3-1"} and source.watermark is None


def test_an_api_that_filters_by_date_gets_the_watermark_and_is_read_to_its_end(
    session, http_server, make_source, scrape
):
    """Find a Tender: `updatedFrom` in UK time, pages linked by an opaque cursor."""
    path = "/api/1.0/ocdsReleasePackages"
    Reply = http_server.Reply
    first_visit = path + "?updatedFrom=2026-05-30T00%3A00%3A00"
    http_server.route(
        first_visit,
        Reply(
            body=package(
                [release(2, "2026-05-31T10:00:00+01:00"), release(1, "2026-05-30T09:00:00+01:00")],
                http_server.base_url + path + "?cursor=MTAwM==",
            )
        ),
    )
    http_server.route(
        path + "?cursor=MTAwM==", Reply(body=package([release(3, "2026-05-30T08:00:00+01:00")]))
    )
    second_visit = path + "?updatedFrom=2026-05-31T10%3A00%3A00"
    http_server.route(second_visit, Reply(body=package([release(2, "2026-05-31T10:00:00+01:00")])))
    config = {"since_param": "updatedFrom", "since": "2026-05-30"}
    source = make_source(
        "fts", SourceKind.OCDS, http_server.base_url + path, config=config, timezone="Europe/London"
    )

    first = scrape(source)
    second = scrape(source, NOW + timedelta(hours=1))

    assert (first.status, first.new, second.status) == (RunStatus.SUCCEEDED, 3, RunStatus.SUCCEEDED)
    assert api_requests(http_server) == [first_visit, path + "?cursor=MTAwM==", second_visit]
    assert source.watermark == "2026-05-31T09:00:00+00:00"


def test_a_package_without_links_is_read_as_before_and_sets_no_watermark(
    session, http_server, make_source, scrape, shared_fixtures
):
    path = shared_fixtures / "ocds-cdmx-paraguay" / "release-package-1.json"
    url = http_server.serve_file("/paquete.json", path)
    source = make_source("cdmx", SourceKind.OCDS, url)

    run = scrape(source)

    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 1)  # two releases of one process
    assert source.watermark is None
