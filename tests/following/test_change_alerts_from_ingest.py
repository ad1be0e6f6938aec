"""A change alert produced by ingesting a new version of a real source.

The source is an OCDS release package on disk (`file://`), built from a real DNCP Paraguay
release (ocds-03ad3f-277004) whose tender is reopened with a deadline ahead; the publisher then
moves the deadline and cancels the call, or awards it with its own award release.
"""

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from notifications.changes import record_change_alerts
from notifications.models import AlertDelivery, DeliveryKind
from portal.opportunities.models import ChangeKind, Opportunity, OpportunityChange
from scrapers.fetch import Fetcher, FetchSettings, HostRegistry
from scrapers.models import RunStatus, SourceKind
from scrapers.pipeline import run_source
from scrapers.sources import add_source

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
RELEASES = "ocds-sample-data/paraguay/releases"
TENDER = f"{RELEASES}/277004-adquisicion-equipos-e-insumos-informaticos-tender.json"
AWARD = (
    f"{RELEASES}/ocds-03ad3f-277004-277004-adquisicion-equipos-e-insumos-informaticos-1-award.json"
)


@pytest.fixture
def tender(shared_fixtures) -> dict:
    """The real tender release, open and closing on 15 June 2026 (Asunción time)."""
    release = json.loads((shared_fixtures / TENDER).read_text(encoding="utf-8"))
    release["date"] = "2026-05-28T08:00:00-04:00"
    release["tender"]["status"] = "active"
    release["tender"]["tenderPeriod"]["endDate"] = "2026-06-15T09:00:00-04:00"
    return release


@pytest.fixture
def publish(tmp_path):
    """Writes the source's file as the publisher would replace it, returns its URL."""
    path = tmp_path / "dncp.json"

    def publish(*releases: dict) -> str:
        package = {"uri": "https://example.org/dncp.json", "releases": list(releases)}
        path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
        return path.as_uri()

    return publish


@pytest.fixture
def scrape(session, tmp_path):
    settings = FetchSettings(
        user_agent="ComprasMYPE-test/1.0", min_interval=0.0, local_sources_dirs=(tmp_path,)
    )
    with Fetcher(settings, HostRegistry()) as fetcher:

        def scrape(source, now):
            run = run_source(session, source, now, fetcher)
            assert run.status == RunStatus.SUCCEEDED, run.error
            return run

        yield scrape


def follow(signed_in, session) -> tuple:
    """A signed-in SME presses "Seguir" on the opportunity's page."""
    opportunity = session.scalar(select(Opportunity).where(Opportunity.ocid.like("%277004")))
    client, user = signed_in()
    client.post(
        f"/cuenta/guardadas/{opportunity.id}",
        data={"remind_days_before": "3", "next": f"/oportunidades/{opportunity.id}"},
    )
    return opportunity, user


def change_alerts(session) -> list[tuple]:
    session.expire_all()
    rows = session.execute(
        select(AlertDelivery.user_id, AlertDelivery.kind, OpportunityChange.kind)
        .join(OpportunityChange, OpportunityChange.id == AlertDelivery.change_id)
        .order_by(OpportunityChange.id)
    )
    return [tuple(row) for row in rows]


def test_moved_deadline_and_cancellation_reach_the_follower(
    session, signed_in, make_user, publish, scrape, tender
):
    source = add_source(
        session, "dncp", SourceKind.OCDS, publish(tender), timezone="America/Asuncion"
    )
    session.commit()
    assert scrape(source, NOW).new == 1
    opportunity, follower = follow(signed_in, session)
    bystander = make_user()
    assert record_change_alerts(session, NOW) == 0  # nothing changed yet

    changed = copy.deepcopy(tender)
    changed["id"] = f"{tender['id']}-enmienda"
    changed["date"] = "2026-06-02T10:00:00-04:00"
    changed["tender"]["status"] = "cancelled"
    changed["tender"]["tenderPeriod"]["endDate"] = "2026-06-22T09:00:00-04:00"
    changed["tender"]["title"] = "ADQUISICIÓN DE EQUIPOS E INSUMOS INFORMÁTICOS"
    publish(changed)
    later = NOW + timedelta(days=1)
    assert scrape(source, later).updated == 1
    session.expire_all()
    recorded = {row.field: row for row in session.get(Opportunity, opportunity.id).changes}
    # DNCP states no tender.datePublished: publication follows the release date, so it moves too.
    assert set(recorded) == {"deadline_at", "status", "title", "published_at"}

    assert record_change_alerts(session, later) == 2
    session.commit()

    assert change_alerts(session) == [
        (follower.id, DeliveryKind.CHANGE, ChangeKind.DEADLINE_EXTENDED),
        (follower.id, DeliveryKind.CHANGE, ChangeKind.STATUS_CHANGED),
    ]
    assert recorded["status"].new_value == "cancelled"
    assert bystander.id not in {user_id for user_id, *_ in change_alerts(session)}
    assert record_change_alerts(session, later + timedelta(hours=1)) == 0


def test_the_publishers_award_release_reaches_the_follower(
    session, signed_in, publish, scrape, tender, shared_fixtures
):
    source = add_source(
        session, "dncp", SourceKind.OCDS, publish(tender), timezone="America/Asuncion"
    )
    session.commit()
    scrape(source, NOW)
    opportunity, follower = follow(signed_in, session)

    award = json.loads((shared_fixtures / AWARD).read_text(encoding="utf-8"))
    award["date"] = "2026-06-20T10:00:00-04:00"
    publish(tender, award)
    scrape(source, NOW + timedelta(days=20))

    assert record_change_alerts(session, NOW + timedelta(days=20)) == 2
    assert change_alerts(session) == [
        (follower.id, DeliveryKind.CHANGE, ChangeKind.STATUS_CHANGED),
        (follower.id, DeliveryKind.CHANGE, ChangeKind.DETAILS_CHANGED),
    ]
    awarded, winners = session.get(Opportunity, opportunity.id).changes
    assert (awarded.old_value, awarded.new_value) == ("open", "awarded")
    assert (winners.field, winners.old_value) == ("awards", None)
    assert [entry["supplier"] for entry in json.loads(winners.new_value)] == [
        "DATA LAB SA",
        "MARCELO ADDARIO PAVON",
        "PARASUR SA",
    ]
