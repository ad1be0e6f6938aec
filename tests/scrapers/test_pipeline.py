"""Whole runs against a local HTTP server with real published files: what each outcome leaves."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from portal.opportunities.models import ChangeKind, Opportunity, OpportunityChange
from scrapers.fetch import Fetcher
from scrapers.html_listing import SEACE_LISTING_CONFIG
from scrapers.models import RawPayload, RunStatus, ScrapeItemFailure, SourceKind
from scrapers.pipeline import RunOptions, reparse, run_all, run_source
from scrapers.records import ItemError, ParseError
from scrapers.registry import PARSERS

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DEFAULT_OPTIONS = RunOptions()
ATOM = "placsp-atom/menores.atom"
FIRST_ENTRY_ID = "https://contrataciondelestado.es/sindicacion/datosAbiertosMenores/19908539"
SEACE_PAGE = "seace-html/regional_resultados_container_p1.html"


@pytest.fixture
def scrape(session, fetcher):
    def run(source, now=NOW, options=DEFAULT_OPTIONS):
        return run_source(session, source, now, fetcher, options)

    return run


@pytest.fixture
def atom(shared_fixtures) -> bytes:
    return (shared_fixtures / ATOM).read_bytes()


def opportunity_count(session) -> int:
    return session.scalar(select(func.count(Opportunity.id)))


def snapshot(session) -> dict[str, tuple]:
    rows = session.execute(
        select(Opportunity.source_ref, Opportunity.content_hash, Opportunity.updated_at)
    )
    return {ref: (digest, updated) for ref, digest, updated in rows}


def test_feed_run_stores_notices_payload_and_validators(
    session, http_server, make_source, scrape, atom
):
    Reply = http_server.Reply
    url = http_server.route("/menores.atom", Reply(body=atom, etag='"v1"'))
    source = make_source("placsp", SourceKind.FEED, url, timezone="Europe/Madrid")

    run = scrape(source)

    assert (run.status, run.fetched, run.new, run.failed) == (RunStatus.SUCCEEDED, 6, 6, 0)
    assert opportunity_count(session) == 6
    assert session.scalar(select(func.count(RawPayload.id))) == 1
    assert source.etag == '"v1"' and source.last_success_at == NOW and source.healthy


def test_unchanged_feed_answers_304_to_the_stored_etag(
    session, http_server, make_source, scrape, atom
):
    url = http_server.route("/feed", http_server.Reply(body=atom, etag='"v1"'))
    source = make_source("placsp", SourceKind.FEED, url)
    scrape(source)

    second = scrape(source, NOW + timedelta(hours=1))

    assert second.status == RunStatus.NOT_MODIFIED and second.new == 0
    assert http_server.seen("/feed")[1].headers["If-None-Match"] == '"v1"'
    assert source.last_success_at == NOW + timedelta(hours=1)


def test_unchanged_feed_answers_304_to_the_stored_last_modified(
    http_server, make_source, scrape, atom
):
    stamp = "Mon, 01 Jun 2026 10:00:00 GMT"
    url = http_server.route("/feed", http_server.Reply(body=atom, last_modified=stamp))
    source = make_source("placsp", SourceKind.FEED, url)
    scrape(source)

    assert scrape(source).status == RunStatus.NOT_MODIFIED
    assert http_server.seen("/feed")[1].headers["If-Modified-Since"] == stamp


def test_not_found_fails_the_run_without_retry(session, http_server, make_source, scrape):
    url = http_server.route("/gone", http_server.Reply(status=404))
    source = make_source("gone", SourceKind.FEED, url)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and "HTTP 404" in run.error
    assert len(http_server.seen("/gone")) == 1
    assert source.consecutive_failures == 1 and source.healthy


def test_server_error_then_success_is_retried_and_succeeds(http_server, make_source, scrape, atom):
    Reply = http_server.Reply
    url = http_server.route("/feed", Reply(status=500), Reply(body=atom))
    source = make_source("placsp", SourceKind.FEED, url)

    run = scrape(source)

    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 6)
    assert len(http_server.seen("/feed")) == 2


def test_slow_source_fails_on_the_read_timeout(session, http_server, make_source, fetch_settings):
    url = http_server.route("/slow", http_server.Reply(body=b"<feed/>", delay=0.5))
    source = make_source("slow", SourceKind.FEED, url)

    with Fetcher(replace(fetch_settings, read_timeout=0.1, attempts=1)) as fetcher:
        run = run_source(session, source, NOW, fetcher)

    assert run.status == RunStatus.FAILED and "tiempo de espera" in run.error


def test_truncated_json_fails_the_run_and_stores_nothing(
    session, http_server, make_source, scrape, shared_fixtures
):
    package = (shared_fixtures / "ocds-cdmx-paraguay/release-package-2.json").read_bytes()
    url = http_server.route("/ocds.json", http_server.Reply(body=package[: len(package) // 2]))
    source = make_source("cdmx", SourceKind.OCDS, url)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and "JSON" in run.error
    assert opportunity_count(session) == 0


def test_invalid_xml_stores_no_notice(session, http_server, make_source, scrape):
    url = http_server.route("/feed", http_server.Reply(body=b"<feed><entry><title>x</ti"))
    source = make_source("broken", SourceKind.FEED, url)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and "not well-formed" in run.error
    assert opportunity_count(session) == 0


def test_changed_html_layout_fails_and_leaves_previous_notices_untouched(
    session, http_server, make_source, scrape, shared_fixtures
):
    page = (shared_fixtures / SEACE_PAGE).read_bytes()
    Reply = http_server.Reply
    url = http_server.route(
        "/seace", Reply(body=page), Reply(body=page.replace(b"data-ri=", b"data-fila="))
    )
    source = make_source("seace", SourceKind.HTML, url, config=SEACE_LISTING_CONFIG)
    assert scrape(source).new == 15
    before = snapshot(session)

    run = scrape(source, NOW + timedelta(hours=1))

    assert run.status == RunStatus.FAILED and "layout changed" in run.error
    assert snapshot(session) == before


def test_listing_pages_are_followed_up_to_max_pages(
    session, http_server, make_source, scrape, shared_fixtures
):
    page = (shared_fixtures / SEACE_PAGE).read_bytes()
    looping = page + b'<a class="ui-paginator-next" href="/seace">siguiente</a>'
    url = http_server.route("/seace", http_server.Reply(body=looping))
    config = SEACE_LISTING_CONFIG | {"max_pages": 3}
    source = make_source("seace", SourceKind.HTML, url, config=config)

    run = scrape(source)

    assert len(http_server.seen("/seace")) == 3
    assert (run.new, run.unchanged) == (15, 30)
    assert any("3 páginas" in warning for warning in run.warnings)


def test_repeated_and_updated_feed_entries_count_as_unchanged_and_updated(
    session, http_server, make_source, scrape, atom
):
    first_entry = atom[atom.index(b"<entry>") : atom.index(b"</entry>") + len(b"</entry>")]
    extended = first_entry.replace(b"2026-06-10", b"2026-06-20").replace(
        b"<updated>2026-06-21", b"<updated>2026-06-22"
    )
    updated_feed = atom.replace(first_entry, first_entry + extended)  # stale copy, then newer
    Reply = http_server.Reply
    url = http_server.route("/feed", Reply(body=atom), Reply(body=updated_feed))
    source = make_source("placsp", SourceKind.FEED, url, timezone="Europe/Madrid")
    scrape(source)
    session.execute(Opportunity.__table__.update().values(needs_matching=False))
    session.commit()

    run = scrape(source, NOW + timedelta(hours=1))

    assert (run.new, run.unchanged) == (0, 5)
    change = session.scalar(
        select(OpportunityChange).where(OpportunityChange.kind == ChangeKind.DEADLINE_EXTENDED)
    )
    assert change.scrape_run_id == run.id and change.opportunity.source_ref == FIRST_ENTRY_ID
    assert change.opportunity.needs_matching
    assert opportunity_count(session) == 6


def test_robots_disallow_fails_the_run_with_the_reason(
    session, http_server, make_source, scrape, atom
):
    Reply = http_server.Reply
    http_server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /\n"))
    url = http_server.route("/feed", Reply(body=atom))
    source = make_source("placsp", SourceKind.FEED, url)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and "robots.txt" in run.error
    assert http_server.seen("/feed") == []


def test_same_source_twice_adds_nothing_and_keeps_one_payload(
    session, http_server, make_source, scrape, atom
):
    url = http_server.route("/feed", http_server.Reply(body=atom))
    source = make_source("placsp", SourceKind.FEED, url)
    scrape(source)
    before = snapshot(session)

    second = scrape(source, NOW + timedelta(hours=1))

    assert (second.new, second.updated, second.unchanged) == (0, 0, 6)
    assert snapshot(session) == before
    assert session.scalar(select(func.count(RawPayload.id))) == 1


def test_one_broken_source_does_not_stop_the_others(
    session, http_server, make_source, fetcher, atom
):
    Reply = http_server.Reply
    broken = make_source("broken", SourceKind.FEED, http_server.route("/x", Reply(status=404)))
    manual = make_source("manual", SourceKind.MANUAL, http_server.base_url + "/manual")
    good = make_source("placsp", SourceKind.FEED, http_server.route("/feed", Reply(body=atom)))

    runs = run_all(session, [broken, manual, good], NOW, fetcher)

    assert [run.status for run in runs] == [RunStatus.FAILED, RunStatus.FAILED, RunStatus.SUCCEEDED]
    assert "parser" in runs[1].error
    assert opportunity_count(session) == 6


def test_source_turns_unhealthy_after_consecutive_failures_and_recovers(
    http_server, make_source, scrape, atom
):
    Reply = http_server.Reply
    failing = [Reply(status=404)] * 3
    url = http_server.route("/feed", *failing, Reply(body=atom))
    source = make_source("placsp", SourceKind.FEED, url)
    options = RunOptions(unhealthy_after=3)

    health = [scrape(source, options=options) and source.healthy for _ in range(3)]
    assert health == [True, True, False]

    scrape(source, options=options)
    assert source.healthy and source.consecutive_failures == 0


def test_reparse_recreates_the_same_rows_from_the_stored_payload(
    session, http_server, make_source, scrape, atom
):
    url = http_server.route("/feed", http_server.Reply(body=atom))
    source = make_source("placsp", SourceKind.FEED, url)
    scrape(source)
    before = {ref: digest for ref, (digest, _) in snapshot(session).items()}
    session.execute(delete(Opportunity))
    session.commit()

    run = reparse(session, source, NOW + timedelta(days=1))

    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 6)
    assert {ref: digest for ref, (digest, _) in snapshot(session).items()} == before
    assert len(http_server.seen("/feed")) == 1


def test_malformed_feed_with_usable_entries_succeeds_and_records_the_warning(
    session, http_server, make_source, scrape, atom
):
    broken = atom.replace(b"</feed>", b"<entry><title>roto & mal</title></entry>")
    url = http_server.route("/feed", http_server.Reply(body=broken))
    source = make_source("placsp", SourceKind.FEED, url)

    run = scrape(source)

    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 6)
    assert any("not well-formed" in warning for warning in run.warnings)
    assert opportunity_count(session) == 6


LISTING_CONFIG = {
    "row": "table.avisos tr.aviso",
    "title": "td.titulo",
    "link": "td.titulo a@href",
    "next": "a.siguiente@href",
}
LISTING_PAGE = b"""<html><body><table class="avisos">
<tr class="aviso"><td class="titulo"><a href="/aviso/7">Compra de carpetas</a></td></tr>
<tr class="aviso"><td class="titulo"></td></tr>
<tr class="aviso"><td class="titulo"><a href="/aviso/9">Pintado de aulas</a></td></tr>
</table><a class="siguiente" href="?page=2">Siguiente</a></body></html>"""


def failure_rows(session, run) -> int:
    return session.scalar(
        select(func.count(ScrapeItemFailure.id)).where(ScrapeItemFailure.run_id == run.id)
    )


def test_payload_of_a_failed_parse_is_kept_and_reparsed_once_the_config_is_fixed(
    session, http_server, make_source, scrape, shared_fixtures
):
    page = (shared_fixtures / SEACE_PAGE).read_bytes()
    url = http_server.route("/seace", http_server.Reply(body=page))
    wrong_row = SEACE_LISTING_CONFIG | {"row": "tr.fila-que-ya-no-existe"}
    source = make_source("seace", SourceKind.HTML, url, config=wrong_row)

    failed = scrape(source)
    source.config = SEACE_LISTING_CONFIG
    session.commit()
    run = reparse(session, source, NOW + timedelta(hours=1))

    assert failed.status == RunStatus.FAILED and "layout changed" in failed.error
    assert session.scalar(select(RawPayload.run_id)) == failed.id
    assert (run.status, run.new) == (RunStatus.SUCCEEDED, 15)
    assert opportunity_count(session) == 15
    assert len(http_server.seen("/seace")) == 1


def test_missing_second_page_fails_the_run_but_keeps_the_first_and_counts_it(
    session, http_server, make_source, scrape
):
    url = http_server.route("/convocatorias/", http_server.Reply(body=LISTING_PAGE))
    source = make_source("municipal", SourceKind.HTML, url, config=LISTING_CONFIG)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and "HTTP 404" in run.error
    assert len(http_server.seen("/convocatorias/?page=2")) == 1
    assert (run.new, run.updated) == (2, 0) and opportunity_count(session) == 2
    assert run.failed == failure_rows(session, run) == 1
    assert any("se conservan" in warning for warning in run.warnings)


def test_item_failures_rolled_back_by_a_parser_crash_are_recorded_with_the_run(
    session, http_server, make_source, scrape, monkeypatch
):
    def crashes_after_two_bad_items(stream, context):
        yield ItemError("aviso-1", "sin título")
        yield ItemError("aviso-2", "sin fecha")
        raise ParseError("el archivo se corta a la mitad")

    monkeypatch.setitem(PARSERS, SourceKind.FEED, crashes_after_two_bad_items)
    url = http_server.route("/feed", http_server.Reply(body=b"<feed/>"))
    source = make_source("cortado", SourceKind.FEED, url)

    run = scrape(source)

    assert run.status == RunStatus.FAILED and "se corta" in run.error
    assert run.failed == failure_rows(session, run) == 2
    assert {failure.item_ref for failure in run.item_failures} == {"aviso-1", "aviso-2"}
