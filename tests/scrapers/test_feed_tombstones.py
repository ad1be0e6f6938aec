"""Atom deletion tombstones (RFC 6721) in PLACSP's feed withdraw the notices they name."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.opportunities.models import (
    ChangeKind,
    Opportunity,
    OpportunityChange,
    OpportunityStatus,
)
from portal.search.params import SearchParams
from portal.search.query import search
from portal.search.sync import RepairReport, repair
from scrapers import feed
from scrapers.models import RunStatus, SourceKind
from scrapers.parse_worker import parsed_items
from scrapers.pipeline import RunOptions, run_source
from scrapers.records import OpportunityRecord, ParseContext, Withdrawal

MADRID = ZoneInfo("Europe/Madrid")
CONTEXT = ParseContext(source_key="placsp", timezone=MADRID)
NOW = datetime(2026, 6, 22, 12, 0, tzinfo=UTC)
ENTRIES = "https://contrataciondelestado.es/sindicacion/datosAbiertosMenores/"
TRANSPORT = ENTRIES + "19908540"  # updated 2026-06-21T04:00:33.286+02:00 in the feed
UNKNOWN = ENTRIES + "10000001"


@pytest.fixture
def menores(shared_fixtures) -> bytes:
    return (shared_fixtures / "placsp-atom/menores.atom").read_bytes()


def tombstone(ref: str, when: str | None = "2026-06-22T09:15:00.000+02:00") -> bytes:
    stamp = f' when="{when}"' if when else ""
    comment = "<at:comment>Anulada</at:comment>"
    return f'<at:deleted-entry ref="{ref}"{stamp}>{comment}</at:deleted-entry>'.encode()


def with_tombstones(feed_bytes: bytes, *tombstones: bytes) -> bytes:
    """Tombstones where PLACSP puts them: after the entries, inside the feed."""
    return feed_bytes.replace(b"</feed>", b"".join(tombstones) + b"</feed>")


def without_entry(feed_bytes: bytes, ref: str) -> bytes:
    start = feed_bytes.index(f"<id>{ref}</id>".encode())
    entry_start = feed_bytes.rindex(b"<entry>", 0, start)
    entry_end = feed_bytes.index(b"</entry>", start) + len(b"</entry>")
    return feed_bytes[:entry_start] + feed_bytes[entry_end:]


def parse(payload: bytes) -> list:
    return list(feed.parse(io.BytesIO(payload), CONTEXT))


def refs(items: list) -> set[str]:
    return {item.source_ref for item in items if isinstance(item, OpportunityRecord)}


def test_a_tombstone_for_an_entry_not_in_the_feed_is_a_withdrawal(menores):
    items = parse(with_tombstones(without_entry(menores, TRANSPORT), tombstone(TRANSPORT)))

    assert Withdrawal(TRANSPORT, datetime(2026, 6, 22, 7, 15, tzinfo=UTC)) in items
    assert TRANSPORT not in refs(items) and len(refs(items)) == 5


def test_a_tombstone_newer_than_its_entry_in_the_same_feed_withdraws_it(menores):
    items = parse(with_tombstones(menores, tombstone(TRANSPORT)))

    assert TRANSPORT not in refs(items)
    assert [item.source_ref for item in items if isinstance(item, Withdrawal)] == [TRANSPORT]


@pytest.mark.parametrize("when", ["2026-06-20T10:00:00+02:00", None])
def test_a_tombstone_older_than_its_entry_in_the_same_feed_does_not(menores, when):
    items = parse(with_tombstones(menores, tombstone(TRANSPORT, when), tombstone(UNKNOWN)))

    assert TRANSPORT in refs(items)
    assert [item.source_ref for item in items if isinstance(item, Withdrawal)] == [UNKNOWN]


def test_the_latest_of_several_tombstones_for_one_entry_counts(menores):
    items = parse(
        with_tombstones(
            menores,
            tombstone(TRANSPORT, "2026-06-22T09:15:00+02:00"),
            tombstone(TRANSPORT, "2026-06-20T10:00:00+02:00"),
        )
    )
    assert TRANSPORT not in refs(items)


def test_a_feed_of_tombstones_only_is_read():
    payload = (
        b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        b'xmlns:at="http://purl.org/atompub/tombstones/1.0"><title>PLACSP</title>'
        + tombstone(UNKNOWN)
        + b"</feed>"
    )
    assert parse(payload) == [Withdrawal(UNKNOWN, datetime(2026, 6, 22, 7, 15, tzinfo=UTC))]


def test_withdrawals_cross_from_the_parsing_child_process(menores, tmp_path):
    payload = tmp_path / "menores.atom"
    payload.write_bytes(with_tombstones(menores, tombstone(TRANSPORT)))

    with payload.open("rb") as body:
        items = list(parsed_items(feed.parse, body, CONTEXT, parallel_from_bytes=0))

    assert Withdrawal(TRANSPORT, datetime(2026, 6, 22, 7, 15, tzinfo=UTC)) in items


@pytest.fixture
def placsp(make_source, http_server, menores):
    """A source whose feed first lists the notices, then deletes one (and one never seen)."""
    later = with_tombstones(
        without_entry(menores, TRANSPORT), tombstone(TRANSPORT), tombstone(UNKNOWN)
    )
    Reply = http_server.Reply
    url = http_server.route("/menores.atom", Reply(body=menores), Reply(body=later))
    return make_source("placsp", SourceKind.FEED, url, timezone="Europe/Madrid")


def stored(session, ref: str) -> Opportunity:
    return session.scalar(select(Opportunity).where(Opportunity.source_ref == ref))


def test_a_tombstone_withdraws_the_stored_notice_with_a_change_row(app, session, fetcher, placsp):
    run_source(session, placsp, NOW, fetcher, RunOptions())
    session.execute(Opportunity.__table__.update().values(needs_matching=False))
    session.commit()
    assert stored(session, TRANSPORT).status == OpportunityStatus.AWARDED

    run = run_source(session, placsp, NOW + timedelta(hours=1), fetcher, RunOptions())

    assert (run.status, run.new, run.updated, run.unchanged) == (RunStatus.SUCCEEDED, 0, 1, 5)
    assert any("1 avisos de retiro" in warning for warning in run.warnings)
    notice = stored(session, TRANSPORT)
    assert notice.status == OpportunityStatus.WITHDRAWN and notice.needs_matching
    (change,) = session.scalars(select(OpportunityChange))
    assert (change.kind, change.field, change.old_value, change.new_value) == (
        ChangeKind.STATUS_CHANGED,
        "status",
        "awarded",
        "withdrawn",
    )
    assert change.scrape_run_id == run.id and change.opportunity_id == notice.id
    assert stored(session, UNKNOWN) is None
    assert repair(session, app.config["PORTAL_INDEX_DIR"]) == RepairReport(0, 0, 0)
    withdrawn = SearchParams(q="transporte colectivo", statuses=("withdrawn",))
    assert search(withdrawn, NOW).total == 1


def test_a_tombstone_seen_again_changes_nothing_more(session, fetcher, placsp):
    run_source(session, placsp, NOW, fetcher, RunOptions())
    run_source(session, placsp, NOW + timedelta(hours=1), fetcher, RunOptions())

    again = run_source(session, placsp, NOW + timedelta(hours=2), fetcher, RunOptions())

    assert (again.updated, again.unchanged) == (0, 6)
    assert len(session.scalars(select(OpportunityChange)).all()) == 1


def test_a_tombstone_older_than_the_stored_notice_does_not_withdraw_it(
    session, fetcher, make_source, http_server, menores
):
    """The notice was published again after that deletion: the old tombstone is stale."""
    stale = tombstone(TRANSPORT, "2026-06-01T10:00:00+02:00")
    later = with_tombstones(without_entry(menores, TRANSPORT), stale)
    Reply = http_server.Reply
    url = http_server.route("/menores.atom", Reply(body=menores), Reply(body=later))
    source = make_source("placsp", SourceKind.FEED, url, timezone="Europe/Madrid")
    run_source(session, source, NOW, fetcher, RunOptions())

    run = run_source(session, source, NOW + timedelta(hours=1), fetcher, RunOptions())

    assert (run.updated, run.unchanged) == (0, 6)
    assert stored(session, TRANSPORT).status == OpportunityStatus.AWARDED
    assert session.scalars(select(OpportunityChange)).all() == []
