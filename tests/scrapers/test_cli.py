"""The scraping commands: register a source, scrape it, see the summary, reparse and prune."""

from sqlalchemy import delete, func, select

from portal.db import db
from portal.opportunities.models import Opportunity
from scrapers import cli
from scrapers.models import Source
from scrapers.sources import active_sources

ATOM = "placsp-atom/menores.atom"


def add_feed(runner, key: str, url: str, *extra: str):
    return runner.invoke(args=["sources", "add", key, "--kind", "feed", "--url", url, *extra])


def test_sources_add_registers_a_source_and_list_shows_its_health(runner, session, shared_fixtures):
    url = (shared_fixtures / ATOM).as_uri()

    added = add_feed(runner, "placsp", url, "--interval", "15", "--config", '{"max_pages": 2}')
    listed = runner.invoke(args=["sources", "list"])

    assert added.exit_code == 0, added.output
    source = session.scalar(select(Source))
    assert (source.key, source.interval_minutes, source.config) == ("placsp", 15, {"max_pages": 2})
    assert "placsp" in listed.output and "ok" in listed.output


def test_sources_add_refuses_an_unknown_timezone_and_bad_json(runner, session):
    zone = add_feed(runner, "x", "file:///tmp/x", "--timezone", "Marte/Olympus")
    config = add_feed(runner, "y", "file:///tmp/y", "--config", "{no")

    assert zone.exit_code != 0 and "zona horaria" in zone.output
    assert config.exit_code != 0 and "JSON" in config.output
    assert session.scalar(select(func.count(Source.id))) == 0


def test_scrape_one_source_prints_the_summary_table(runner, session, shared_fixtures):
    add_feed(runner, "placsp", (shared_fixtures / ATOM).as_uri(), "--timezone", "Europe/Madrid")

    result = runner.invoke(args=["scrape", "placsp"])

    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("placsp"))
    assert row.split()[:7] == ["placsp", "succeeded", "6", "6", "0", "0", "0"]
    assert session.scalar(select(func.count(Opportunity.id))) == 6


def test_scrape_all_runs_every_source_and_fails_when_one_broke(runner, shared_fixtures, tmp_path):
    add_feed(runner, "placsp", (shared_fixtures / ATOM).as_uri())
    add_feed(runner, "roto", (tmp_path / "no-existe.atom").as_uri())

    result = runner.invoke(args=["scrape", "--all"])

    assert result.exit_code == 1
    assert "placsp  succeeded" in result.output and "roto    failed" in result.output
    assert "no-existe.atom" in result.output


def test_scrape_all_goes_on_after_a_source_the_database_refuses_to_record(
    runner, session, shared_fixtures, monkeypatch
):
    add_feed(runner, "borrada", (shared_fixtures / ATOM).as_uri())
    add_feed(runner, "placsp", (shared_fixtures / ATOM).as_uri())

    def listed_then_deleted_elsewhere(listing_session):
        listed = active_sources(listing_session)
        with db.engine.begin() as other_process:
            other_process.execute(delete(Source).where(Source.key == "borrada"))
        return listed

    monkeypatch.setattr(cli, "active_sources", listed_then_deleted_elsewhere)
    result = runner.invoke(args=["scrape", "--all"])

    assert result.exit_code == 1
    assert "borrada  failed" in result.output and "no pudo registrar" in result.output
    assert "placsp   succeeded" in result.output
    assert session.scalar(select(func.count(Opportunity.id))) == 6


def test_scrape_needs_a_source_or_all(runner):
    assert runner.invoke(args=["scrape"]).exit_code == 2
    assert "No existe la fuente" in runner.invoke(args=["scrape", "nada"]).output


def test_reparse_and_prune_commands(runner, session, shared_fixtures):
    add_feed(runner, "placsp", (shared_fixtures / ATOM).as_uri())
    runner.invoke(args=["scrape", "placsp"])
    session.execute(Opportunity.__table__.delete())
    session.commit()

    reparsed = runner.invoke(args=["scrape", "reparse", "placsp"])
    pruned = runner.invoke(args=["scrape", "prune"])

    assert reparsed.exit_code == 0, reparsed.output
    assert session.scalar(select(func.count(Opportunity.id))) == 6
    assert pruned.exit_code == 0 and "0 cargas borradas" in pruned.output
