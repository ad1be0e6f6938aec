"""An addendum reaches the follower by mail, end to end: a real DNCP Paraguay tender release
(ocds-03ad3f-277004) is scraped from a `file://` source, an SME presses "Seguir", the publisher's
next release adds an addendum ("Adenda"), and the matcher and the sender deliver one message to
a real SMTP server naming the new document. Scraping the same version again tells nobody.
"""

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from account_factories import sign_in_client
from sending_support import plain_text
from sqlalchemy import select

from notifications.matching import run_matching
from notifications.sending import send_due
from portal.opportunities.models import ChangeKind, Opportunity
from scrapers.fetch import Fetcher, FetchSettings, HostRegistry
from scrapers.models import RunStatus, SourceKind
from scrapers.pipeline import run_source
from scrapers.sources import add_source

NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Lima
LATER = NOW + timedelta(days=1)
RELEASES = "ocds-sample-data/paraguay/releases"
TENDER = f"{RELEASES}/277004-adquisicion-equipos-e-insumos-informaticos-tender.json"
ADDENDUM_ID = "YkHyO%2BZbEFk%3D"  # the call's fifth "Adenda"


@pytest.fixture
def real_release(shared_fixtures) -> dict:
    return json.loads((shared_fixtures / TENDER).read_text(encoding="utf-8"))


@pytest.fixture
def tender(real_release) -> dict:
    """The real tender, open until 15 June 2026 (Asunción time), as published before its fifth
    addendum."""
    release = copy.deepcopy(real_release)
    release["date"] = "2026-05-28T08:00:00-04:00"
    release["tender"]["status"] = "active"
    release["tender"]["datePublished"] = "2026-05-28T08:00:00-04:00"
    release["tender"]["tenderPeriod"]["endDate"] = "2026-06-15T09:00:00-04:00"
    release["tender"]["documents"] = [
        document for document in release["tender"]["documents"] if document["id"] != ADDENDUM_ID
    ]
    return release


@pytest.fixture
def amendment(tender, real_release) -> dict:
    """The publisher's next release: the call restated, listing only the document it adds."""
    [addendum] = [d for d in real_release["tender"]["documents"] if d["id"] == ADDENDUM_ID]
    release = copy.deepcopy(tender)
    release.update(id=f"{tender['id']}-adenda-5", date="2026-06-01T10:00:00-04:00")
    release["tag"] = ["tenderAmendment"]
    release["tender"]["documents"] = [addendum]
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


def follow(app, session, user) -> Opportunity:
    """The SME presses "Seguir" on the opportunity's page."""
    opportunity = session.scalar(select(Opportunity).where(Opportunity.ocid.like("%277004")))
    client = app.test_client()
    sign_in_client(client, user)
    followed = client.post(
        f"/cuenta/guardadas/{opportunity.id}",
        data={"remind_days_before": "3", "next": f"/oportunidades/{opportunity.id}"},
    )
    assert followed.status_code == 302
    return opportunity


def document_ids(session, opportunity_id: int) -> list[str]:
    session.expire_all()
    return [d.source_document_id for d in session.get(Opportunity, opportunity_id).documents]


@pytest.mark.parametrize("together", [False, True], ids=["amendment-alone", "with-the-tender"])
def test_an_added_addendum_is_one_change_mailed_to_the_follower(
    app, session, make_user, smtp_sink, publish, scrape, tender, amendment, together
):
    source = add_source(
        session, "dncp", SourceKind.OCDS, publish(tender), timezone="America/Asuncion"
    )
    session.commit()
    assert scrape(source, NOW).new == 1
    follower = make_user(email="compras@insumos-guarani.com.py")
    make_user(email="otra@empresa.pe")  # follows nothing: hears nothing
    opportunity = follow(app, session, follower)
    first = document_ids(session, opportunity.id)
    assert len(first) == len(tender["tender"]["documents"]) and ADDENDUM_ID not in first
    run_matching(session, NOW)
    assert send_due(session, NOW, digest=False, sender_name="test").messages == 0

    publish(*((tender, amendment) if together else (amendment,)))
    assert scrape(source, LATER).updated == 1

    assert document_ids(session, opportunity.id) == [*first, ADDENDUM_ID]
    [change] = session.get(Opportunity, opportunity.id).changes
    assert (change.kind, change.field) == (ChangeKind.DETAILS_CHANGED, "documents")
    assert run_matching(session, LATER).changes == 1
    assert send_due(session, LATER, digest=False, sender_name="test").messages == 1
    [message] = smtp_sink.messages
    assert message["To"] == "compras@insumos-guarani.com.py"
    count = len(first)
    assert (
        f"Documentos: antes {count} documentos; ahora {count + 1} documentos; nuevos: «Adenda»"
    ) in plain_text(message).splitlines()

    again = scrape(source, LATER + timedelta(hours=1))
    assert (again.updated, again.unchanged) == (0, 1)
    assert len(session.get(Opportunity, opportunity.id).changes) == 1
    assert run_matching(session, LATER + timedelta(hours=1)).changes == 0
    assert (
        send_due(session, LATER + timedelta(hours=1), digest=False, sender_name="t").messages == 0
    )
    assert len(smtp_sink.messages) == 1
