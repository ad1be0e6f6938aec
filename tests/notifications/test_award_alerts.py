"""An award reaches the follower by mail, end to end: a Peruvian OCDS release is ingested
open, an SME presses "Seguir", the publisher's next release awards the call to a firm for an
amount, and the matcher and the sender deliver a message to a real SMTP server that names
the winner, its RUC and the amount, beside the new status.
"""

import copy
import io
import json
from datetime import UTC, datetime

import pytest
from account_factories import sign_in_client
from sending_support import plain_text
from sqlalchemy import select

from notifications.matching import run_matching
from notifications.sending import send_due
from portal.opportunities.models import Opportunity, OpportunityStatus
from scrapers import ocds
from scrapers.ingest import Ingestor
from scrapers.models import ScrapeRun, SourceKind
from scrapers.sources import add_source, parse_context

PUBLISHED = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
AWARDED = datetime(2026, 6, 22, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Lima
RUC = "20601234565"  # check digit: 105 mod 11 = 6, 11 − 6 = 5
WINNER = "Constructora Andina S.A.C."
TITLE = "Mejoramiento del local comunal de Villa El Salvador"


def call_release() -> dict:
    """An AS for works, as OECE publishes it: open until 15 June 17:00 in Lima."""
    return {
        "ocid": "ocds-dgv273-seacev3-3001",
        "id": "ocds-dgv273-seacev3-3001-tender-1",
        "date": "2026-06-01T10:00:00-05:00",
        "tag": ["tender"],
        "parties": [
            {
                "id": "PE-RUC-20131705437",
                "name": "Municipalidad Distrital de Villa El Salvador",
                "identifier": {"scheme": "PE-RUC", "id": "20131705437"},
                "address": {"countryName": "Perú", "region": "LIMA"},
                "roles": ["buyer"],
            }
        ],
        "buyer": {
            "id": "PE-RUC-20131705437",
            "name": "Municipalidad Distrital de Villa El Salvador",
        },
        "tender": {
            "id": "AS-SM-12-2026-MVES-1",
            "title": TITLE,
            "status": "active",
            "mainProcurementCategory": "works",
            "procurementMethodDetails": "Adjudicación Simplificada",
            "value": {"amount": 160000, "currency": "PEN"},
            "tenderPeriod": {
                "startDate": "2026-06-01T10:00:00-05:00",
                "endDate": "2026-06-15T17:00:00-05:00",
            },
        },
    }


def awarded_release() -> dict:
    """The same call, its buena pro given: a winner with its RUC, for S/ 150,000."""
    release = copy.deepcopy(call_release())
    release["id"] = "ocds-dgv273-seacev3-3001-award-1"
    release["date"] = "2026-06-22T09:00:00-05:00"
    release["tag"] = ["award"]
    release["tender"]["status"] = "complete"
    release["parties"].append(
        {
            "id": f"PE-RUC-{RUC}",
            "name": WINNER,
            "identifier": {"scheme": "PE-RUC", "id": RUC},
            "roles": ["supplier"],
        }
    )
    release["awards"] = [
        {
            "id": "AS-SM-12-2026-MVES-1-1",
            "status": "active",
            "date": "2026-06-19T12:00:00-05:00",
            "value": {"amount": 150000, "currency": "PEN"},
            "suppliers": [{"id": f"PE-RUC-{RUC}", "name": WINNER}],
        }
    ]
    return release


@pytest.fixture
def publish(session):
    """publish(release, now): the publisher's package, parsed and ingested as a run does."""
    source = add_source(session, "oece", SourceKind.OCDS, "https://example.org/oece.json")
    session.commit()

    def publish(release: dict, now: datetime) -> None:
        run = ScrapeRun(source_id=source.id, started_at=now)
        session.add(run)
        session.commit()
        payload = json.dumps({"uri": "https://example.org/oece.json", "releases": [release]})
        ingestor = Ingestor(session, source, run.id, now)
        ingestor.consume(ocds.parse(io.BytesIO(payload.encode()), parse_context(source)))
        ingestor.finish()

    return publish


def test_the_follower_is_mailed_the_winner_and_the_amount(
    app, session, make_user, smtp_sink, publish
):
    publish(call_release(), PUBLISHED)
    opportunity = session.scalar(select(Opportunity))
    follower = make_user(email="compras@ferreteria-los-andes.com.pe")
    make_user(email="otra@empresa.pe")  # does not follow it: hears nothing
    client = app.test_client()
    sign_in_client(client, follower)
    followed = client.post(
        f"/cuenta/guardadas/{opportunity.id}", data={"remind_days_before": "3", "next": "/"}
    )
    assert followed.status_code == 302
    run_matching(session, PUBLISHED)
    assert send_due(session, PUBLISHED, digest=False, sender_name="test").messages == 0

    publish(awarded_release(), AWARDED)
    session.expire_all()
    assert session.get(Opportunity, opportunity.id).status is OpportunityStatus.AWARDED
    assert run_matching(session, AWARDED).changes == 2  # the status and the awards
    assert send_due(session, AWARDED, digest=False, sender_name="test").messages == 1

    [message] = smtp_sink.messages
    assert message["To"] == "compras@ferreteria-los-andes.com.pe"
    assert message["Subject"] == f"Cambio en un proceso que sigue: {TITLE}"
    lines = plain_text(message).splitlines()
    assert "Estado: antes Abierta; ahora Adjudicada" in lines
    assert (
        "Adjudicación: antes —; ahora Adjudicado a Constructora Andina S.A.C. "
        "(RUC 20601234565) por S/ 150,000.00"
    ) in lines
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Adjudicado a Constructora Andina S.A.C. (RUC 20601234565) por S/ 150,000.00" in html
